import { parseArgs } from 'node:util';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { detect, detectionSettings, emptyDetectionState } from '../../lambdas/core/detect';
import { drillLockFromSnapshot } from '../../lambdas/core/drill-context';
import {
  DRILL_KEY_ENV,
  type DrillLockVerdict,
  drillKeyFrom,
  MIN_DRILL_KEY_LENGTH,
  verifyDrillLock,
} from '../../lambdas/core/drill-lock';
import { exitCodeFor, overallStatus } from '../../lambdas/core/status';
import { formatAddress } from '../../lambdas/core/types';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';
import { credentialsOfAll } from '../credentials';
import {
  deploymentOptions,
  deploymentOptionsHelp,
  secretSourceFrom,
  watchConfigFrom,
} from '../deployment-options';
import { type CliIo, EXIT } from '../io';
import { toJson } from '../json-output';
import { renderSnapshot } from '../render-snapshot';

export const checkHelp = `Usage: sentinel-watch check [options]

Polls every sentinel and data node of a deployment once and prints what they report.

${deploymentOptionsHelp}

Output:
  --json                        one JSON snapshot per deployment per line, nothing else on stdout

Drills: a drill holds a signed lock on the master; \`check\`, \`watch\` and the poller trust it only
with the same drill key (${DRILL_KEY_ENV}, at least ${MIN_DRILL_KEY_LENGTH} characters). Without one, a
drill's switch is reported as critical like any other; \`check\` says which applies.

Exit codes: 0 healthy, 1 a warning finding, 2 a critical finding, 3 usage or configuration error.
With several deployments the worst status wins.`;

/** One line on drills: whether this watcher can trust a drill's lock, and the lock a node holds now. */
export function drillLine(verdict: DrillLockVerdict | null, keyConfigured: boolean): string | null {
  if (verdict?.trusted) {
    const c = verdict.claims;
    return `Drill: ${c.id} runs (signed lock, fails over ${formatAddress(c.from)}${c.failoverAt === null ? ', not yet asked' : ''}): its own switch is reported as info`;
  }
  if (verdict)
    return `Drill lock "${verdict.id}" is present but NOT trusted: ${verdict.reason}. A switch now is reported as critical.`;
  return keyConfigured
    ? null
    : `Drill key: not set (${DRILL_KEY_ENV}): watch and the poller would report a drill's switch as critical, like any other.`;
}

export async function checkCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...deploymentOptions, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(checkHelp);
    return EXIT.ok;
  }
  const config = watchConfigFrom(values, io.env);
  const credentials = await credentialsOfAll(config.deployments, io.env, await secretSourceFrom(values));
  const key = drillKeyFrom(io.env[DRILL_KEY_ENV], DRILL_KEY_ENV);
  const results = await Promise.all(
    config.deployments.map(async (d, i) => {
      const snapshot = await pollDeployment(d, credentials[i], { runBatch, now: Date.now });
      // A single poll has no history: findings that need a previous snapshot (switches, restarts) are `watch`'s.
      const { findings } = detect({
        current: snapshot,
        previous: null,
        state: emptyDetectionState(),
        settings: detectionSettings(d),
        now: Date.now(),
      });
      const lock = drillLockFromSnapshot(snapshot);
      const verdict = lock ? verifyDrillLock(lock, { deployment: d.name, key, now: Date.now() }) : null;
      const drill = verdict
        ? {
            id: verdict.trusted ? verdict.claims.id : verdict.id,
            trusted: verdict.trusted,
            reason: verdict.trusted ? null : verdict.reason,
          }
        : null;
      return {
        ...snapshot,
        findings,
        status: overallStatus(findings),
        drill,
        drillText: drillLine(verdict, key !== null),
      };
    }),
  );
  if (values.json) {
    for (const { drillText: _, ...r } of results) io.out(toJson(r));
  } else {
    io.out(
      results.map((r) => [renderSnapshot(r), ...(r.drillText ? [r.drillText] : [])].join('\n')).join('\n\n'),
    );
  }
  return Math.max(...results.map((r) => exitCodeFor(r.status)));
}
