// `npx tsx bench/delivery.ts`: what alert delivery costs when things go wrong, measured on the
// bundled handlers (esbuild, as the stack bundles them) in their own Node processes, against local
// stand-ins on 127.0.0.1 (dynalite, SNS, Secrets Manager, a Slack webhook, and a server that accepts
// connections and never answers). No Redis: the deployment's sentinels are ports where nothing
// listens (8921-8923, helper range), so every poll has critical alerts to publish.
//
//   - time to give up: each AWS client of each handler against the silent server, and the Slack
//     notifier against a silent webhook;
//   - the poller's STATE item with a full outbox (as many pending alerts of the largest kind as its
//     rules keep, 50 sent) and the poller's memory peak while it loads and publishes it.
//
// Results go to stdout (a table) and bench/results/delivery.json.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedDynamo } from '../cli/local/embedded-dynamo';
import type { Notification } from '../lambdas/core/incidents';
import { parseSentinelEvent } from '../lambdas/core/sentinel-event';
import { buildTimeline } from '../lambdas/core/watch-cycle';
import {
  claim,
  emptyPollerState,
  enqueue,
  MAX_PENDING,
  type PollerState,
  settle,
} from '../lambdas/poller/state';
import { fitPollerState } from '../lambdas/poller/state-budget';
import { buildBundles, type Invocation, invokeBundle } from '../test/integration/support/bundled-handler';
import {
  startHangingServer,
  startSecretsStandIn,
  startSnsStandIn,
  startWebhookStandIn,
} from '../test/integration/support/http-stand-ins';
import { renderTable } from './stats';

const POLLER = 'lambdas/poller/handler.ts';
const DRILL = 'lambdas/drill/handler.ts';
const SLACK = 'lambdas/slack/handler.ts';
const TABLE = 'sentinel-watch-bench-delivery';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sentinel-watch-bench';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf';
const SENTINELS = [8921, 8922, 8923].map((p) => `127.0.0.1:${p}`);

interface Row {
  readonly handler: string;
  readonly fault: string;
  readonly outcome: string;
  readonly elapsedMs: number;
  readonly maxRssMb: number | null;
}

