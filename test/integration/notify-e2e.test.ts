// End to end, locally: a real Sentinel topology (ports 8300-8302, sentinels 28300-28302), the poller
// handler with dynalite as DynamoDB, an SNS stand-in, and the three notifiers bundled as they are
// deployed (esbuild, the stack's settings), each invoked in its own process with what SNS would hand it,
// reading its secret from a Secrets Manager stand-in and posting to a local receiver: Slack (Block Kit
// limits checked), PagerDuty (Events API v2 schema checked) and a webhook (signature verified).
// A replica is killed (an incident opens) and started again (it resolves). Run under the lock.

import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { LocalTopology } from '../../cli/local/topology';
import type { Notice } from '../../lambdas/core/notify/notice';
import type { PagerDutyEvent } from '../../lambdas/core/notify/pagerduty';
import { slackPayloadProblems } from '../../lambdas/core/notify/slack-limits';
import type { SlackWebhookPayload } from '../../lambdas/core/slack-message';
import type { RunSummary } from '../../lambdas/poller/run';
import { HttpReceiver } from '../helpers/http-receiver';
import { type Bundles, bundleHandlers, type Invocation, invokeBundle } from '../helpers/lambda-bundle';
import { alarmFixture, pagerDutyProblems } from '../helpers/notify';
import { SecretsStandIn } from '../helpers/secrets-stand-in';
import { type Published, SnsStandIn } from '../helpers/sns-stand-in';
import { verifyWebhook } from '../helpers/verify-webhook';

const BASE = 8300;
const TABLE = 'sentinel-watch-notify-e2e';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sentinel-watch-e2e';
const DEPLOYMENT = 'it-notify';
const ARN = (name: string) =>
  `arn:aws:secretsmanager:us-east-1:123456789012:secret:sentinel-watch/${name}-AbC123`;
const ROUTING_KEY = 'E2EROUTINGKEYs3cr3t0123456789abc';
const SIGNING_SECRET = 'whsec_ZTJlLXNpZ25pbmcta2V5LWZvci1zZW50aW5lbC13YXRjaA==';
const SLACK_TOKEN = 'T0E2E/B0E2E/e2eW3bh00kT0ken';
const PRESENTATION_ENV = {
  RUNBOOK_BASE_URL: 'https://github.com/example/sentinel-watch/blob/main/docs/alert-catalogue.md',
  DASHBOARD_URL:
    'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=it',
  ALERT_TIME_ZONE: 'Europe/Berlin',
};

let topo: LocalTopology;
let dynamo: EmbeddedDynamo;
let sns: SnsStandIn;
let secrets: SecretsStandIn;
let slack: HttpReceiver;
let pagerDuty: HttpReceiver;
let hook: HttpReceiver;
let bundles: Bundles;
let notifierEnv: Record<string, Record<string, string>>;

type Handler = (event: unknown, context: Context) => Promise<RunSummary>;

function loadPoller(): Handler {
  process.env.SENTINEL_WATCH_CONFIG = JSON.stringify({
    deployments: [
      {
        name: DEPLOYMENT,
        masterName: topo.masterName,
        sentinels: topo.sentinelAddresses,
        passwordEnv: 'IT_NOTIFY_REDIS_PASSWORD',
        timeoutMs: 500,
      },
    ],
  });
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = (require('../../lambdas/poller/handler') as typeof import('../../lambdas/poller/handler'))
      .handler;
  });
  return handler as Handler;
}

