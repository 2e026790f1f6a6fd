// The bundled PagerDuty and webhook notifiers held to the Slack notifier's guarantees
// (slack-delivery.test.ts): one alert, one delivery, even when SNS or Lambda delivers it twice; a slow
// receiver that answers within a try is not sent a second copy; a long Retry-After ends the invocation
// well before the function's 30 s, and Lambda's retry delivers once. Against a local receiver, dynalite
// as the table of delivery records and a local Secrets Manager. No redis-server: runs without the lock.

import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { AWS_LIMITS } from '../../lambdas/adapters/aws-clients';
import { POST_DEFAULTS } from '../../lambdas/adapters/http-post';
import {
  type Bundles,
  buildBundles,
  type Invocation,
  invokeBundle,
  logsWith,
} from './support/bundled-handler';
import {
  type SecretsStandIn,
  startSecretsStandIn,
  startWebhookStandIn,
  type WebhookStandIn,
} from './support/http-stand-ins';
import { snsEvent, switchNotification } from './support/sns-event';

const PAGERDUTY = 'lambdas/pagerduty/handler.ts';
const WEBHOOK = 'lambdas/webhook/handler.ts';
const TABLE = 'sentinel-watch-notifier-delivery-it';
const PD_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pagerduty-AbCdEf';
const HOOK_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-GhIjKl';
const TOKEN = 'r3ceiverT0ken';
/** The notifiers' timeout (lib/constructs/notifier.ts). */
const FUNCTION_TIMEOUT_MS = 30_000;

let bundles: Bundles;
let dynamo: EmbeddedDynamo;
let secrets: SecretsStandIn;
let receiver: WebhookStandIn;

interface Case {
  readonly name: string;
  readonly bundle: string;
  /** How its logs and errors name it. */
  readonly channel: string;
  readonly service: string;
  readonly env: () => Record<string, string>;
}

const CASES: readonly Case[] = [
  {
    name: 'PagerDuty',
    bundle: PAGERDUTY,
    channel: 'PagerDuty',
    service: 'PagerDuty',
    env: () => ({ PAGERDUTY_ROUTING_KEY_SECRET_ARN: PD_SECRET, PAGERDUTY_EVENTS_URL: receiver.url }),
  },
  {
    name: 'webhook',
    bundle: WEBHOOK,
    channel: 'webhook in-house',
    service: 'webhook in-house',
    env: () => ({ WEBHOOK_NAME: 'in-house', WEBHOOK_SECRET_ARN: HOOK_SECRET }),
  },
];

beforeAll(async () => {
  receiver = await startWebhookStandIn(TOKEN);
  [bundles, dynamo, secrets] = await Promise.all([
    buildBundles([PAGERDUTY, WEBHOOK]),
    startEmbeddedDynamo(TABLE),
    startSecretsStandIn({
      [PD_SECRET]: JSON.stringify({ routingKey: 'R0UT1NGKEYs3cr3t456789abcdefABCD' }),
      [HOOK_SECRET]: JSON.stringify({ url: receiver.url, signingSecret: 'whsec_c2VudGluZWwtd2F0Y2g=' }),
    }),
  ]);
}, 60_000);

afterAll(async () => {
  bundles?.cleanup();
  await Promise.all([dynamo?.close(), secrets?.close(), receiver?.close()]);
});

beforeEach(() => {
  receiver.received.length = 0;
  receiver.replies = [];
});

/** One invocation, as Lambda makes it for SNS (asynchronously, the function's timeout ahead). */
function invoke(c: Case, messageId: string): Promise<Invocation> {
  return invokeBundle(bundles.path(c.bundle), {
    env: {
      ...c.env(),
      SNAPSHOT_TABLE_NAME: TABLE,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    },
    event: snsEvent(switchNotification, `${c.name}-${messageId}`),
    remainingMs: FUNCTION_TIMEOUT_MS,
  });
}

const noSecretIn = (run: Invocation) => expect(run.stdout + run.stderr).not.toContain(TOKEN);

describe.each(CASES)('Bundled handler: $name notifier', (c) => {
  it('delivers once to a receiver that answers after 6 s, instead of giving up and sending again', async () => {
    // Prepare
    receiver.replies = [{ status: 202, body: '{"status":"success"}', delayMs: 6_000 }];

    // Act
    const run = await invoke(c, 'slow');

    // Assess
    expect(POST_DEFAULTS.timeoutMs).toBeGreaterThan(6_000);
    expect(run.outcome).toBe('returned');
    expect(run.result).toEqual({ posted: 1 });
    expect(receiver.received).toHaveLength(1);
    noSecretIn(run);
  }, 60_000);

  it('does not deliver again when Lambda or SNS delivers the same message a second time', async () => {
    // Act
    const first = await invoke(c, 'twice');
    const second = await invoke(c, 'twice');

    // Assess
    expect(first.result).toEqual({ posted: 1 });
    expect(second.result).toEqual({ posted: 0 });
    expect(receiver.received).toHaveLength(1);
    expect(logsWith(second, `already posted to ${c.channel}; not posting again`)).toHaveLength(1);
  }, 60_000);

  it('ends well before the function timeout when asked to wait longer, and the retry delivers once', async () => {
    // Prepare: rate limited, "come back in 20 s"
    receiver.replies = [{ status: 429, body: 'rate limited', headers: { 'retry-after': '20' } }];

    // Act: the first invocation fails; Lambda invokes again (a minute later, in AWS)
    const first = await invoke(c, 'retry-after');
    const retry = await invoke(c, 'retry-after');
    const again = await invoke(c, 'retry-after');

    // Assess
    expect(first.outcome).toBe('threw');
    expect(first.error?.name).toBe('DeliveryError');
    expect(first.error?.message).toContain(`${c.service} asked to wait 20 s`);
    expect(first.elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS - AWS_LIMITS.dynamodb.callTimeoutMs);
    expect(retry.result).toEqual({ posted: 1 });
    expect(again.result).toEqual({ posted: 0 });
    expect(receiver.received).toHaveLength(2);
    noSecretIn(first);
  }, 90_000);
});