/** The largest alert the poller queues: a switch with a full failover timeline. */
function bigAlert(deployment: string, i: number): Notification {
  const at = Date.parse('2026-11-30T01:00:00.000Z') + i * 60_000;
  const events = Array.from({ length: 70 }, (_, k) =>
    parseSentinelEvent(
      k % 2 ? '+sdown' : '+switch-master',
      k % 2
        ? 'slave 10.20.30.40:6379 10.20.30.40 6379 @ orders-cache-primary 10.20.30.41 6379'
        : 'orders-cache-primary 10.20.30.41 6379 10.20.30.42 6379',
      `10.20.30.${50 + (k % 3)}:26379`,
      at - 60_000 + k * 500,
    ),
  );
  const when = new Date(at).toISOString();
  return {
    type: 'event',
    code: 'MASTER_CHANGED',
    severity: 'critical',
    subject: 'deployment',
    message:
      'The sentinels switched the master of orders-cache-primary from 10.20.30.41:6379 to 10.20.30.42:6379. '.repeat(
        6,
      ),
    deployment,
    at: when,
    incidentId: `${deployment}:MASTER_CHANGED deployment@${when}`,
    openedAt: when,
    details: {
      previous: { host: '10.20.30.41', port: 6379 },
      current: { host: '10.20.30.42', port: 6379 },
      timeline: buildTimeline(events),
    },
  };
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log('building bundles...');
  const [bundles, dynamo, sns, hanging, webhook] = await Promise.all([
    buildBundles([POLLER, DRILL, SLACK]),
    startEmbeddedDynamo(TABLE),
    startSnsStandIn(TOPIC_ARN),
    startHangingServer(),
    startWebhookStandIn('T0/B0/bench'),
  ]);
  const secrets = await startSecretsStandIn({ [SECRET_ARN]: webhook.url });
  const rows: Row[] = [];
  const record = (handler: string, fault: string, run: Invocation) => {
    rows.push({
      handler,
      fault,
      outcome: run.outcome === 'threw' ? `threw ${run.error?.name}` : run.outcome,
      elapsedMs: run.elapsedMs,
      maxRssMb: run.maxRssKb === null ? null : Math.round(run.maxRssKb / 102.4) / 10,
    });
    log(`${handler} / ${fault}: ${run.outcome} after ${run.elapsedMs} ms`);
  };
  try {
    const watchConfig = (name: string, secret: boolean) =>
      JSON.stringify({
        deployments: [
          {
            name,
            masterName: 'mymaster',
            sentinels: SENTINELS,
            timeoutMs: 300,
            ...(secret ? { passwordSecretArn: SECRET_ARN } : {}),
          },
        ],
      });
    const env = (name: string, hang: 'sns' | 'dynamodb' | 'secrets' | null) => ({
      SENTINEL_WATCH_CONFIG: watchConfig(name, hang === 'secrets'),
      SNAPSHOT_TABLE_NAME: TABLE,
      ALERT_TOPIC_ARN: TOPIC_ARN,
      SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
      AWS_ENDPOINT_URL_SNS: hang === 'sns' ? hanging.endpoint : sns.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: hang === 'dynamodb' ? hanging.endpoint : dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: hang === 'secrets' ? hanging.endpoint : secrets.endpoint,
    });

    for (const hang of ['sns', 'dynamodb', 'secrets'] as const) {
      const name = `bench-poller-${hang}`;
      record(
        'poller',
        `${hang} never answers`,
        await invokeBundle(bundles.path(POLLER), { env: env(name, hang), remainingMs: 60_000 }),
      );
    }
    for (const hang of ['sns', 'dynamodb', 'secrets'] as const) {
      const name = `bench-drill-${hang}`;
      const run = await invokeBundle(bundles.path(DRILL), {
        env: env(name, hang),
        event: { dryRun: true },
        remainingMs: 300_000,
      });
      record('drill (dry run)', `${hang} never answers`, run);
    }

    const slackEvent = (id: string) => ({
      Records: [
        { Sns: { MessageId: id, Subject: '[CRITICAL] bench', Message: 'bench', MessageAttributes: {} } },
      ],
    });
    record(
      'slack',
      'DynamoDB never answers (posts anyway)',
      await invokeBundle(bundles.path(SLACK), {
        env: env('s', 'dynamodb'),
        event: slackEvent('m1'),
        remainingMs: 30_000,
      }),
    );
    record(
      'slack',
      'Secrets Manager never answers',
      await invokeBundle(bundles.path(SLACK), {
        env: env('s', 'secrets'),
        event: slackEvent('m2'),
        remainingMs: 30_000,
      }),
    );
    webhook.replies = [{ status: 200, delayMs: 6_000 }];
    record(
      'slack',
      'webhook answers after 6 s',
      await invokeBundle(bundles.path(SLACK), {
        env: env('s', null),
        event: slackEvent('m3'),
        remainingMs: 30_000,
      }),
    );
    webhook.replies = Array.from({ length: 4 }, () => ({ status: 200, delayMs: 120_000 }));
    record(
      'slack',
      'webhook never answers',
      await invokeBundle(bundles.path(SLACK), {
        env: env('s', null),
        event: slackEvent('m4'),
        remainingMs: 30_000,
      }),
    );

    // A full outbox, as the poller's own rules would leave it: 50 recently sent alerts of the largest
    // kind, then 50 pending ones (the count cap).
    const name = 'bench-full-outbox';
    const now = Date.now();
    const sentOnes = claim(
      enqueue(
        [],
        Array.from({ length: 50 }, (_, i) => bigAlert(name, 100 + i)),
        now - 30_000,
      ).outbox,
      'bench',
      now,
      now - 30_000,
    ).outbox;
    const sent = settle(
      sentOnes,
      'bench',
      sentOnes.map((e) => ({ key: e.key, sent: true as const, attempts: 1, at: now - 29_000 })),
    );
    const queued = enqueue(
      sent,
      Array.from({ length: MAX_PENDING }, (_, i) => bigAlert(name, i)),
      now - 20_000,
    );
    // Fitted as the poller fits it before each save (state-budget.ts): 50 timelines would not fit.
    const state: PollerState = fitPollerState({ ...emptyPollerState(), outbox: queued.outbox });
    const pendingSeeded = queued.outbox.filter((e) => e.status === 'pending').length;
    const itemBytes = Buffer.byteLength(JSON.stringify(state));
    await dynamo.store.saveState(name, state, null);
    const full = await invokeBundle(bundles.path(POLLER), { env: env(name, null), remainingMs: 60_000 });
    record('poller', `full outbox (${pendingSeeded} pending + 50 sent), published`, full);

    const table = renderTable(
      ['handler', 'fault', 'outcome', 'time (s)', 'RSS peak (MB)'],
      rows.map((r) => [
        r.handler,
        r.fault,
        r.outcome,
        (r.elapsedMs / 1000).toFixed(1),
        r.maxRssMb?.toFixed(1) ?? '-',
      ]),
    );
    const stored = await dynamo.store.loadState<PollerState>(name);
    const afterBytes = Buffer.byteLength(JSON.stringify(stored?.state ?? null));
    process.stdout.write(
      `${table}\n\nSTATE item with a full outbox (${pendingSeeded} pending + 50 sent): ` +
        `${(itemBytes / 1024).toFixed(0)} KB of JSON; after the poll published them: ` +
        `${(afterBytes / 1024).toFixed(0)} KB (DynamoDB's item limit: 400 KB)\n`,
    );
    await writeFile(
      path.join(__dirname, 'results', 'delivery.json'),
      `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, rows, fullOutboxStateBytes: itemBytes, afterPollStateBytes: afterBytes }, null, 2)}\n`,
    );
  } finally {
    bundles.cleanup();
    await Promise.all([dynamo.close(), sns.close(), hanging.close(), webhook.close(), secrets.close()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/delivery: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
