#!/usr/bin/env node
// Bundles the sentinel-watch CLI into one CommonJS file with every dependency inside, so that an
// installed package (npm install -g, npx) needs nothing but Node 20+: no node_modules, no tsx.
//
// Usage: node scripts/build-cli.mjs [outfile]     (default dist/sentinel-watch.cjs)

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(process.argv[2] ?? join(root, 'dist', 'sentinel-watch.cjs'));

await build({
  absWorkingDir: root,
  entryPoints: ['bin/sentinel-watch.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  logLevel: 'warning',
});
