// `npm run bench`: poll latency, detection latency, drills and Lambda bundles, measured on this
// machine against a real local topology (ports 7400-7499 and 27400-27499). Progress goes to stderr,
// the table to stdout, everything to bench/results/latest.json. Every process it starts is stopped on
// exit, on error and on Ctrl-C (a second Ctrl-C kills them at once).
//
//   npm run bench [-- --quick] [-- --only poll,detect,drill,bundles]
//   npm run bench -- --fleet [--quick]    fleet scale (bench/fleet): 1,000 simulated deployments, a real
//                                         fleet of 100 masters (ports 9000-9299), cost; run it under
//                                         flock /tmp/sw-integration.lock (it starts redis-servers)

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureRedisServer } from '../cli/local/redis-server-binary';
import { LocalTopology, processOwnership, stateFilePath } from '../cli/local/topology';
import { type BundleResult, benchBundles } from './bundles';
import { benchDetect, type DetectResult } from './detect';
import { benchDrill, DRILL_METRICS, type DrillResult, pendingDrill } from './drill';
import { benchFleet, FLEET_PLANS, renderFleet } from './fleet';
import { Lab } from './lab';
import { benchPoll, type PollResult } from './poll';
import { cell, renderTable } from './stats';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results', 'latest.json');
const FLEET_RESULTS = path.join(ROOT, 'bench', 'results', 'fleet.json');
const SECTIONS = ['poll', 'detect', 'drill', 'bundles'] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `Usage: npm run bench [-- --quick] [-- --only ${SECTIONS.join(',')}]
       npm run bench -- --fleet [--quick]

  --quick        fewer iterations (a smoke run, ~1 min; with --fleet ~4 min)
  --only LIST    comma-separated sections to run (default: all)
  --fleet        fleet scale instead: 1,000 SIMULATED deployments in shards, a real fleet of three
                 sentinels monitoring 100 masters, the handover between runs, and the cost
                 (results in bench/results/fleet.json; run it under flock /tmp/sw-integration.lock)
  -h, --help     this text`;

const PLANS = {
  full: {
    poll: {
      warmup: 20,
      iterations: 250,
      naiveIterations: 200,
      naiveMinIterations: 50,
      naiveBudgetMs: 20_000,
      deploymentCounts: [1, 5, 10],
    },
    detect: { kills: 6, eventsIntervalMs: 10_000, pollingIntervalMs: 10_000 },
    drill: { drills: 3 },
    bundles: { runs: 15 },
  },
  quick: {
    poll: {
      warmup: 5,
      iterations: 30,
      naiveIterations: 10,
      naiveMinIterations: 5,
      naiveBudgetMs: 3_000,
      deploymentCounts: [1, 5, 10],
    },
    detect: { kills: 2, eventsIntervalMs: 10_000, pollingIntervalMs: 5_000 },
    drill: { drills: 1 },
    bundles: { runs: 3 },
  },
} as const;

const benchStarted = Date.now();
const log = (line: string): void => {
  const s = ((Date.now() - benchStarted) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${s}s] ${line}\n`);
};

// -- cleanup ------------------------------------------------------------------------------------

let lab: Lab | null = null;
/** Emergency stops registered by the fleet bench (its simulator and real fleet). */
const fleetStops: (() => void)[] = [];
/** Set while the topology starts: its state file has the PIDs before `Lab.start` returns. */
let startingDir: string | null = null;
let stopping = false;

async function cleanup(): Promise<void> {
  const current = lab;
  const dir = startingDir;
  lab = null;
  if (current) {
    log('stopping every process the bench started');
    await current.stop();
  } else if (dir && LocalTopology.exists(dir)) {
    log('stopping the topology being started');
    await (await LocalTopology.load(dir)).down();
    await rm(path.dirname(dir), { recursive: true, force: true });
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    process.stderr.write(`\n${signal} again: killing the bench's processes now\n`);
    lab?.killAllSync();
    killStartingSync();
    for (const stop of fleetStops) stop();
    process.exit(130);
  }
  stopping = true;
  process.stderr.write(`\n${signal}: stopping (again to kill at once)\n`);
  cleanup().then(
    () => process.exit(130),
    (error: unknown) => {
      process.stderr.write(`cleanup failed: ${String(error)}\n`);
      lab?.killAllSync();
      process.exit(130);
    },
  );
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
/** Last resort for a topology still starting: SIGKILL the PIDs its state file records, if still ours. */
function killStartingSync(): void {
  if (!startingDir) return;
  try {
    const state = JSON.parse(readFileSync(stateFilePath(startingDir), 'utf8')) as {
      processes?: { pid: number; config: string; dataDir?: string }[];
    };
    for (const p of state.processes ?? []) {
      const o = processOwnership(p.pid, p.config, p.dataDir);
      if (o === 'ours' || o === 'frozen') process.kill(p.pid, 'SIGKILL');
    }
  } catch {
    // no state file: nothing was started
  }
}

