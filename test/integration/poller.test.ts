// The real poller handler (middy, Powertools, the AWS SDK, ioredis) against a real local Sentinel
// topology, with dynalite in-process as DynamoDB (AWS_ENDPOINT_URL_DYNAMODB) and a small HTTP server
// on 127.0.0.1 standing in for SNS (AWS_ENDPOINT_URL_SNS; the query protocol: form-encoded POST in,
// XML out). Only the Lambda context is made up.

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import Redis from 'ioredis';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { LocalTopology, waitFor } from '../../cli/local/topology';
import type { DynamoStore } from '../../lambdas/adapters/dynamo-store';
import { drillLockKey } from '../../lambdas/core/drill-context';
import type { RunSummary } from '../../lambdas/poller/run';
import type { PollerState } from '../../lambdas/poller/state';
import { drillLockNow } from './drill-helpers';

const BASE = 7000;
const TABLE = 'sentinel-watch-poller-it';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sentinel-watch-it';
const DEPLOYMENT = 'it-poller';

interface Published {
  readonly at: number;
  readonly subject: string;
  readonly message: string;
  readonly attributes: Record<string, string>;
}

let topo: LocalTopology;
let dynamo: EmbeddedDynamo;
let sns: Server;
let store: DynamoStore;
let published: Published[];
/** The SNS stand-in answers this many Publish calls with a 500 before it accepts again. */
let failNext = 0;
let failedCalls = 0;
let logs: string[];
let spies: jest.SpyInstance[];

type Handler = (event: unknown, context: Context) => Promise<RunSummary>;

/** The handler module as a cold start with this config sees it (the module validates env at load). */
function loadHandler(config: Record<string, unknown> = {}): Handler {
  process.env.SENTINEL_WATCH_CONFIG = JSON.stringify({
    deployments: [
      {
        name: DEPLOYMENT,
        masterName: topo.masterName,
        sentinels: topo.sentinelAddresses,
        passwordEnv: 'IT_POLLER_REDIS_PASSWORD',
        timeoutMs: 500,
      },
    ],
    ...config,
  });
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = (require('../../lambdas/poller/handler') as typeof import('../../lambdas/poller/handler'))
      .handler;
  });
  return handler!;
}

const context = (remainingMs = 30_000): Context => {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: randomUUID(),
    functionName: 'sentinel-watch-poller',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
};

const switches = () => published.filter((p) => p.attributes.code === 'MASTER_CHANGED');

async function killMasterAndWaitForSwitch(): Promise<{ old: number; next: number; killedAt: number }> {
  const old = (await topo.currentMaster())!.port;
  await topo.kill(old);
  const killedAt = Date.now();
  const next = await waitFor(
    async () => {
      const views = await topo.sentinelViews(300);
      const ports = new Set(views.map((v) => v.master?.port));
      const [only] = [...ports];
      return ports.size === 1 && only !== undefined && only !== old ? only : undefined;
    },
    20_000,
    'every sentinel to name a new master',
  );
  return { old, next, killedAt };
}

/** Brings a killed old master back as a replica of the new one and waits until its link is up. */
async function rejoin(port: number, master: number): Promise<void> {
  await topo.restart(port, { replicaOf: master });
  await waitFor(
    async () => {
      const c = new Redis(port, { password: topo.password, lazyConnect: true, protocol: 2 });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return (await c.info('replication')).includes('master_link_status:up');
      } finally {
        c.disconnect();
      }
    },
    15_000,
    `127.0.0.1:${port} to replicate from ${master}`,
  );
}

