// `npm run bench:limits`: what a hostile or broken server costs the watcher, with the byte budget
// (maxReplyBytes) and without it (how every version before it behaved), and the real reply sizes the
// default budget is chosen from. Each hostile case runs in a fresh Node process whose peak RSS
// (getrusage maxrss) is read when it ends; the fake servers live in this process, so their memory does
// not count. Real sizes come from a real 1+2+3 topology on ports 8800-8802 / 28800-28802, stopped on
// exit. Table on stdout, everything in bench/results/limits.json.
//
//   npm run bench:limits [-- --quick]      (--quick: no 10 s cases, no real topology)

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { LocalTopology, waitFor } from '../cli/local/topology';
import { runBatch } from '../lambdas/adapters/redis-batch';
import type { RedisCommand } from '../lambdas/core/batch';
import { parseWatchConfig } from '../lambdas/core/config';
import { DEFAULT_MAX_REPLY_BYTES, MAX_NODES, MAX_SENTINELS } from '../lambdas/core/limits';
import { classifyError } from '../lambdas/core/probe-error';
import { nodeCommands, sentinelCommands } from '../lambdas/core/read-server';
import { pollDeployment } from '../lambdas/probe/poll-deployment';
import { endlessBulkString, FakeServers } from '../test/support/fake-resp-server';
import { renderTable } from './stats';

const RESULTS = path.join(__dirname, 'results', 'limits.json');
const TOPOLOGY_PORT = 8800;
const MiB = 1024 * 1024;

// -- the child: one probe against the given servers, then its peak RSS ----------------------------

interface ChildResult {
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  readonly ms: number;
  readonly outcome: string;
}

/** Runs in the child process: `--child <json>`. */
async function child(spec: {
  ports: number[];
  timeoutMs: number;
  maxReplyBytes: number | null;
  poll: boolean;
}): Promise<ChildResult> {
  const baselineRssMiB = process.memoryUsage().rss / MiB;
  const maxReplyBytes = spec.maxReplyBytes ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  let outcome: string;
  if (spec.poll) {
    // A whole deployment: the first MAX_SENTINELS ports as sentinels, the rest as nodes.
    const [deployment] = parseWatchConfig({
      deployments: [
        {
          masterName: 'mymaster',
          sentinels: spec.ports.slice(0, MAX_SENTINELS).map((p) => `127.0.0.1:${p}`),
          nodes: spec.ports.slice(MAX_SENTINELS).map((p) => `127.0.0.1:${p}`),
          expectedSentinels: 3,
          timeoutMs: spec.timeoutMs,
          ...(spec.maxReplyBytes ? { maxReplyBytes: spec.maxReplyBytes } : {}),
        },
      ],
    }).deployments;
    const s = await pollDeployment(deployment, {}, { runBatch, now: Date.now });
    const classes = [...s.sentinels, ...s.nodes].map((x) => x.error?.class ?? 'ok');
    outcome = [...new Set(classes)].map((c) => `${classes.filter((x) => x === c).length}x ${c}`).join(', ');
  } else {
    const o = await runBatch(
      { host: '127.0.0.1', port: spec.ports[0], tls: false },
      [['INFO']],
      spec.timeoutMs,
      {
        maxReplyBytes,
      },
    );
    const error = o.error ?? o.replies.find((r) => !r.ok)?.error ?? null;
    outcome = error ? classifyError(error) : 'ok';
  }
  const ms = performance.now() - started;
  return { baselineRssMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024, ms, outcome };
}

