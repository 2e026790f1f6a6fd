#!/usr/bin/env node
// After `cdk synth` with real bundling: proves every Lambda bundle in cdk.out loads on its own.
// Each function's asset directory is copied outside the project (so that nothing can be resolved
// from the project's node_modules by accident) and its entry file is required by a fresh Node
// process, with the function's environment from the template (tokens replaced by dummy values, as
// the handlers validate their settings at cold start). The process must export `handler` and then
// exit by itself: a module that opens connections at import keeps it alive and fails the check.
//
// Usage: node scripts/check-bundles.mjs [cdk.out]

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const outdir = resolve(process.argv[2] ?? 'cdk.out');
const LOAD_TIMEOUT_MS = 20_000;

// Values for environment variables the template sets with CloudFormation functions (Ref, GetAtt).
const DUMMY_ENV = {
  SNAPSHOT_TABLE_NAME: 'sentinel-watch-bundle-check',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:sentinel-watch-bundle-check',
  SLACK_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bundle-check-AbCdEf',
  DRILL_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bundle-check-drill-key-AbCdEf',
};

function fail(message) {
  console.error(`check-bundles: ${message}`);
  process.exit(1);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(0).padStart(6)} KB`;
}

if (!existsSync(join(outdir, 'manifest.json'))) {
  fail(`${outdir}/manifest.json not found: run "npx cdk synth" first`);
}

/** Every Lambda function of every stack template, with its asset directory and environment. */
function findFunctions() {
  const manifest = readJson(join(outdir, 'manifest.json'));
  const functions = [];
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = readJson(join(outdir, artifact.properties.templateFile));
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (!assetPath) continue; // inline code or an image: nothing bundled here
      const handler = resource.Properties.Handler ?? 'index.handler';
      const variables = resource.Properties.Environment?.Variables ?? {};
      const env = {};
      for (const [name, value] of Object.entries(variables)) {
        if (typeof value === 'string') env[name] = value;
        else if (name in DUMMY_ENV) env[name] = DUMMY_ENV[name];
        else
          fail(`${logicalId}: no dummy value for ${name} (${JSON.stringify(value)}); add one to DUMMY_ENV`);
      }
      functions.push({
        name: resource.Metadata['aws:cdk:path'] ?? logicalId,
        dir: join(outdir, assetPath),
        handler,
        env,
      });
    }
  }
  return functions;
}

function entryFile(dir, handler) {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.js', '.cjs', '.mjs']) {
    if (existsSync(join(dir, base + ext))) return base + ext;
  }
  return null;
}

const functions = findFunctions();
if (functions.length === 0) fail(`no bundled Lambda functions found in ${outdir}`);

const probe = `
const started = process.hrtime.bigint();
const mod = require(process.argv[1]);
const name = process.argv[2];
if (typeof mod[name] !== 'function') {
  console.error('exports no function "' + name + '" (exports: ' + Object.keys(mod).join(', ') + ')');
  process.exit(3);
}
console.log(String(Number(process.hrtime.bigint() - started) / 1e6));
`;

let failures = 0;
console.log(
  `Loading ${functions.length} bundle(s) with Node ${process.version} (Lambda runs its own runtime version)`,
);
for (const fn of functions) {
  const file = entryFile(fn.dir, fn.handler);
  if (!file) {
    console.log(`FAIL  ${fn.name}: no entry file for handler ${fn.handler} in ${fn.dir}`);
    failures++;
    continue;
  }
  const size = statSync(join(fn.dir, file)).size;
  const mapFile = join(fn.dir, `${file}.map`);
  const mapSize = existsSync(mapFile) ? statSync(mapFile).size : 0;
  const isolated = mkdtempSync(join(tmpdir(), 'sentinel-watch-bundle-'));
  try {
    cpSync(fn.dir, isolated, { recursive: true });
    const exportName = fn.handler.slice(fn.handler.lastIndexOf('.') + 1);
    const result = spawnSync(process.execPath, ['-e', probe, join(isolated, file), exportName], {
      cwd: isolated,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: 'bundle-check',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...fn.env,
      },
      encoding: 'utf8',
      timeout: LOAD_TIMEOUT_MS,
    });
    const sizes = `${kb(size)} ${file}, ${kb(mapSize)} map`;
    if (result.error?.code === 'ETIMEDOUT') {
      console.log(
        `FAIL  ${fn.name} (${sizes}): did not exit within ${LOAD_TIMEOUT_MS / 1000} s after loading`,
      );
      console.log('      (something at module scope keeps the event loop busy: no I/O at import, please)');
      failures++;
    } else if (result.status !== 0) {
      console.log(`FAIL  ${fn.name} (${sizes}): exit ${result.status ?? result.signal}`);
      console.log(
        (result.stderr || result.stdout)
          .trim()
          .split('\n')
          .slice(0, 15)
          .map((l) => `      ${l}`)
          .join('\n'),
      );
      failures++;
    } else {
      const ms = Number.parseFloat(result.stdout.trim().split('\n').pop());
      console.log(`ok    ${fn.name}: ${sizes}, loaded in ${ms.toFixed(0)} ms`);
    }
  } finally {
    rmSync(isolated, { recursive: true, force: true });
  }
}

if (failures > 0) fail(`${failures} of ${functions.length} bundle(s) failed to load`);
console.log(`All ${functions.length} bundle(s) load.`);