process.on('exit', () => {
  for (const stop of fleetStops) stop();
  lab?.killAllSync();
  killStartingSync();
});

// -- machine ------------------------------------------------------------------------------------

interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly redis: string;
  readonly os: string;
  readonly loadAverage: readonly number[];
  readonly date: string;
  readonly commit: string | null;
}

/**
 * redis-server processes that are not the bench's (others' tests share this machine): a run while
 * they are busy is slower and its figures are flagged. Linux only (procfs); elsewhere 0.
 */
function otherRedisServers(): number {
  let n = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (/redis-server/.test(cmd) && !/127\.0\.0\.1:2?74\d\d\b/.test(cmd)) n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
}

const others: { at: string; section: string; count: number }[] = [];
function noteOthers(section: string): void {
  const count = otherRedisServers();
  others.push({ at: new Date().toISOString(), section, count });
  if (count > 0) {
    log(
      `warning: ${count} other redis-server processes are running (someone's tests?): figures may be disturbed`,
    );
  }
}

function machineInfo(redisServer: string | null): Machine {
  const cpus = os.cpus();
  let redis = 'not found';
  if (redisServer) {
    const text = execFileSync(redisServer, ['--version'], { encoding: 'utf8' });
    redis = /v=(\S+)/.exec(text)?.[1] ?? text.trim();
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    commit = null;
  }
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    redis,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
    commit,
  };
}

// -- output -------------------------------------------------------------------------------------

interface Results {
  poll?: PollResult;
  detect?: DetectResult;
  drill?: DrillResult;
  bundles?: BundleResult;
}