beforeAll(async () => {
  topo = await LocalTopology.up({ basePort: BASE });

  dynamo = await startEmbeddedDynamo(TABLE);

  sns = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const requestId = randomUUID();
      if (form.get('Action') !== 'Publish' || form.get('TopicArn') !== TOPIC_ARN) {
        res.writeHead(400, { 'content-type': 'text/xml' }).end(snsError('InvalidParameter', requestId));
        return;
      }
      if (failNext > 0) {
        failNext--;
        failedCalls++;
        res.writeHead(500, { 'content-type': 'text/xml' }).end(snsError('InternalError', requestId));
        return;
      }
      const attributes: Record<string, string> = {};
      for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
        attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] =
          form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
      }
      published.push({
        at: Date.now(),
        subject: form.get('Subject') ?? '',
        message: form.get('Message') ?? '',
        attributes,
      });
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
        );
    });
  });
  await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));

  Object.assign(process.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${(sns.address() as AddressInfo).port}`,
    SNAPSHOT_TABLE_NAME: TABLE,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    IT_POLLER_REDIS_PASSWORD: topo.password,
  });
  store = dynamo.store;
}, 60_000);

afterAll(async () => {
  await topo?.down();
  await dynamo?.close();
  await new Promise<void>((resolve) => (sns ? sns.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  published = [];
  failNext = 0;
  failedCalls = 0;
  logs = [];
  spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(String(chunk));
      return true;
    }),
  );
});

afterEach(() => {
  for (const spy of spies) spy.mockRestore();
});

function snsError(code: string, requestId: string): string {
  return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>${code}</Code><Message>simulated</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

describe('Function: handler (poller) against a real topology, dynalite and an SNS stand-in', () => {
  it('stays silent over several invocations of a healthy deployment, storing every poll', async () => {
    // Prepare
    const handler = loadHandler();
    const from = new Date().toISOString();

    // Act
    for (let i = 0; i < 3; i++) await handler({}, context());

    // Assess
    expect(published).toEqual([]);
    const history = await store.history(DEPLOYMENT, { from, to: new Date().toISOString() });
    expect(history).toHaveLength(3);
    expect(history.every((r) => r.master === `127.0.0.1:${BASE}` && r.findings.length === 0)).toBe(true);
    const state = await store.loadState<PollerState>(DEPLOYMENT);
    expect(state?.version).toBe(3);
    expect(state?.state.outbox).toEqual([]);
    expect(logs.join('')).not.toContain(topo.password);
  });

  it('publishes MASTER_CHANGED after a kill -9 of the master, once, even when SNS fails at first', async () => {
    // Prepare
    const handler = loadHandler();
    await handler({}, context());
    const { old, next } = await killMasterAndWaitForSwitch();

    // Act: SNS refuses the first invocation's every try; the next invocation sends what is pending.
    failNext = 4;
    const first = await handler({}, context());
    const second = await handler({}, context());
    const third = await handler({}, context());

    // Assess
    expect(failedCalls).toBe(4);
    expect(first.deployments[0]).toMatchObject({ published: 0, stopped: 'done' });
    expect(first.deployments[0].pending).toBeGreaterThanOrEqual(1);
    expect(second.deployments[0]).toMatchObject({ pending: 0, stopped: 'done' });
    expect(third.deployments[0]).toMatchObject({ pending: 0, stopped: 'done' });
    expect(switches()).toHaveLength(1);
    const [alert] = switches();
    expect(alert.subject).toBe(
      `[CRITICAL] ${DEPLOYMENT}: master switched 127.0.0.1:${old} → 127.0.0.1:${next}`,
    );
    expect(alert.attributes).toMatchObject({
      severity: 'critical',
      code: 'MASTER_CHANGED',
      deployment: DEPLOYMENT,
      type: 'event',
      oldMaster: `127.0.0.1:${old}`,
      newMaster: `127.0.0.1:${next}`,
    });
    expect(alert.message).toContain(`Old master:  127.0.0.1:${old}`);
    expect(alert.message).toContain(`New master:  127.0.0.1:${next}`);
    // Every alert went out exactly once (the third invocation only resolves the short failover).
    const keys = published.map((p) => p.attributes.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(published.length).toBe(first.deployments[0].pending + third.deployments[0].published);
    expect(logs.join('')).not.toContain(topo.password);

    await rejoin(old, next);
  });

  it('listens to the sentinels between polls and reports a failover within seconds, with its timeline', async () => {
    // Prepare: poll every 5 s; the invocation has 16 s
    const handler = loadHandler({ pollEverySeconds: 5 });
    const running = handler({}, context(16_000));
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Act
    const { old, next, killedAt } = await killMasterAndWaitForSwitch();
    const summary = await running;

    // Assess
    expect(summary.deployments[0].polls).toBeGreaterThanOrEqual(3);
    expect(switches()).toHaveLength(1);
    const [alert] = switches();
    expect(alert.subject).toBe(
      `[CRITICAL] ${DEPLOYMENT}: master switched 127.0.0.1:${old} → 127.0.0.1:${next}`,
    );
    expect(alert.at - killedAt).toBeLessThan(6_000);
    expect(alert.message).toContain('Failover timeline (sentinel events, UTC):');
    expect(alert.message).toMatch(/\+sdown +master mymaster 127\.0\.0\.1 \d+/);
    expect(alert.message).toMatch(
      new RegExp(`\\+switch-master +mymaster 127\\.0\\.0\\.1 ${old} 127\\.0\\.0\\.1 ${next}`),
    );

    await rejoin(old, next);
  });

  it("reports a drill's failover as info while the drill holds its signed lock", async () => {
    // Prepare: a settled deployment, and the earlier tests' switches out of the flapping window
    // (2 x failover-timeout = 10 s): a real second failover after them would rightly be MASTER_FLAPPING.
    await waitFor(
      async () => {
        const views = await topo.sentinelViews(300);
        const masters = new Set(views.map((v) => v.master?.port));
        const status = await topo.status();
        const replicas = status.processes.filter((p) => p.role === 'replica');
        return masters.size === 1 && replicas.length === 2 && replicas.every((r) => r.linkUp);
      },
      30_000,
      'a settled deployment',
      250,
    );
    // A switch is timed when a poll sees it: poll, let the window pass, and poll twice more so that any
    // MASTER_FLAPPING from the earlier tests' failovers (a spurious second one happens under load) is
    // opened and resolved before the drill starts.
    const handler = loadHandler();
    await handler({}, context());
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    await handler({}, context());
    await handler({}, context());
    published = [];
    const old = (await topo.currentMaster())!.port;
    // The lock as a drill writes it right before SENTINEL FAILOVER, signed with the drill key the
    // poller reads (here from SENTINEL_WATCH_DRILL_KEY; in AWS from DRILL_KEY_SECRET_ARN)
    const drillKey = 'poller-test-drill-key-0123456789abcdef';
    process.env.SENTINEL_WATCH_DRILL_KEY = drillKey;
    const lockKey = drillLockKey(DEPLOYMENT);
    const holdLock = () =>
      topo.withClient(old, async (c) => {
        const lock = drillLockNow(DEPLOYMENT, old, drillKey, { id: 'drill-it' });
        expect(await c.set(lockKey, lock, 'PX', 15_000)).toBe('OK');
        await c.call('WAIT', '2', '1000');
      });
    const admin = new Redis(topo.sentinelPorts[0], { lazyConnect: true, protocol: 2 });
    await admin.connect();
    try {
      // Right after the earlier failovers Sentinel may not trust a replica yet (NOGOODSLAVE): retry.
      await waitFor(
        async () => {
          await holdLock();
          return (await admin.call('SENTINEL', 'FAILOVER', topo.masterName)) === 'OK';
        },
        20_000,
        'Sentinel to accept SENTINEL FAILOVER',
        500,
      );
    } finally {
      admin.disconnect();
    }
    await waitFor(
      async () => (await topo.sentinelViews(300)).every((v) => v.master && v.master.port !== old),
      20_000,
      'every sentinel to name the promoted replica',
    );

    // Act
    await handler({}, context());

    // Assess
    expect(switches()).toHaveLength(1);
    expect(switches()[0].subject).toMatch(
      /^\[INFO\] it-poller: master switched 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ \(drill\)$/,
    );
    expect(switches()[0].attributes).toMatchObject({ severity: 'info', drillId: 'drill-it' });
    expect(published.filter((p) => p.attributes.severity === 'critical')).toEqual([]);
    delete process.env.SENTINEL_WATCH_DRILL_KEY;
  });
});
