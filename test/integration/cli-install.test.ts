// The CLI as a user installs it: `npm pack` the repo, `npm install -g` the tarball (and the checkout
// folder) into a temporary prefix, offline, and run the installed command; `npx sentinel-watch` in the
// checkout. Commands the CLI suggests must run where the user is. No redis-server: no lock needed.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'sw-cli-install-'));
const cache = join(work, 'npm-cache');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A clean environment: no npm_* variables from a surrounding `npm test`, a private npm cache. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...clean, npm_config_cache: cache, npm_config_update_notifier: 'false', ...extra };
}

function run(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Result>((resolve) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd ?? work, env: options.env ?? env(), timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

const npm = (args: readonly string[], cwd = work) =>
  run('npm', ['--offline', '--no-audit', '--no-fund', ...args], { cwd });

let tarball = '';
let packed: { files: { path: string }[] } = { files: [] };

beforeAll(async () => {
  const pack = await npm(['pack', '--json', '--pack-destination', work], ROOT);
  expect(pack.code).toBe(0);
  packed = (JSON.parse(pack.stdout) as (typeof packed & { filename: string })[])[0];
  tarball = join(work, (packed as unknown as { filename: string }).filename);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('CLI: npm pack', () => {
  it('ships the launcher, the bundle and the CLI docs, nothing else to install', async () => {
    expect(packed.files.map((f) => f.path).sort()).toEqual([
      'README.md',
      'bin/sentinel-watch-launcher.cjs',
      'dist/sentinel-watch.cjs',
      'docs/cli.md',
      'package.json',
    ]);
    const tar = await run('tar', ['-xzOf', tarball, 'package/package.json']);
    const manifest = JSON.parse(tar.stdout) as Record<string, Record<string, string> | undefined>;
    // The bundle carries every dependency: installing must fetch nothing and run no script.
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /install|prepare/.test(s))).toEqual([]);
  });
});

describe('CLI: npm install -g', () => {
  it('installs the tarball offline, quietly, into a working sentinel-watch command', async () => {
    // Act
    const prefix = join(work, 'from-tarball');
    const install = await npm(['install', '-g', '--prefix', prefix, tarball]);
    const bin = join(prefix, 'bin', 'sentinel-watch');
    const versionRun = await run(bin, ['--version']);
    const help = await run(bin, ['check', '--help']);

    // Assess: no EBADENGINE, no unapproved install scripts, nothing fetched
    expect(install.code).toBe(0);
    expect(install.stderr).toBe('');
    expect(versionRun).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sentinel-watch check/);
  });

  it('suggests the installed path when the prefix is not on PATH, and the bare name when it is', async () => {
    // Prepare
    const prefix = join(work, 'from-tarball');
    const bin = join(prefix, 'bin', 'sentinel-watch');
    const args = ['local', 'status', '--dir', join(work, 'no-topology')];

    // Act
    const offPath = await run(bin, args, { cwd: ROOT });
    const offPathHere = await run(bin, args, { cwd: prefix });
    const onPath = await run(bin, args, { env: env({ PATH: `${join(prefix, 'bin')}:${process.env.PATH}` }) });

    // Assess
    expect(offPath.code).toBe(1);
    expect(offPath.stderr).toContain(`start one with ${bin} local up`);
    expect(offPathHere.stderr).toContain('start one with ./bin/sentinel-watch local up');
    expect(onPath.stderr).toContain('start one with sentinel-watch local up');
  });

  it('installs from the checkout folder too', async () => {
    const prefix = join(work, 'from-folder');
    const install = await npm(['install', '-g', '--prefix', prefix, ROOT]);
    expect(install.code).toBe(0);
    expect(install.stderr).toBe('');
    expect(await run(join(prefix, 'bin', 'sentinel-watch'), ['--version'])).toMatchObject({
      code: 0,
      stdout: `${version}\n`,
    });
  });
});

describe('CLI: npx in a checkout', () => {
  it('runs the project bin and suggests npx commands', async () => {
    const npx = (args: readonly string[]) =>
      run('npx', ['--offline', 'sentinel-watch', ...args], { cwd: ROOT });
    const versionRun = await npx(['--version']);
    const status = await npx(['local', 'status', '--dir', join(work, 'no-topology')]);
    expect(versionRun).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(status.stderr).toContain('start one with npx sentinel-watch local up');
  });

  it('runs the bundle with node and suggests that', async () => {
    const status = await run(
      process.execPath,
      ['dist/sentinel-watch.cjs', 'local', 'status', '--dir', 'nowhere'],
      {
        cwd: ROOT,
      },
    );
    expect(status.stderr).toContain('start one with node dist/sentinel-watch.cjs local up');
  });
});