function render(machine: Machine, results: Results, mode: string, durationMs: number): string {
  const out: string[] = [];
  out.push(
    `sentinel-watch bench (${mode}, ${Math.round(durationMs / 1000)} s) on ${machine.cpuModel}, ${machine.cores} cores, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${machine.redis}, ${machine.date}`,
  );
  const { poll, detect, drill, bundles } = results;
  if (poll) {
    out.push(
      '',
      'Poll latency, ms (all deployments polled in parallel; naive: one command per fresh connection, sequential)',
    );
    out.push(
      renderTable(
        [
          'deployments',
          'conns',
          'n',
          'p50',
          'p95',
          'p99',
          'max',
          'naive conns',
          'naive n',
          'naive p50',
          'naive p95',
          'x p50',
        ],
        poll.rows.map((r) => [
          String(r.deployments),
          String(r.connections),
          String(r.poll.n),
          cell(r.poll.p50),
          cell(r.poll.p95),
          cell(r.poll.p99),
          cell(r.poll.max),
          String(r.naiveConnections),
          String(r.naive.n),
          cell(r.naive.p50),
          cell(r.naive.p95),
          `${cell(r.speedupP50)}x`,
        ]),
      ),
    );
    const errors = poll.rows.filter((r) => r.pollErrors + r.naiveErrors > 0);
    for (const r of errors) {
      out.push(
        `  note: ${r.deployments} deployment(s): ${r.pollErrors} polls and ${r.naiveErrors} naive passes had a server error`,
      );
    }
    out.push(`  goal: ${poll.goal.text}`);
  }
  if (detect) {
    const iv = (ms: number) => `${ms / 1000} s`;
    out.push('', `Detection latency, ms (${detect.kills.length} kill -9 of the master)`);
    out.push(
      renderTable(
        ['', 'n', 'p50', 'mean', 'max'],
        [
          ['kill -> +switch-master', detect.killToSwitch],
          [
            `+switch-master -> MASTER_CHANGED, events (interval ${iv(detect.options.eventsIntervalMs)})`,
            detect.events,
          ],
          [
            `+switch-master -> MASTER_CHANGED, polling every ${iv(detect.options.pollingIntervalMs)}`,
            detect.polling,
          ],
        ].map(([label, s]) => {
          const x = s as DetectResult['events'];
          return [label as string, String(x.n), cell(x.p50, 0), cell(x.mean, 0), cell(x.max, 0)];
        }),
      ),
    );
    out.push(
      `  polling expectation: the switch lands at a uniform point of the interval, so MASTER_CHANGED comes ` +
        `interval/2 = ${detect.options.pollingIntervalMs / 2} ms later on average, at most one interval; ` +
        `each kill's delay matched interval - (switch phase) within ${detect.pollingModelErrorMs ?? '?'} ms`,
    );
    const spurious = detect.kills.filter((k) => k.switches > 1).length;
    if (spurious > 0) out.push(`  note: ${spurious} kill(s) were followed by more than one +switch-master`);
    out.push(`  goal: ${detect.goal.text}`);
  }
  if (drill) {
    out.push('', `Drill (${drill.drills.length} drills, SENTINEL FAILOVER, no failback)`);
    if (drill.status === 'pending') {
      out.push(`  pending: ${drill.reason}`);
    } else {
      out.push(
        renderTable(
          ['', 'n', 'median', 'max'],
          DRILL_METRICS.map(([name, label, unit]) => {
            const s = drill.stats[name];
            return [`${label}, ${unit}`, String(s.n), cell(s.median, 0), cell(s.max, 0)];
          }),
        ),
      );
      const failed = drill.drills.filter((d) => !d.passed);
      out.push(
        `  outcomes: ${drill.drills.map((d) => `${d.from}->${d.to ?? '?'} ${d.outcome}`).join(', ')}` +
          (failed.length ? ` (${failed.map((d) => d.summary).join('; ')})` : ''),
      );
    }
  }
  if (bundles) {
    out.push(
      '',
      `Lambda bundles (esbuild: minify, cjs, ${bundles.settings.target}, everything bundled; load = node -e require(...) ` +
        `minus node -e "" (${bundles.baselineMs} ms), median of ${bundles.options.runs})`,
    );
    out.push(
      renderTable(
        ['bundle', 'KB', 'map KB', 'load ms', 'load ms, --enable-source-maps'],
        bundles.rows.map((r) => [
          `${r.name} (${r.entry})`,
          cell(r.kb),
          cell(r.sourceMapKb),
          r.loadError ? `error: ${r.loadError}` : cell(r.loadMs),
          cell(r.loadMsSourceMaps),
        ]),
      ),
    );
    out.push(`  goal: ${bundles.goal.text}`);
  }
  return `${out.join('\n')}\n`;
}

