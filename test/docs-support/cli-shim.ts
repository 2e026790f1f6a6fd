// `sentinel-watch` on PATH as a reader who installed it has it: the CLI bundle, built from these
// sources by package.json's own build:cli script into the suite's own directory (so two suites never
// write the same file).

import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './markdown';

const run = promisify(execFile);

/** Builds the bundle into `dir` and writes `dir/bin/sentinel-watch`; returns the bin directory. */
export async function installCliShim(dir: string): Promise<string> {
  const bundle = join(dir, 'sentinel-watch.cjs');
  // package.json's build:cli, with an outfile of our own.
  const { scripts } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(scripts['build:cli']).toBe('node scripts/build-cli.mjs');
  await run(process.execPath, ['scripts/build-cli.mjs', bundle], { cwd: REPO, timeout: 120_000 });
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'sentinel-watch'), `#!/bin/sh\nexec "${process.execPath}" "${bundle}" "$@"\n`);
  chmodSync(join(bin, 'sentinel-watch'), 0o755);
  return bin;
}

export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command line through bash, as a reader types it; a non-zero exit is a result, not an error. */
export async function bash(
  command: string,
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<ShellResult> {
  try {
    const r = await run('bash', ['-c', command], { ...opts, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * The environment of a reader's shell: this process's, without the npm_* variables that `npm test` or
 * `npx jest` set (the CLI reads npm_command to print its suggestions the way it was run).
 */
export function readerEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
}
