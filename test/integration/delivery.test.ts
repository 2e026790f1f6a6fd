// Alert delivery that nothing can starve: the bundled poller handler with dynalite (behind a proxy
// that can inject DynamoDB faults) and an SNS stand-in that can refuse chosen messages. The
// deployment's sentinels are ports of this suite's range where nothing listens, so every first poll
// of a deployment opens critical incidents at once; the STATE item is seeded where a test needs an
// outbox that already holds alerts.

import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { decodeState } from '../../lambdas/adapters/state-codec';
import { dedupeKey } from '../../lambdas/core/alert-text';
import type { Notification } from '../../lambdas/core/incidents';
import type { Severity } from '../../lambdas/core/types';
import { emptyPollerState, type OutboxEntry, type PollerState } from '../../lambdas/poller/state';
import {
  type Bundles,
  buildBundles,
  type Invocation,
  invokeBundle,
  logsWith,
} from './support/bundled-handler';
import {
  type FaultyProxy,
  type SnsStandIn,
  startFaultyDynamoProxy,
  startSnsStandIn,
} from './support/http-stand-ins';

const POLLER = 'lambdas/poller/handler.ts';
const TABLE = 'sentinel-watch-delivery-it';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sentinel-watch-delivery';
/** Nothing listens on these (this suite's range is 8900-8999). */
const SENTINELS = [8911, 8912, 8913].map((port) => `127.0.0.1:${port}`);
const T0 = Date.parse('2026-11-30T01:00:00.000Z');

let bundles: Bundles;
let dynamo: EmbeddedDynamo;
let proxy: FaultyProxy;
let sns: SnsStandIn;

beforeAll(async () => {
  [bundles, dynamo, sns] = await Promise.all([
    buildBundles([POLLER]),
    startEmbeddedDynamo(TABLE),
    startSnsStandIn(TOPIC_ARN),
  ]);
  proxy = await startFaultyDynamoProxy(dynamo.endpoint);
}, 60_000);

afterAll(async () => {
  bundles?.cleanup();
  await Promise.all([proxy?.close(), dynamo?.close(), sns?.close()]);
});

beforeEach(() => {
  sns.judge = () => ({ accept: true });
  proxy.fail = () => false;
});

function poll(deployment: string, remainingMs = 30_000): Promise<Invocation> {
  return invokeBundle(bundles.path(POLLER), {
    env: {
      SENTINEL_WATCH_CONFIG: JSON.stringify({
        deployments: [{ name: deployment, masterName: 'mymaster', sentinels: SENTINELS, timeoutMs: 300 }],
      }),
      SNAPSHOT_TABLE_NAME: TABLE,
      ALERT_TOPIC_ARN: TOPIC_ARN,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    },
    remainingMs,
  });
}

/** A notification of an earlier poll, as the outbox keeps it. */
function earlier(deployment: string, i: number, severity: Severity, subject: string): OutboxEntry {
  const at = new Date(T0 + i * 1000).toISOString();
  const n: Notification = {
    type: 'opened',
    code: severity === 'critical' ? 'MASTER_DOWN' : 'REPLICA_LAGGING',
    severity,
    subject,
    message: `seeded ${severity} ${i}`,
    deployment,
    at,
    incidentId: `${deployment}:seeded-${i}@${at}`,
    openedAt: at,
  };
  return {
    key: dedupeKey(n),
    notification: n,
    status: 'pending',
    queuedAt: T0 + i * 1000,
    attempts: 0,
    claimedBy: null,
    claimedUntil: null,
    sentAt: null,
    lastError: null,
  };
}

async function seed(deployment: string, outbox: OutboxEntry[]): Promise<void> {
  const state: PollerState = { ...emptyPollerState(), outbox };
  expect(await dynamo.store.saveState(deployment, state, null)).toBe('saved');
}

/** A STATE write (its state compressed on the wire: state-codec.ts) with an alert marked sent. */
const marksSent = (body: string): boolean => {
  const item = (JSON.parse(body) as { Item?: { encoding?: { S?: string }; stateZ?: { B?: string } } }).Item;
  if (item?.stateZ?.B === undefined) return false;
  const state = decodeState({ encoding: item.encoding?.S, stateZ: Buffer.from(item.stateZ.B, 'base64') });
  return (state as PollerState).outbox.some((e) => e.status === 'sent');
};
const stateOf = async (deployment: string) => (await dynamo.store.loadState<PollerState>(deployment))!.state;

