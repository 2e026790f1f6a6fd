// One poller run for the handover part of the fleet bench, in its own process (bundled by esbuild and
// started in a cpu cgroup holding a Lambda's share of a core, as a Lambda would run it): the wiring of
// lambdas/poller/handler.ts (probe, urgent polls, shared sentinel subscriptions, DynamoDB store and
// shard run mark, SNS), with the period scaled down from the handler's fixed minute.
//
//   node handover-run.js '<json: RunArgs>'
//
// Prints `@@STARTED <epoch ms>` once its run starts, then `@@DONE <json>` with the run's summary.

import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoShardRuns } from '../../lambdas/adapters/dynamo-shard-runs';
import { createDocumentClient, DynamoStore } from '../../lambdas/adapters/dynamo-store';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { sharedSentinelSubscriptions } from '../../lambdas/adapters/shared-subscriptions';
import { SnsAlertPublisher } from '../../lambdas/adapters/sns-publisher';
import { parseWatchConfig } from '../../lambdas/core/config';
import { POLL_CONCURRENCY } from '../../lambdas/core/fleet-config';
import { probeWith, runPoller, sleep } from '../../lambdas/poller/run';
import { urgentPolls } from '../../lambdas/poller/urgent-polls';

export interface RunArgs {
  readonly watch: Record<string, unknown>;
  readonly owner: string;
  readonly periodMs: number;
  readonly overlapMs: number;
  /** With the handover: the run overlaps the next and marks the shard; without: it stops at its period. */
  readonly handover: boolean;
  readonly shardKey: string;
  readonly dynamoEndpoint: string;
  readonly snsEndpoint: string;
  readonly tableName: string;
  readonly password: string;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as RunArgs;
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const documentClient = createDocumentClient({
    endpoint: a.dynamoEndpoint,
    region: 'us-east-1',
    credentials,
  });
  const sns = new SNSClient({ endpoint: a.snsEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  const config = parseWatchConfig(a.watch);
  const window = a.periodMs + (a.handover ? a.overlapMs : 0);
  const started = Date.now();
  process.stdout.write(`@@STARTED ${started}\n`);
  const summary = await runPoller(
    config,
    {
      ...urgentPolls(
        probeWith(runBatch, Date.now),
        sharedSentinelSubscriptions().subscribe,
        POLL_CONCURRENCY,
      ),
      store: new DynamoStore({ client: documentClient, tableName: a.tableName }),
      runs: new DynamoShardRuns({ client: documentClient, tableName: a.tableName }),
      publisher: new SnsAlertPublisher({ client: sns, topicArn: 'arn:aws:sns:us-east-1:123456789012:bench' }),
      secrets: { getSecret: async () => a.password },
      clock: Date.now,
      sleep,
      env: { FLEET_REDIS_PASSWORD: a.password },
    },
    {
      owner: a.owner,
      remainingMs: () => started + window + 10_000 - Date.now(),
      windowMs: window,
      ...(a.handover
        ? { handover: { shardKey: a.shardKey, periodMs: a.periodMs, overlapMs: a.overlapMs } }
        : {}),
    },
  );
  documentClient.destroy();
  sns.destroy();
  process.stdout.write(
    `@@DONE ${JSON.stringify({ started, ended: Date.now(), deployments: summary.deployments })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