const context = (): Context => {
  const deadline = Date.now() + 30_000;
  return {
    awsRequestId: randomUUID(),
    functionName: 'sentinel-watch-poller',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
};

/** SNS's delivery to every Lambda subscriber: each notifier bundle, invoked once with the event. */
async function deliver(published: Published): Promise<Record<string, Invocation>> {
  const event = sns.lambdaEvent(published);
  const entries = await Promise.all(
    Object.entries(bundles.files).map(
      async ([name, file]) => [name, await invokeBundle(file, event, notifierEnv[name])] as const,
    ),
  );
  return Object.fromEntries(entries);
}

beforeAll(async () => {
  bundles = await bundleHandlers({
    slack: 'lambdas/slack/handler.ts',
    pagerduty: 'lambdas/pagerduty/handler.ts',
    webhook: 'lambdas/webhook/handler.ts',
  });
  topo = await LocalTopology.up({ basePort: BASE });
  dynamo = await startEmbeddedDynamo(TABLE);
  sns = await SnsStandIn.start(TOPIC_ARN);
  [slack, pagerDuty, hook] = await Promise.all([
    HttpReceiver.start(),
    HttpReceiver.start(),
    HttpReceiver.start(),
  ]);
  pagerDuty.check = (r) => pagerDutyProblems(r.body);
  pagerDuty.fallback = { status: 202, body: '{"status":"success","message":"Event processed"}' };
  hook.check = (r) => (verifyWebhook(SIGNING_SECRET, r.headers, r.body) ? [] : ['bad signature']);
  secrets = await SecretsStandIn.start({
    [ARN('slack')]: JSON.stringify({ webhookUrl: `${slack.url}/services/${SLACK_TOKEN}` }),
    [ARN('pagerduty')]: ROUTING_KEY,
    [ARN('hook')]: JSON.stringify({ url: `${hook.url}/hooks/sentinel`, signingSecret: SIGNING_SECRET }),
  });
  const aws = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    // The notifiers keep their delivery records in the watcher's table.
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    SNAPSHOT_TABLE_NAME: TABLE,
    ...PRESENTATION_ENV,
  };
  notifierEnv = {
    slack: { ...aws, SLACK_WEBHOOK_SECRET_ARN: ARN('slack') },
    pagerduty: {
      ...aws,
      PAGERDUTY_ROUTING_KEY_SECRET_ARN: ARN('pagerduty'),
      PAGERDUTY_EVENTS_URL: `${pagerDuty.url}/v2/enqueue`,
    },
    webhook: { ...aws, WEBHOOK_NAME: 'in-house', WEBHOOK_SECRET_ARN: ARN('hook') },
  };
  Object.assign(process.env, {
    ...aws,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    SNAPSHOT_TABLE_NAME: TABLE,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    IT_NOTIFY_REDIS_PASSWORD: topo.password,
  });
}, 120_000);

afterAll(async () => {
  await topo?.down();
  await dynamo?.close();
  await Promise.all([sns?.stop(), secrets?.stop(), slack?.stop(), pagerDuty?.stop(), hook?.stop()]);
  await bundles?.remove();
});

