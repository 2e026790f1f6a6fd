import { parseArgs } from 'node:util';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';
import {
  credentialsFromEnv,
  deploymentOptions,
  deploymentOptionsHelp,
  watchConfigFrom,
} from '../deployment-options';
import { type CliIo, EXIT } from '../io';
import { renderSnapshot } from '../render-snapshot';

export const checkHelp = `Usage: sentinel-watch check [options]

Polls every sentinel and data node of a deployment once and prints what they report.

${deploymentOptionsHelp}

Output:
  --json                        one JSON snapshot per deployment per line, nothing else on stdout

Exit codes: 0 the poll ran, 3 usage or configuration error.`;

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
  const credentials = config.deployments.map((d, i) => credentialsFromEnv(d, i, io.env));
  const snapshots = await Promise.all(
    config.deployments.map((d, i) => pollDeployment(d, credentials[i], { runBatch, now: Date.now })),
  );
  if (values.json) {
    for (const s of snapshots) io.out(JSON.stringify(s));
  } else {
    io.out(snapshots.map(renderSnapshot).join('\n\n'));
  }
  return EXIT.ok;
}
