#!/usr/bin/env node
// The `sentinel-watch` command (package.json "bin"). It runs the bundle, dist/sentinel-watch.cjs,
// which is what an installed package ships (`npm pack` builds it first: the prepack script).
//
// Why a launcher rather than "bin" naming the bundle: in a checkout, `npm ci` does not build the
// bundle (a `prepare` script would, but npm then warns about an unapproved install script to everyone
// who installs the tarball), and `npx sentinel-watch` would answer "sentinel-watch: not found". Here
// it runs the TypeScript source through tsx instead: slower to start, but it works in any checkout.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'sentinel-watch.cjs');
if (existsSync(bundle)) {
  require(bundle);
} else {
  let register;
  try {
    register = require('tsx/cjs/api').register;
  } catch {
    process.stderr.write(
      `sentinel-watch: ${bundle} is missing. In a checkout, run "npm run build"; otherwise reinstall the package.\n`,
    );
    process.exit(1);
  }
  register();
  require('./sentinel-watch.ts');
}
