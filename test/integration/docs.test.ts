// The docs' commands, run as a reader would run them, against a real local topology (data nodes on
// 7900-7902, sentinels on 27900-27902, /metrics on 7960): each command exactly as README.md or
// docs/*.md shows it, with only the local topology's ports moved, through bash, with `sentinel-watch`
// on PATH as the built CLI bundle. Where the docs show output, the fresh run's output must still read
// the same (times, ids, ports, paths and numbers normalised: test/docs-support/markdown.ts).
// test/docs-support/doc-commands.ts lists every documented command and which suite runs it.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTopology, waitFor } from '../../cli/local/topology';
import { bash, installCliShim, readerEnv, type ShellResult } from '../docs-support/cli-shim';
import { onPorts } from '../docs-support/doc-commands';
import {
  commandsIn,
  type DocCommand,
  fencedBlocks,
  firstMismatch,
  REPO,
  readDoc,
  shellWords,
} from '../docs-support/markdown';

const BASE = 7900;
const METRICS_PORT = 7960;
const PASSWORD = 'sentinel-watch-local'; // the local topology's fixed password, as the docs show it

const tmp = mkdtempSync(join(tmpdir(), 'sw-docs-'));
const shims = join(tmp, 'bin');
/** The reader's environment: the CLI on PATH, the topology's state under our own TMPDIR. */
const env: NodeJS.ProcessEnv = {
  ...readerEnv(),
  PATH: `${shims}:${process.env.PATH}`,
  TMPDIR: tmp,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

let topology: LocalTopology | undefined;
const children = new Set<ChildProcess>();

/** One documented command, as shown (ports moved), through bash. */
function sh(command: string, cwd = REPO): Promise<ShellResult> {
  return bash(onPorts(command, BASE), { cwd, env });
}

/** A long-running documented command (watch), started without a shell so SIGTERM reaches it. */
function start(command: string, cwd = REPO) {
  const { env: assigned, words } = shellWords(onPorts(command, BASE));
  const child = spawn(words[0], words.slice(1), { cwd, env: { ...env, ...assigned } });
  children.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    child.kill('SIGTERM');
    const code = await exited;
    children.delete(child);
    return code;
  };
  return { out, stop };
}

/** The documented command of `file` that starts with `prefix` (there must be exactly one). */
function documented(file: string, prefix: string): DocCommand {
  const found = commandsIn(file, readDoc(file)).filter((c) => c.command.startsWith(prefix));
  expect(found.map((c) => c.command)).toHaveLength(1);
  return found[0];
}

/** SW_DOCS_OUTPUT_DIR=dir keeps each run's output there, to compare by eye with the docs. */
function keep(name: string, text: string): void {
  const dir = process.env.SW_DOCS_OUTPUT_DIR;
  if (dir) writeFileSync(join(dir, `${name}.txt`), text);
}

/** The output a doc shows must still be what the command prints (undefined: it matches). */
function expectReadsAsDocumented(doc: readonly string[], actual: string): void {
  expect({ firstLineNotFound: firstMismatch(doc, actual.split('\n')), actual }).toEqual({
    firstLineNotFound: undefined,
    actual,
  });
}

