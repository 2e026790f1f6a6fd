import { parseArgs } from 'node:util';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { detect, detectionSettings, emptyDetectionState } from '../../lambdas/core/detect';
import { exitCodeFor, overallStatus } from '../../lambdas/core/status';
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

Exit codes: 0 healthy, 1 a warning finding, 2 a critical finding, 3 usage or configuration error.
With several deployments the worst status wins.`;

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
      return { ...snapshot, findings, status: overallStatus(findings) };
    }),
  );
  if (values.json) {
    for (const r of results) io.out(toJson(r));
  } else {
    io.out(results.map(renderSnapshot).join('\n\n'));
  }
  return Math.max(...results.map((r) => exitCodeFor(r.status)));
}