describe('poller → SNS stand-in → bundled notifiers → local receivers', () => {
  it('opens an incident when a replica dies and resolves it when it is back, in Slack, PagerDuty and a webhook', async () => {
    // Prepare: a healthy baseline.
    const poller = loadPoller();
    await poller({}, context());
    expect(sns.published).toEqual([]);
    const master = (await topo.currentMaster())?.port as number;
    const victim = topo.dataPorts.find((p) => p !== master) as number;

    // Act: the replica dies; the poller opens REPLICA_UNREACHABLE; it comes back and resolves after two polls.
    await topo.kill(victim);
    await poller({}, context());
    const opened = sns.published.find((p) => p.attributes.code === 'REPLICA_UNREACHABLE');
    expect(opened).toBeDefined();
    const first = await deliver(opened as Published);
    // SNS may deliver a message twice: every notifier's delivery record stops a second post.
    const again = await deliver(opened as Published);
    await topo.restart(victim, { replicaOf: master });
    for (let i = 0; i < 6 && !sns.published.some((p) => p.attributes.type === 'resolved'); i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      await poller({}, context());
    }
    const resolved = sns.published.find(
      (p) => p.attributes.type === 'resolved' && p.attributes.code === 'REPLICA_UNREACHABLE',
    );
    expect(resolved).toBeDefined();
    const second = await deliver(resolved as Published);

    // Assess: every notifier delivered both, at the first attempt.
    for (const run of [first, second]) {
      for (const [name, inv] of Object.entries(run)) {
        expect([name, inv.ok, inv.result]).toEqual([name, true, { posted: 1 }]);
        // No secret in what a notifier logged.
        for (const secret of [ROUTING_KEY, SIGNING_SECRET, SLACK_TOKEN])
          expect(inv.output).not.toContain(secret);
      }
    }
    for (const [name, inv] of Object.entries(again)) {
      expect([name, inv.ok, inv.result]).toEqual([name, true, { posted: 0 }]);
    }
    // Email: readable text with local time, the runbook and the dashboard; the notifiers got JSON.
    expect(opened?.message).toContain(`About: node 127.0.0.1:${victim}`);
    expect(opened?.message).toMatch(/Since: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d Europe\/Berlin \(/);
    expect(opened?.message).toContain(`Runbook: ${PRESENTATION_ENV.RUNBOOK_BASE_URL}#replica-unreachable`);
    expect(JSON.parse(opened?.lambdaMessage ?? '')).toMatchObject({
      schemaVersion: 1,
      code: 'REPLICA_UNREACHABLE',
    });

    // Slack: two valid messages, amber then green, the same incident reference.
    const [slackOpened, slackResolved] = slack.received.map((r) => JSON.parse(r.body) as SlackWebhookPayload);
    expect(slack.received.map((r) => r.path)).toEqual([
      `/services/${SLACK_TOKEN}`,
      `/services/${SLACK_TOKEN}`,
    ]);
    for (const p of [slackOpened, slackResolved]) expect(slackPayloadProblems(p)).toEqual([]);
    expect(slackOpened.attachments?.[0].color).toBe('#F2A900');
    expect(slackResolved.attachments?.[0].color).toBe('#2EB67D');
    const ref = (p: SlackWebhookPayload) => JSON.stringify(p).match(/Incident `([0-9a-f]{8})`/)?.[1];
    expect(ref(slackResolved)).toBe(ref(slackOpened));

    // PagerDuty: a trigger, then a resolve of the same dedup key, both valid Events v2 events.
    const events = pagerDuty.received.map((r) => JSON.parse(r.body) as PagerDutyEvent);
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(events[1].dedup_key).toBe(events[0].dedup_key);
    expect(events[0].payload).toMatchObject({
      severity: 'warning',
      source: `127.0.0.1:${victim}`,
      group: DEPLOYMENT,
    });

    // Webhook: two signed notices (the receiver verified both), firing then resolved, distinct ids.
    const notices = hook.received.map((r) => JSON.parse(r.body) as Notice);
    expect(notices.map((n) => [n.code, n.status])).toEqual([
      ['REPLICA_UNREACHABLE', 'firing'],
      ['REPLICA_UNREACHABLE', 'resolved'],
    ]);
    expect(notices[1].incidentKey).toBe(notices[0].incidentKey);
    expect(new Set(hook.received.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });

  it('renders a recorded CloudWatch alarm in every bundled notifier', async () => {
    // Prepare
    const [slackBefore, pdBefore, hookBefore] = [
      slack.received.length,
      pagerDuty.received.length,
      hook.received.length,
    ];

    // Act
    const runs = await Promise.all(
      Object.entries(bundles.files).map(([name, file]) =>
        invokeBundle(file, alarmFixture('poller-not-running-alarm.json'), notifierEnv[name]),
      ),
    );

    // Assess
    for (const inv of runs) expect([inv.ok, inv.result]).toEqual([true, { posted: 1 }]);
    const slackMessage = JSON.parse(slack.received[slackBefore].body) as SlackWebhookPayload;
    expect(slackPayloadProblems(slackMessage)).toEqual([]);
    expect(slackMessage.text).toBe(
      '<!here> :red_circle: *ALARM* SentinelWatch-poller-not-running is in ALARM',
    );
    expect(JSON.parse(pagerDuty.received[pdBefore].body)).toMatchObject({
      event_action: 'trigger',
      payload: { severity: 'error' },
    });
    expect(JSON.parse(hook.received[hookBefore].body)).toMatchObject({
      kind: 'watcher-alarm',
      status: 'firing',
    });
  });
});
