import { parseArgs } from 'node:util';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../../lambdas/adapters/sentinel-events';
import type { DeploymentConfig, WatchConfig } from '../../lambdas/core/config';
import { renderDrillReport } from '../../lambdas/core/drill';
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

export const drillHelp = `Usage: sentinel-watch drill [options]

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

Output:
  --json                        the report as one JSON object on stdout, nothing else
  -h, --help                    this text

Progress goes to stderr (not with --json). The lock is the key sentinel-watch:drill-lock:<name> on
the master (SET NX, 15 s expiry, renewed every 5 s): a second drill is refused while one runs. Set
${DRILL_KEY_ENV} to the watchers' drill key to sign it: then \`watch\` and the poller report this
drill's own switch as info. Without it the lock is unsigned and they page the switch as critical.

Exit codes: 0 the drill passed (dry run: preflight passed), 1 a check failed or preflight refused,
3 usage or configuration error.`;

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
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...deploymentOptions,
      deployment: { type: 'string' },
      failback: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'verify-timeout-ms': { type: 'string' },
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
      ...(verifyTimeoutMs ? { verifyTimeoutMs } : {}),
    },
    { ...deps, lock, drillKey, ...(values.json ? {} : { progress: (line: string) => io.err(line) }) },
  );
  io.out(values.json ? toJson(report) : renderDrillReport(report));
  return report.passed ? EXIT.ok : EXIT.failed;
}
