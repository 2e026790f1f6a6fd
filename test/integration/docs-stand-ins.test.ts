// The docs' commands that need no Redis server, run as shown: the on-call silences of docs/on-call.md
// against dynalite standing in for the stack's DynamoDB table, and the version matrix's plan of
// docs/versions.md. No redis-server is started, so this suite needs no lock. The commands that need a
// topology are in docs.test.ts; test/docs-support/doc-commands.ts says which suite runs which command.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { bash, installCliShim, readerEnv, type ShellResult } from '../docs-support/cli-shim';
import { DOC_COMMANDS } from '../docs-support/doc-commands';
import { commandsIn, fencedBlocks, firstMismatch, REPO, readDoc } from '../docs-support/markdown';

const tmp = mkdtempSync(join(tmpdir(), 'sw-docs-stand-ins-'));
const shims = join(tmp, 'bin');
/** The table the commands name, in dynalite. */
const tables = new Map<string, EmbeddedDynamo>();

function sh(command: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ShellResult> {
  const env = {
    ...readerEnv(),
    PATH: `${shims}:${process.env.PATH}`,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extraEnv,
  };
  return bash(command, { cwd: REPO, env });
}

/** A silence command, pointed at the dynalite that holds the table it names. */
function silence(command: string): Promise<ShellResult> {
  const table = /--table (\S+)/.exec(command)![1];
  const dynamo = tables.get(table)!;
  return sh(command, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
}

const onCall = commandsIn('docs/on-call.md', readDoc('docs/on-call.md'));

beforeAll(async () => {
  await installCliShim(tmp);
  for (const name of ['SentinelWatch-StorageTable-1A2B3C']) tables.set(name, await startEmbeddedDynamo(name));
}, 120_000);

afterAll(async () => {
  for (const dynamo of tables.values()) await dynamo.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('docs/on-call.md: silences in the stack table', () => {
  it('runs every silence command as shown, and `add` answers as the comment under it says', async () => {
    const block = fencedBlocks('docs/on-call.md', readDoc('docs/on-call.md')).find((b) =>
      b.lines.some((l) => l.startsWith('sentinel-watch silence add')),
    )!;
    // The documented answer to the first add, shown as a comment.
    const answer = block.lines.filter((l) => /^# s-[0-9a-f]{10}:/.test(l)).map((l) => l.slice(2));
    const hint = block.lines.filter((l) => l.startsWith('# End it early:')).map((l) => l.slice(2));
    expect([answer.length, hint.length]).toEqual([1, 1]);
    const adds = onCall.filter((c) => c.command.startsWith('sentinel-watch silence add'));
    expect(adds.length).toBeGreaterThanOrEqual(3);
    const ids: string[] = [];
    for (const [i, c] of adds.entries()) {
      expect(DOC_COMMANDS[c.command]).toEqual({ how: 'run', by: 'test/integration/docs-stand-ins.test.ts' });
      // --start must lie within the next 30 days: the documented date is an example, tomorrow stands in.
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const r = await silence(c.command.replace(/--start \d{4}-\d\d-\d\d/, `--start ${tomorrow}`));
      expect({ command: c.command, code: r.code }).toEqual({ command: c.command, code: 0 });
      if (i === 0) {
        // The answer on stdout, the hint on how to end it on stderr, as the comments under it show.
        expect(firstMismatch(answer, r.stdout.split('\n'))).toBeUndefined();
        expect({ mismatch: firstMismatch(hint, r.stderr.split('\n')), stderr: r.stderr }).toEqual({
          mismatch: undefined,
          stderr: r.stderr,
        });
      }
      ids.push(/^(s-[0-9a-f]{10}):/.exec(r.stdout)![1]);
    }
    const list = await silence(
      onCall.find((c) => c.command.startsWith('sentinel-watch silence list'))!.command,
    );
    expect(list.code).toBe(0);
    for (const id of ids) expect(list.stdout).toContain(id);
    // The documented id is an example: remove the first one this run made.
    const remove = onCall.find((c) => c.command.startsWith('sentinel-watch silence remove'))!.command;
    const removed = await silence(remove.replace(/s-[0-9a-f]{10}/, ids[0]));
    expect({ code: removed.code, stderr: removed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(removed.stdout).toContain(`${ids[0]}: ended`);
  }, 60_000);
});

describe('docs/cli.md: help and version, however the CLI is run', () => {
  it('prints help and the version, exit 0, nothing on stderr', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const shown = commandsIn('docs/cli.md', readDoc('docs/cli.md')).filter((c) =>
      /(--help|--version|help local)$/.test(c.command),
    );
    expect(shown.length).toBeGreaterThanOrEqual(8);
    for (const c of shown) {
      expect(DOC_COMMANDS[c.command]).toEqual({ how: 'run', by: 'test/integration/docs-stand-ins.test.ts' });
      // The checkout's own dist/ may be missing or stale: the suite's fresh bundle stands in for it.
      const r = await sh(
        c.command.replace('node dist/sentinel-watch.cjs', `node ${join(tmp, 'sentinel-watch.cjs')}`),
      );
      expect({ command: c.command, code: r.code, stderr: r.stderr }).toEqual({
        command: c.command,
        code: 0,
        stderr: '',
      });
      if (c.command.endsWith('--version')) expect(r.stdout.trim()).toBe(version);
      else expect(r.stdout).toMatch(/^Usage: sentinel-watch /m);
    }
  }, 120_000);
});

describe('docs/versions.md: the version matrix', () => {
  it('prints its plan with --list: every build and the mixed deployment', async () => {
    const c = commandsIn('docs/versions.md', readDoc('docs/versions.md')).find((x) =>
      x.command.endsWith('--list'),
    )!;
    const r = await sh(c.command);
    expect(r.code).toBe(0);
    for (const build of ['redis-5.0.14', 'redis-6.2.16', 'redis-7.2.6', 'valkey-8.0.1', 'mixed']) {
      expect(r.stdout).toMatch(new RegExp(`^${build}: \\S+\\.test\\.ts`, 'm'));
    }
  }, 60_000);
});
