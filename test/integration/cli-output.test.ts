// The bundled CLI (what `npm install -g` and `npx` run) as a separate process writing into pipes, the
// way cron, Nagios and `| jq` see it: no ANSI escape codes, no SDK warnings, JSON documents that start
// with schemaVersion, usage errors on stderr. No redis-server here (the deployment is a closed port),
// so this file needs no lock.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureOutput } from './helpers/capture-output';

const ROOT = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'sw-cli-output-'));
const bundle = join(work, 'sentinel-watch.cjs');
const ESC = '\u001b[';

/** The environment of a user who set nothing about colour, whatever the test runner has. */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bundle, ...args],
      { env: plainEnv(extraEnv), timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A loopback port nobody listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

let sentinel = '';

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs'), bundle], {
    encoding: 'utf8',
  });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  sentinel = `127.0.0.1:${await closedPort()}`;
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('CLI: output into a pipe', () => {
  const commands = (): [string, string[], number][] => [
    ['no command', [], 3],
    ['--version', ['--version'], 0],
    ['--help', ['--help'], 0],
    ['check --help', ['check', '--help'], 0],
    ['watch --help', ['watch', '--help'], 0],
    ['drill --help', ['drill', '--help'], 0],
    ['history --help', ['history', '--help'], 0],
    ['local --help', ['local', '--help'], 0],
    ['silence --help', ['silence', '--help'], 0],
    ['test-alert --help', ['test-alert', '--help'], 0],
    ['doctor --help', ['doctor', '--help'], 0],
    ['silence list', ['silence', 'list', '--silence-file', join(work, 'none.json')], 0],
    ['silence without a verb', ['silence'], 3],
    ['check (text)', ['check', '--sentinels', sentinel, '--master', 'm'], 2],
    ['check --json', ['check', '--sentinels', sentinel, '--master', 'm', '--json'], 2],
    // Refused in preflight (no sentinel answers): exit 2, as docs/drill.md says.
    ['drill --dry-run', ['drill', '--sentinels', sentinel, '--master', 'm', '--dry-run'], 2],
    ['a usage error', ['check', '--interval', '10s'], 3],
  ];

  it.each([[{ TERM: 'xterm-256color' }], [{ NO_COLOR: '1' }]])(
    'writes no ANSI escape codes, with env %j',
    async (env) => {
      for (const [what, args, code] of commands()) {
        const r = await run(args, env);
        expect({ what, code: r.code }).toEqual({ what, code });
        expect({ what, escapes: (r.stdout + r.stderr).split(ESC).length - 1 }).toEqual({ what, escapes: 0 });
      }
    },
  );

  it('prints the usage on stderr, not stdout, and exits 3 without a command', async () => {
    const r = await run([]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: sentinel-watch <command>/);
  });

  it('ends as soon as its answer is out, even with connections refused', async () => {
    // ioredis keeps a 2 s timer per refused connection; the process used to wait for it, so a
    // cron/Nagios `check` of a deployment with a server down took 2 s longer than its answer.
    const started = Date.now();
    const r = await run(['check', '--sentinels', sentinel, '--master', 'm', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ schemaVersion: 1, status: 'critical' });
    expect(Date.now() - started).toBeLessThan(1900);
  });

  it('prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.stdout).toBe(`${(require('../../package.json') as { version: string }).version}\n`);
  });
});

describe('CLI: JSON documents', () => {
  it('check --json and drill --json start with their schemaVersion (the drill report is at 2)', async () => {
    const check = await run(['check', '--sentinels', sentinel, '--master', 'm', '--json']);
    const drill = await run(['drill', '--sentinels', sentinel, '--master', 'm', '--dry-run', '--json']);
    for (const [r, version] of [
      [check, 1],
      [drill, 2],
    ] as const) {
      expect(r.stdout).toMatch(new RegExp(`^\\{"schemaVersion":${version},`));
      expect((JSON.parse(r.stdout) as { schemaVersion: number }).schemaVersion).toBe(version);
    }
  });

  it('silence list --json and doctor --json start every line with schemaVersion 1', async () => {
    // Prepare: a silence in a local file; a doctor that cannot reach CloudFormation (refused port)
    const file = join(work, 'silences.json');
    const add = await run([
      'silence',
      'add',
      '--silence-file',
      file,
      '--deployment',
      'd',
      '--for',
      '1h',
      '--reason',
      'r',
    ]);
    expect(add.code).toBe(0);
    const aws = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_CLOUDFORMATION: `http://${sentinel}`,
    };

    // Act
    const list = await run(['silence', 'list', '--silence-file', file, '--json']);
    const doctor = await run(['doctor', '--stack', 'S', '--json'], aws);

    // Assess
    expect(list.code).toBe(0);
    expect(doctor.code).toBe(2);
    for (const r of [list, doctor]) {
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toMatch(/^\{"schemaVersion":1,/);
    }
    expect(JSON.parse(doctor.stdout)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('watch --json prints one notification per line, each with schemaVersion 1, and takes --interval 1s', async () => {
    // Prepare: a deployment whose only sentinel refuses connections opens alerts on the first poll
    const child = spawn(
      process.execPath,
      [bundle, 'watch', '--sentinels', sentinel, '--master', 'm', '--interval', '1s', '--json'],
      { env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = captureOutput(child);

    // Act: wait for the first notification, then Ctrl-C
    const deadline = Date.now() + 20_000;
    while (!output.stdout().includes('\n') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    const stdout = output.stdout();
    const stderr = output.stderr();

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('every 1s');
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ schemaVersion: 1, type: 'opened' });
    expect(stdout + stderr).not.toContain(ESC);
  });
});

describe('CLI: AWS SDK noise', () => {
  it('history shows the DynamoDB failure without the SDK Node version warning', async () => {
    const r = await run(['history', '--table', 't', '--deployment', 'd'], {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: `http://${sentinel}`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
  });
});