beforeAll(async () => {
  // `sentinel-watch` as installed: the bundle package.json's bin names, built from these sources.
  await installCliShim(tmp);
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // Whatever a failed step left running: stop exactly the PIDs the topology recorded.
  if (topology && LocalTopology.exists(topology.dir)) await topology.down();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('the commands of README.md and docs/*.md, on a real topology', () => {
  const check = 'REDIS_PASSWORD=sentinel-watch-local npm run --silent cli -- check';

  it('README: `local up` starts the topology and says so as shown', async () => {
    const cmd = documented('README.md', 'npm run --silent cli -- local up');
    const r = await sh(cmd.command);
    keep('local-up', r.stdout);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expectReadsAsDocumented(cmd.output, r.stdout);
    topology = await LocalTopology.load(join(tmp, `sentinel-watch-local-${BASE}`));
    expect(topology.dataPorts).toEqual([BASE, BASE + 1, BASE + 2]);
  });

  it('README and docs/cli.md: `check` of the healthy topology prints what they show, exit 0', async () => {
    const readme = documented('README.md', check);
    const cli = documented('docs/cli.md', check);
    expect(cli.command).toBe(readme.command);
    const r = await sh(readme.command);
    keep('check', r.stdout);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expectReadsAsDocumented(readme.output, r.stdout);
    expectReadsAsDocumented(cli.output, r.stdout);
  });

  it('docs/cli.md: `check --json` carries schemaVersion 1, as the jq line checks', async () => {
    const cmd = documented(
      'docs/cli.md',
      'REDIS_PASSWORD=sentinel-watch-local sentinel-watch check --sentinels 127.0.0.1:26400 --master mymaster --json',
    );
    const jq = await sh('command -v jq');
    // CI's fresh Debian has no jq: there the left side runs alone and the same test is made here.
    const r = await sh(jq.code === 0 ? cmd.command : cmd.command.replace(/ \| jq .*$/, ''));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    if (jq.code === 0) expect(r.stdout.trim()).toBe('true');
    else expect((JSON.parse(r.stdout) as { schemaVersion: number }).schemaVersion).toBe(1);
  });

  it('docs/cli.md: with a replica killed, `check` exits 1 and ends as shown', async () => {
    const block = fencedBlocks('docs/cli.md', readDoc('docs/cli.md')).find((b) =>
      b.intro.startsWith('With a replica killed'),
    );
    await topology!.kill(BASE + 2);
    const r = await sh(documented('docs/cli.md', check).command);
    keep('check-replica-killed', r.stdout);
    expect(r.code).toBe(1);
    expectReadsAsDocumented(block!.lines, r.stdout);
    // Back to healthy before the next steps.
    await topology!.restart(BASE + 2);
    await waitFor(
      async () => (await sh(documented('docs/cli.md', check).command)).code === 0,
      30_000,
      'healthy',
    );
  });

  it('docs/prometheus.md: `watch --metrics-listen` serves the documented metrics, curl reads them', async () => {
    const doc = readDoc('docs/prometheus.md');
    const cmd = documented('docs/prometheus.md', 'REDIS_PASSWORD=... sentinel-watch watch');
    writeFileSync(
      join(tmp, 'deployments.json'),
      JSON.stringify({
        deployments: [
          {
            name: 'orders-cache',
            masterName: 'mymaster',
            sentinels: topology!.sentinelAddresses,
            passwordEnv: 'REDIS_PASSWORD',
          },
        ],
      }),
    );
    const command = cmd.command
      .replace('REDIS_PASSWORD=...', `REDIS_PASSWORD=${PASSWORD}`)
      .replace('9464', String(METRICS_PORT));
    const watch = start(command, tmp);
    // The block's comment says what stderr shows.
    await waitFor(
      () => watch.out.stderr.includes(`metrics at http://127.0.0.1:${METRICS_PORT}/metrics`),
      15_000,
      'metrics line',
    );
    const curl = documented('docs/prometheus.md', 'curl').command.replace('9464', String(METRICS_PORT));
    const body = await waitFor(
      async () => {
        const r = await sh(curl);
        return r.code === 0 && r.stdout.includes('sentinel_watch_master_known{') ? r.stdout : undefined;
      },
      15_000,
      'a first poll in /metrics',
    );
    keep('metrics', body);
    const served = new Set([...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const listed = new Set([...doc.matchAll(/^\| `(sentinel_watch_\w+)` \|/gm)].map((m) => m[1]));
    // A family's TYPE line names it without the _total (counter) or _info (info) its samples carry.
    const family = (m: string) => m.replace(/_(total|info)$/, '');
    const documentedFamilies = new Set([...listed].map(family));
    expect([...served].filter((f) => !documentedFamilies.has(f))).toEqual([]);
    expect([...documentedFamilies].filter((f) => !served.has(f))).toEqual([]);
    expect(await watch.stop()).toBe(0);
  }, 60_000);

  it('docs/cli.md: `watch` reports a kill -9 of the master as shown, and nothing it does not show', async () => {
    const cmd = documented('docs/cli.md', 'REDIS_PASSWORD=sentinel-watch-local sentinel-watch watch');
    const watch = start(cmd.command);
    await waitFor(() => watch.out.stderr.includes('watching mymaster'), 15_000, 'watch to start');
    const status = await topology!.status();
    const master = status.processes.find((p) => p.kind === 'data' && p.role === 'master')!;
    await topology!.kill(master.port);
    try {
      // The old master, named as a replica once the switch is through, is the documented last line.
      await waitFor(
        () => watch.out.stdout.includes(`REPLICA_UNREACHABLE node 127.0.0.1:${master.port}`),
        30_000,
        'the switch and the old master reported',
      );
      expect(await watch.stop()).toBe(0);
      keep('watch', watch.out.stdout);
      expectReadsAsDocumented(cmd.output, watch.out.stdout);
      // Exactly the documented notifications: no MASTER_UNREACHABLE or FAILOVER_IN_PROGRESS inside
      // their grace periods. On a mismatch, what watch printed is in the error (nothing else keeps it).
      const headline = (text: string) =>
        [...text.matchAll(/^\S+ \[([A-Z]+(?: [a-z]+)?)\] \S+ ([A-Z_]+)/gm)].map((m) => `${m[1]} ${m[2]}`);
      const printed = headline(watch.out.stdout);
      const shown = headline(cmd.output.join('\n'));
      if (JSON.stringify(printed) !== JSON.stringify(shown)) {
        throw new Error(
          `watch printed ${JSON.stringify(printed)}, docs/cli.md shows ${JSON.stringify(shown)}; its output:\n${watch.out.stdout}`,
        );
      }
    } finally {
      // The old master back, as a replica once Sentinel converts it (~10 s), before the drill's
      // preflight: also when this test failed, so that the next one starts from a healthy topology.
      await topology!.restart(master.port);
      await waitFor(
        async () => (await sh(documented('docs/cli.md', check).command)).code === 0,
        40_000,
        'healthy',
      );
    }
  }, 90_000);

  // Last before down: the drill's writers leave errors on the old master (CLIENTS_WRITING_TO_REPLICA)
  // that a watch started after it would report.
  it('docs/drill.md: a drill works, fails its default pass criteria on the unprotected topology, and reports as shown', async () => {
    const cmd = documented('docs/drill.md', 'REDIS_PASSWORD=sentinel-watch-local sentinel-watch drill');
    const r = await sh(cmd.command);
    keep('drill', r.stdout);
    // Progress goes to stderr, the report to stdout; exit 1: a pass criterion failed (split brain).
    expect(r.code).toBe(1);
    expectReadsAsDocumented(cmd.output, r.stdout);
  }, 90_000);

  it('README: `local down` stops every process the topology started', async () => {
    const pids = topology!.processes.map((p) => p.pid);
    const r = await sh(documented('README.md', 'npm run --silent cli -- local down').command);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    // A stopped server nobody reaped yet is a zombie: gone for the reader.
    const running = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    expect(pids.filter(running)).toEqual([]);
  });
});