const publishedFor = (deployment: string) =>
  sns.published.filter((p) => p.attributes.deployment === deployment);

/** The EMF metric values the handler printed for a metric. */
const metric = (run: Invocation, name: string): unknown[] =>
  run.logs.filter((l) => '_aws' in l && name in l).map((l) => l[name]);

describe('Bundled handler: poller delivery', () => {
  it('records an alert SNS rejects for good, alarms on it, and goes on with the others', async () => {
    // Prepare: an older alert whose message SNS refuses (InvalidParameter), queued before this poll's
    const deployment = 'dv-rejected';
    const poison = earlier(deployment, 0, 'warning', 'node 10.9.9.9:6379');
    await seed(deployment, [poison]);
    sns.judge = (m) =>
      m.attributes.subject === 'node 10.9.9.9:6379'
        ? { status: 400, code: 'InvalidParameter' }
        : { accept: true };

    // Act
    const first = await poll(deployment);
    const callsAfterFirst = sns.calls();
    const second = await poll(deployment);

    // Assess: the poll's own alerts went out; the rejected one is recorded, counted, not retried
    expect(first.outcome).toBe('returned');
    const [polled] = logsWith(first, 'polled');
    expect(publishedFor(deployment).length).toBe((polled.notifications as string[]).length);
    expect(publishedFor(deployment).length).toBeGreaterThan(0);
    expect(polled).toMatchObject({ pending: 0 });
    const entry = (await stateOf(deployment)).outbox.find((e) => e.key === poison.key);
    expect(entry).toMatchObject({ status: 'failed', lastError: 'InvalidParameterException', attempts: 1 });
    expect(logsWith(first, 'alert rejected by SNS: not sent, not retried')[0]).toMatchObject({
      deployment,
      alert: poison.key,
      code: 'REPLICA_LAGGING',
      severity: 'warning',
    });
    expect(metric(first, 'AlertsRejected')).toEqual([1]);
    expect(second.outcome).toBe('returned');
    expect(sns.calls()).toBe(callsAfterFirst);
  }, 60_000);

  it('drops infos and warnings, never a critical, when the outbox overflows, and says which', async () => {
    // Prepare: a full outbox (50 pending) whose oldest entry is a critical, the rest info and warning
    const deployment = 'dv-overflow';
    const critical = earlier(deployment, 0, 'critical', 'deployment');
    const rest = Array.from({ length: 49 }, (_, i) =>
      earlier(deployment, i + 1, i % 2 === 0 ? 'info' : 'warning', `node 10.0.0.${i + 1}:6379`),
    );
    await seed(deployment, [critical, ...rest]);

    // Act: the poll queues its own criticals on top
    const run = await poll(deployment);

    // Assess
    expect(run.outcome).toBe('returned');
    const [full] = logsWith(run, 'outbox full: alerts dropped, least severe and oldest first');
    const dropped = full.dropped as { key: string; severity: string; code: string; subject: string }[];
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((d) => d.severity === 'info')).toBe(true);
    // The oldest infos went first.
    expect(dropped.map((d) => d.key)).toEqual(
      rest
        .filter((e) => e.notification.severity === 'info')
        .slice(0, dropped.length)
        .map((e) => e.key),
    );
    const keys = publishedFor(deployment).map((p) => p.message);
    expect(keys.some((m) => m.includes('seeded critical 0'))).toBe(true);
    expect(metric(run, 'AlertsDropped')).toEqual([dropped.length]);
  }, 60_000);

  it('retries a transient DynamoDB error on the "mark sent" write: nothing is sent twice', async () => {
    // Prepare: the first write that records an alert as sent fails three times (one whole SDK call)
    const deployment = 'dv-mark-sent';
    let left = 3;
    proxy.fail = (target, body) => target.endsWith('.PutItem') && marksSent(body) && left-- > 0;

    // Act: a 12 s invocation (its claims' lease ends 17 s after it starts), then one after the lease
    const first = await poll(deployment, 12_000);
    await new Promise((resolve) => setTimeout(resolve, 18_000 - first.elapsedMs));
    const second = await poll(deployment, 12_000);

    // Assess
    expect(proxy.faults()).toBe(3);
    expect(first.outcome).toBe('returned');
    expect(second.outcome).toBe('returned');
    const keys = publishedFor(deployment).map((p) => p.attributes.dedupeKey);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    expect((await stateOf(deployment)).outbox.every((e) => e.status === 'sent')).toBe(true);
  }, 60_000);
});