// -- main ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let values: { quick?: boolean; only?: string; help?: boolean; fleet?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        fleet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    return 3;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.fleet) return runFleet(values.quick ? 'quick' : 'full');
  const only = (values.only ?? SECTIONS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0 || only.length === 0) {
    process.stderr.write(
      `bench: --only: unknown section ${unknown.join(', ')} (have ${SECTIONS.join(', ')})\n`,
    );
    return 3;
  }
  const run = (s: Section) => only.includes(s);
  const mode = values.quick ? 'quick' : 'full';
  const plan = PLANS[mode];
  const needsRedis = run('poll') || run('detect') || run('drill');
  const redisServer = needsRedis ? await ensureRedisServer({ install: false }) : null;
  const machine = machineInfo(redisServer ?? (await ensureRedisServer({ install: false }).catch(() => null)));
  log(
    `${mode} run of ${only.join(', ')} on ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}, Redis ${machine.redis}`,
  );

  const results: Results = {};
  /** Runs one section, noting other redis-servers at its start and end (a disturbed section is flagged). */
  const section = async <T>(name: Section, title: string, fn: () => Promise<T>): Promise<T> => {
    log(`== ${title}`);
    noteOthers(`${name} (start)`);
    try {
      return await fn();
    } finally {
      noteOthers(`${name} (end)`);
    }
  };
  // Bundles first, while no redis-server competes for the CPU.
  if (run('bundles')) {
    results.bundles = await section('bundles', 'bundles', () => benchBundles(ROOT, plan.bundles, log));
  }
  if (needsRedis) {
    lab = await Lab.start(log, (dir) => {
      startingDir = dir;
    });
    startingDir = null;
    const theLab = lab;
    if (run('poll')) {
      results.poll = await section('poll', 'poll latency', () => benchPoll(theLab, plan.poll, log));
    }
    if (run('detect')) {
      results.detect = await section('detect', 'detection latency', () =>
        benchDetect(theLab, plan.detect, log),
      );
    }
    if (run('drill')) {
      results.drill = await section('drill', 'drills', async () => {
        try {
          return await benchDrill(theLab, plan.drill, log);
        } catch (error) {
          const reason = `the drill could not run: ${error instanceof Error ? error.message : String(error)}`;
          log(reason);
          return pendingDrill(plan.drill, reason);
        }
      });
    }
    await cleanup();
  }

  const durationMs = Date.now() - benchStarted;
  const disturbed = others.filter((o) => o.count > 0).map((o) => o.section.replace(/ \(.*\)$/, ''));
  const goals = [results.poll?.goal, results.detect?.goal, results.bundles?.goal].filter(
    (g) => g !== undefined,
  );
  const json = {
    version: 1,
    mode,
    sections: only,
    startedAt: new Date(benchStarted).toISOString(),
    durationMs,
    machine,
    /** Other redis-server processes seen at the start and end of each section: non-zero means disturbed. */
    otherRedisServers: others,
    plan: Object.fromEntries(only.map((s) => [s, plan[s as Section]])),
    goals,
    results,
  };
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(render(machine, results, mode, durationMs));
  if (disturbed.length > 0) {
    process.stdout.write(
      `\nWARNING: other redis-server processes were running during ${[...new Set(disturbed)].join(', ')}: ` +
        'the figures may be disturbed; re-run on an idle machine.\n',
    );
  }
  log(
    `done in ${Math.round(durationMs / 1000)} s; results in ${path.relative(process.cwd(), RESULTS) || RESULTS}`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await cleanup().catch(() => lab?.killAllSync());
    process.exitCode = 1;
  },
);

/** `--fleet`: the fleet bench alone (bench/fleet), its table on stdout and its JSON in fleet.json. */
async function runFleet(mode: 'full' | 'quick'): Promise<number> {
  const machine = machineInfo(await ensureRedisServer({ install: false }).catch(() => null));
  log(
    `fleet bench (${mode}) on ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}, Redis ${machine.redis}`,
  );
  noteOthers('fleet (start)');
  const result = await benchFleet(FLEET_PLANS[mode], log, (stop) => fleetStops.push(stop));
  noteOthers('fleet (end)');
  const durationMs = Date.now() - benchStarted;
  await mkdir(path.dirname(FLEET_RESULTS), { recursive: true });
  await writeFile(
    FLEET_RESULTS,
    `${JSON.stringify({ version: 1, mode, startedAt: new Date(benchStarted).toISOString(), durationMs, machine, otherRedisServers: others, result }, null, 2)}\n`,
  );
  process.stdout.write(
    `sentinel-watch bench --fleet (${mode}, ${Math.round(durationMs / 1000)} s) on ${machine.cpuModel}, ${machine.cores} cores, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${machine.redis}, ${machine.date}\n`,
  );
  process.stdout.write(renderFleet(result));
  if (others.some((o) => o.count > 0)) {
    process.stdout.write(
      '\nWARNING: other redis-server processes were running: the figures may be disturbed.\n',
    );
  }
  log(
    `done in ${Math.round(durationMs / 1000)} s; results in ${path.relative(process.cwd(), FLEET_RESULTS)}`,
  );
  return 0;
}
