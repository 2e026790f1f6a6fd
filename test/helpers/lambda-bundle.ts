// Lambda handlers as they are deployed: bundled by esbuild with the stack's settings (bench/bundles.ts,
// the same as lib/constructs/watcher-function.ts), then invoked in a fresh `node` process each time
// (a cold start) with the event on stdin, the way scripts/check-bundles.mjs loads them. The bundle
// carries its own copy of the AWS SDK, so AWS is reached through local stand-ins (AWS_ENDPOINT_URL_*),
// never a mock.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_SETTINGS } from '../../bench/bundles';

const ROOT = path.join(__dirname, '../..');

export interface Bundles {
  readonly dir: string;
  /** name → bundled file. */
  readonly files: Readonly<Record<string, string>>;
  remove(): Promise<void>;
}

export async function bundleHandlers(entries: Readonly<Record<string, string>>): Promise<Bundles> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-watch-it-bundles-'));
  const files: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = path.join(dir, name, 'index.js');
    await build({ ...ESBUILD_SETTINGS, entryPoints: [path.join(ROOT, entry)], outfile });
    files[name] = outfile;
  }
  return { dir, files, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Invocation {
  readonly ok: boolean;
  /** The handler's result, or the error's name and message. */
  readonly result: unknown;
  /** Everything the process wrote (the function's logs). */
  readonly output: string;
  readonly ms: number;
}

const RUNNER = `
const [file, remaining] = process.argv.slice(1);
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', async () => {
  const deadline = Date.now() + Number(remaining);
  const context = { awsRequestId: 'local-' + process.pid, functionName: 'local', getRemainingTimeInMillis: () => deadline - Date.now() };
  try {
    const result = await require(file).handler(JSON.parse(input), context);
    process.stdout.write('\\n@@RESULT ' + JSON.stringify({ ok: true, result }) + '\\n');
  } catch (error) {
    process.stdout.write('\\n@@RESULT ' + JSON.stringify({ ok: false, result: { name: error.name, message: error.message } }) + '\\n');
  }
});
`;

/** One invocation of a bundled handler in its own process, with exactly this environment. */
export function invokeBundle(
  file: string,
  event: unknown,
  env: Readonly<Record<string, string>>,
  remainingMs = 30_000,
): Promise<Invocation> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', '-e', RUNNER, file, String(remainingMs)], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), remainingMs + 10_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (!line) {
        reject(new Error(`the bundle printed no result:\n${output.slice(-2000)}`));
        return;
      }
      const { ok, result } = JSON.parse(line.slice(9)) as { ok: boolean; result: unknown };
      resolve({ ok, result, output, ms: Date.now() - started });
    });
    child.stdin.end(JSON.stringify(event));
  });
}
