import { parseArgs } from 'node:util';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../../lambdas/adapters/sentinel-events';
import type { DeploymentConfig, WatchConfig } from '../../lambdas/core/config';
import { type CriteriaOverrides, type DrillReport, renderDrillReport } from '../../lambdas/core/drill';
import { DRILL_KEY_ENV, drillKeyFrom } from '../../lambdas/core/drill-lock';
import { UsageError } from '../../lambdas/core/errors';
import { type DrillDeps, redisKeyLock, runDrill } from '../../lambdas/drill/run';
import { ioredisWriters } from '../../lambdas/drill/writers';
import { credentialsFor } from '../credentials';
import {
  deploymentOptions,
  deploymentOptionsHelp,
  secretSourceFrom,
  watchConfigFrom,
} from '../deployment-options';
import { parseDuration } from '../duration';
import { type CliIo, EXIT } from '../io';
import { toJson } from '../json-output';
import { reportFileOptions, reportFileOptionsHelp, writeReportFiles } from '../report-files';
import { drillHistoryCommand, drillShowCommand } from './drill-reports';

export const drillHelp = `Usage: sentinel-watch drill [options]
       sentinel-watch drill history --table NAME --deployment NAME [--json]
       sentinel-watch drill show ID --table NAME --deployment NAME [--html FILE] (or --file REPORT.json)

Proves that failover works: checks the deployment (preflight), takes the drill lock, writes a canary
key, sends SENTINEL FAILOVER while a sentinel-aware client and a plain connection to the old master
keep writing, then verifies the new master, the canary, the old master's rejoin, the replicas and
CKQUORUM. Reports the time to +switch-master, the client's write outage, the split-brain window
(writes the old master acknowledged after the switch) and how many acknowledged writes were lost.

This causes a real failover. Run it with --dry-run first: that runs the preflight checks only.

${deploymentOptionsHelp}

Drill:
  --deployment NAME             which deployment of --config (required when it lists several)
  --failback                    fail over again until the original master is master
  --dry-run                     preflight and lock check only; print what the drill would do
  --verify-timeout-ms DURATION  how long verification may take after the switch: 90s, 2m, or a
                                number of milliseconds (default 60000)
  --switchover                  a planned switchover, not a crash rehearsal: hold writes on the old
                                master (CLIENT PAUSE WRITE, Redis 6.2+) until the replicas caught up
                                and the switch is made, then demote it and release them (READONLY)

Pass criteria (over the deployment's config "drill" and the defaults; see docs/drill.md):
  --max-lost-writes N           acknowledged writes lost, client and old master alike
  --max-lost-client-writes N    ... by the sentinel-aware client (default 150)
  --max-lost-old-master-writes N  ... by the old master (default 500)
  --max-split-brain-ms MS       the old master acknowledging after +switch-master (default 5000)
  --max-write-outage-ms MS      the client without a completed write (default 15000)
  --max-switch-ms MS            SENTINEL FAILOVER to +switch-master (default 10000)
  --max-verify-ms MS            SENTINEL FAILOVER until every check passed (default 60000)
  --require-all-replicas BOOL   preflight wants every expected replica ready (default true)

Output:
  --json                        the report as one JSON object on stdout, nothing else
  -h, --help                    this text

${reportFileOptionsHelp}

Progress goes to stderr (not with --json). The lock is the key sentinel-watch:drill-lock:<name> on
the master (SET NX, 15 s expiry, renewed every 5 s): a second drill is refused while one runs. Set
${DRILL_KEY_ENV} to the watchers' drill key to sign it: then \`watch\` and the poller report this
drill's own switch as info. Without it the lock is unsigned and they page the switch as critical.

Exit codes: 0 the drill passed (dry run: preflight passed), 1 the drill ran and failed (a check or
a pass criterion: the report names it, the measured value and the fix), 2 refused by preflight or the
lock (nothing was changed), 3 usage or configuration error. --json prints the report (schemaVersion).`;

/** The exit code a pipeline reads: passed, failed after changing something, or refused untouched. */
export function drillExitCode(report: Pick<DrillReport, 'passed' | 'outcome'>): number {
  if (report.passed) return EXIT.ok;
  return report.outcome === 'refused' ? EXIT.refused : EXIT.failed;
}