function runChild(spec: Parameters<typeof child>[0]): Promise<ChildResult> {
  const proc = spawn(process.execPath, [...process.execArgv, __filename, '--child', JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return once(proc, 'exit').then(() => JSON.parse(out) as ChildResult);
}

// -- the hostile servers ---------------------------------------------------------------------------

const fakes = new FakeServers();

const INFO_50MB = Buffer.alloc(50 * 1000 * 1000, 'a');
const NESTED = Buffer.from(`${'*1\r\n'.repeat(2_000_000)}:1\r\n`);

interface Case {
  readonly name: string;
  readonly behave: (socket: Socket) => void;
  readonly servers: number;
  readonly timeoutMs: number;
  readonly slow?: boolean;
}

const CASES: readonly Case[] = [
  {
    name: '50 MB INFO',
    behave: (s) =>
      s.write(Buffer.concat([Buffer.from(`$${INFO_50MB.length}\r\n`), INFO_50MB, Buffer.from('\r\n')])),
    servers: 1,
    timeoutMs: 5000,
  },
  { name: 'endless bulk string, 1 s deadline', behave: endlessBulkString, servers: 1, timeoutMs: 1000 },
  {
    name: 'endless bulk string, 10 s deadline',
    behave: endlessBulkString,
    servers: 1,
    timeoutMs: 10_000,
    slow: true,
  },
  { name: '2,000,000-deep nested array', behave: (s) => s.write(NESTED), servers: 1, timeoutMs: 5000 },
  {
    name: `deployment poll, all ${MAX_SENTINELS + MAX_NODES} servers endless, 1 s`,
    behave: endlessBulkString,
    servers: MAX_SENTINELS + MAX_NODES,
    timeoutMs: 1000,
  },
];

interface Row {
  readonly case: string;
  readonly budget: string;
  readonly result: ChildResult;
}

// -- real reply sizes --------------------------------------------------------------------------------

interface Sizes {
  readonly master: number;
  readonly replica: number;
  readonly sentinel: number;
  readonly sentinelWith100Peers: number;
  readonly peersKnown: number;
}

/** Bytes of each real batch (Redis as on PATH), and of a sentinel that knows 100 (fake) peers. */
/** The running topology, stopped on Ctrl-C as well. */
let running: LocalTopology | null = null;

async function realSizes(log: (line: string) => void): Promise<Sizes> {
  const topo = await LocalTopology.up({ basePort: TOPOLOGY_PORT });
  running = topo;
  try {
    const t = (port: number, password?: string) => ({
      host: '127.0.0.1',
      port,
      tls: false,
      ...(password ? { password } : {}),
    });
    const bytes = async (port: number, commands: readonly RedisCommand[], password?: string) =>
      (await runBatch(t(port, password), commands, 2000)).bytesRead ?? 0;
    const master = await bytes(topo.dataPorts[0], nodeCommands('d'), topo.password);
    const replica = await bytes(topo.dataPorts[1], nodeCommands('d'), topo.password);
    const sentinel = await bytes(topo.sentinelPorts[0], sentinelCommands('mymaster'));
    // Sentinels learn peers from hello messages on the master's __sentinel__:hello channel.
    log('announcing 100 fake sentinels on the master');
    const admin = new Redis({
      port: topo.dataPorts[0],
      password: topo.password,
      protocol: 2,
      lazyConnect: true,
    });
    await admin.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const runId = i.toString(16).padStart(4, '0').repeat(10);
        await admin.publish(
          '__sentinel__:hello',
          `10.99.0.${i},26379,${runId},1,mymaster,127.0.0.1,${topo.dataPorts[0]},0`,
        );
      }
    } finally {
      admin.disconnect();
    }
    const peers = await waitFor(
      async () => {
        const o = await runBatch(t(topo.sentinelPorts[0]), [['SENTINEL', 'SENTINELS', 'mymaster']], 2000);
        const reply = o.replies[0];
        return reply?.ok && Array.isArray(reply.value) && reply.value.length >= 100
          ? reply.value.length
          : undefined;
      },
      10_000,
      'the sentinel to know 100 more peers',
    );
    const sentinelWith100Peers = await bytes(topo.sentinelPorts[0], sentinelCommands('mymaster'));
    return { master, replica, sentinel, sentinelWith100Peers, peersKnown: peers };
  } finally {
    running = null;
    await topo.down();
  }
}

// -- config --------------------------------------------------------------------------------------------

function configRejection(): { ms: number; error: string } {
  const sentinels = Array.from(
    { length: 100_000 },
    (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:26379`,
  );
  const started = performance.now();
  try {
    parseWatchConfig({ deployments: [{ masterName: 'm', sentinels }] });
    return { ms: performance.now() - started, error: 'accepted' };
  } catch (error) {
    return { ms: performance.now() - started, error: (error as Error).message };
  }
}

// -- main ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' } }, strict: true });
  const log = (line: string) => process.stderr.write(`[bench:limits] ${line}\n`);
  const rows: Row[] = [];
  try {
    for (const c of CASES) {
      if (c.slow && values.quick) continue;
      const ports = await Promise.all(Array.from({ length: c.servers }, () => fakes.start(c.behave)));
      const poll = c.servers > 1;
      // A whole deployment without a budget would take gigabytes: only the single-server cases run both ways.
      for (const maxReplyBytes of poll ? [DEFAULT_MAX_REPLY_BYTES] : [null, DEFAULT_MAX_REPLY_BYTES]) {
        const budget = maxReplyBytes === null ? 'none (before)' : `${maxReplyBytes / MiB} MiB`;
        log(`${c.name}, budget ${budget}`);
        const result = await runChild({ ports, timeoutMs: c.timeoutMs, maxReplyBytes, poll });
        rows.push({ case: c.name, budget, result });
        fakes.hangUp();
      }
    }
  } finally {
    fakes.close();
  }
  const config = configRejection();
  const sizes = values.quick ? null : await realSizes(log);

  const machine = `Node ${process.version}, ${new Date().toISOString()}`;
  const out = [
    `sentinel-watch bench:limits (${machine})`,
    '',
    'One hostile server (or deployment), peak RSS of a fresh Node process (baseline = after loading the code)',
    renderTable(
      ['case', 'budget', 'outcome', 'time, ms', 'baseline MiB', 'peak MiB', 'peak - baseline MiB'],
      rows.map((r) => [
        r.case,
        r.budget,
        r.result.outcome,
        r.result.ms.toFixed(0),
        r.result.baselineRssMiB.toFixed(0),
        r.result.peakRssMiB.toFixed(0),
        (r.result.peakRssMiB - r.result.baselineRssMiB).toFixed(0),
      ]),
    ),
    '',
    `Config with 100,000 sentinels: rejected in ${config.ms.toFixed(1)} ms (${config.error})`,
  ];
  if (sizes) {
    out.push(
      '',
      'Real batches (bytes received, Redis on PATH): ' +
        `master ${sizes.master}, replica ${sizes.replica}, sentinel ${sizes.sentinel}, ` +
        `sentinel knowing ${sizes.peersKnown} peers ${sizes.sentinelWith100Peers} ` +
        `(the default budget is ${(DEFAULT_MAX_REPLY_BYTES / sizes.sentinelWith100Peers).toFixed(0)}x that)`,
    );
  }
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify({ version: 1, machine, rows, config, sizes }, null, 2)}\n`);
  process.stdout.write(`${out.join('\n')}\n`);
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  child(JSON.parse(process.argv[childAt + 1])).then(
    (r) => {
      process.stdout.write(JSON.stringify(r));
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`child: ${String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping\n`);
      (running?.down() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench:limits: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
