// `npm run bench`: poll latency, detection latency, drills and Lambda bundles, measured on this
// machine against a real local topology (ports 7400-7499 and 27400-27499). Progress goes to stderr,
// the table to stdout, everything to bench/results/latest.json. Every process it starts is stopped on
// exit, on error and on Ctrl-C (a second Ctrl-C kills them at once).
//
//   npm run bench [-- --quick] [-- --only poll,detect,drill,bundles]
//   npm run bench -- --fleet [--quick]    fleet scale (bench/fleet): 1,000 simulated deployments, a real
//                                         fleet of 100 masters (ports 9000-9299), cost; run it under
//                                         flock /tmp/sw-integration.lock (it starts redis-servers)

import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureRedisServer } from '../cli/local/redis-server-binary';
import { LocalTopology, processOwnership, stateFilePath } from '../cli/local/topology';
import { benchBundles } from './bundles';
import { benchDetect } from './detect';
import { benchDrill, pendingDrill } from './drill';
import { benchFleet, FLEET_PLANS, renderFleet } from './fleet';
import { Lab } from './lab';
import { machineInfo, otherRedisServers } from './machine';
import { benchPoll } from './poll';
import { type Results, render } from './report';

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

/** Emergency stops registered by the fleet bench (its simulator and real fleet). */
const fleetStops: (() => void)[] = [];

process.on('exit', () => {
  for (const stop of fleetStops) stop();
  lab?.killAllSync();
  killStartingSync();
});

// -- other redis-servers -------------------------------------------------------------------------

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
  const machine = machineInfo(
    redisServer ?? (await ensureRedisServer({ install: false }).catch(() => null)),
    ROOT,
  );
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
  const machine = machineInfo(await ensureRedisServer({ install: false }).catch(() => null), ROOT);
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