const CRITERIA_FLAGS = {
  'max-split-brain-ms': 'maxSplitBrainMs',
  'max-write-outage-ms': 'maxWriteOutageMs',
  'max-switch-ms': 'maxSwitchMs',
  'max-verify-ms': 'maxVerifyMs',
} as const;

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--${flag}: "${text}" must be a whole number`);
  }
  return n;
}

/** The run's pass criteria from the flags; errors name the flag. */
export function criteriaFromFlags(values: Readonly<Record<string, unknown>>): CriteriaOverrides {
  const text = (flag: string): string | undefined =>
    typeof values[flag] === 'string' ? (values[flag] as string) : undefined;
  const out: { -readonly [K in keyof CriteriaOverrides]: CriteriaOverrides[K] } = {};
  for (const [flag, key] of Object.entries(CRITERIA_FLAGS)) {
    const t = text(flag);
    if (t !== undefined) out[key] = wholeNumber(flag, t);
  }
  const both = text('max-lost-writes');
  const client = text('max-lost-client-writes');
  const oldMaster = text('max-lost-old-master-writes');
  if (both !== undefined || client !== undefined || oldMaster !== undefined) {
    const n = both === undefined ? undefined : wholeNumber('max-lost-writes', both);
    const c = client === undefined ? n : wholeNumber('max-lost-client-writes', client);
    const o = oldMaster === undefined ? n : wholeNumber('max-lost-old-master-writes', oldMaster);
    out.maxLostAcknowledgedWrites = {
      ...(c !== undefined ? { client: c } : {}),
      ...(o !== undefined ? { oldMaster: o } : {}),
    };
  }
  const all = text('require-all-replicas');
  if (all !== undefined) {
    if (all !== 'true' && all !== 'false') {
      throw new UsageError(`--require-all-replicas: "${all}" must be true or false`);
    }
    out.requireAllReplicas = all === 'true';
  }
  return out;
}

/** Picks the deployment to drill: one of several only by name. */
export function chooseDeployment(
  config: WatchConfig,
  name: string | undefined,
): { deployment: DeploymentConfig; index: number } {
  const names = config.deployments.map((d) => d.name);
  if (name === undefined) {
    if (config.deployments.length > 1) {
      throw new UsageError(
        `the config lists ${names.length} deployments: choose one with --deployment (${names.join(', ')})`,
      );
    }
    return { deployment: config.deployments[0], index: 0 };
  }
  const index = names.indexOf(name);
  if (index < 0)
    throw new UsageError(`--deployment: no deployment named "${name}" (have: ${names.join(', ')})`);
  return { deployment: config.deployments[index], index };
}

export type DrillCommandDeps = Omit<DrillDeps, 'lock'>;

const liveDeps = (): DrillCommandDeps => ({
  runBatch,
  subscribe: subscribeSentinelEvents,
  writers: ioredisWriters,
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

export async function drillCommand(
  argv: readonly string[],
  io: CliIo,
  deps: DrillCommandDeps = liveDeps(),
): Promise<number> {
  if (argv[0] === 'history') return drillHistoryCommand(argv.slice(1), io);
  if (argv[0] === 'show') return drillShowCommand(argv.slice(1), io);
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...deploymentOptions,
      ...reportFileOptions,
      deployment: { type: 'string' },
      failback: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'verify-timeout-ms': { type: 'string' },
      switchover: { type: 'boolean' },
      'max-lost-writes': { type: 'string' },
      'max-lost-client-writes': { type: 'string' },
      'max-lost-old-master-writes': { type: 'string' },
      'max-split-brain-ms': { type: 'string' },
      'max-write-outage-ms': { type: 'string' },
      'max-switch-ms': { type: 'string' },
      'max-verify-ms': { type: 'string' },
      'require-all-replicas': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(drillHelp);
    return EXIT.ok;
  }
  const verifyTimeoutText = values['verify-timeout-ms'];
  const verifyTimeoutMs =
    verifyTimeoutText === undefined
      ? undefined
      : parseDuration(verifyTimeoutText, {
          flag: '--verify-timeout-ms',
          plainUnit: 'ms',
          minMs: 1000,
          maxMs: 600_000,
        });
  const criteria = criteriaFromFlags(values);
  const config = watchConfigFrom(values, io.env);
  const { deployment, index } = chooseDeployment(config, values.deployment);
  const credentials = await credentialsFor(deployment, index, io.env, await secretSourceFrom(values));
  const drillKey = drillKeyFrom(io.env[DRILL_KEY_ENV], DRILL_KEY_ENV);
  const lock = redisKeyLock({ runBatch: deps.runBatch, deployment, credentials, now: deps.now });
  const report = await runDrill(
    deployment,
    credentials,
    {
      dryRun: values['dry-run'] === true,
      failback: values.failback === true,
      switchover: values.switchover === true,
      criteria,
      ...(verifyTimeoutMs ? { verifyTimeoutMs } : {}),
    },
    { ...deps, lock, drillKey, ...(values.json ? {} : { progress: (line: string) => io.err(line) }) },
  );
  // The report first: a file that cannot be written (no Chromium) must not swallow the verdict.
  io.out(values.json ? toJson(report) : renderDrillReport(report));
  await writeReportFiles(report, values, io);
  return drillExitCode(report);
}
