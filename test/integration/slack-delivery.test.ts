// The bundled Slack notifier against a local webhook that is slow, rate-limits or fails, with
// dynalite as the table it keeps its delivery records in and a local Secrets Manager holding the
// webhook URL. What a user must see: one alert, one Slack message, even across Lambda's own retries
// of the invocation, and an invocation that ends before the function's 30 s timeout.

import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { AWS_LIMITS } from '../../lambdas/adapters/aws-clients';
import { DeliveryLedger } from '../../lambdas/adapters/delivery-ledger';
import { createDocumentClient } from '../../lambdas/adapters/dynamo-store';
import { SLACK_POST_DEFAULTS } from '../../lambdas/adapters/slack-webhook';
import {
  type Bundles,
  buildBundles,
  type Invocation,
  invokeBundle,
  logsWith,
} from './support/bundled-handler';
import {
  type HangingServer,
  type SecretsStandIn,
  startHangingServer,
  startSecretsStandIn,
  startWebhookStandIn,
  type WebhookStandIn,
} from './support/http-stand-ins';
import { snsEvent, switchNotification } from './support/sns-event';

const SLACK = 'lambdas/slack/handler.ts';
const TABLE = 'sentinel-watch-slack-it';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-webhook-AbCdEf';
const TOKEN = 'T0AAAAAAA/B0BBBBBBB/s3cretW3bh00kT0ken';
/** The Slack function's timeout (lib/constructs/slack-notifier.ts). */
const FUNCTION_TIMEOUT_MS = 30_000;

let bundles: Bundles;
let dynamo: EmbeddedDynamo;
let secrets: SecretsStandIn;
let webhook: WebhookStandIn;
let hanging: HangingServer;

beforeAll(async () => {
  webhook = await startWebhookStandIn(TOKEN);
  [bundles, dynamo, secrets, hanging] = await Promise.all([
    buildBundles([SLACK]),
    startEmbeddedDynamo(TABLE),
    startSecretsStandIn({ [SECRET_ARN]: JSON.stringify({ webhookUrl: webhook.url }) }),
    startHangingServer(),
  ]);
}, 60_000);

afterAll(async () => {
  bundles?.cleanup();
  await Promise.all([dynamo?.close(), secrets?.close(), webhook?.close(), hanging?.close()]);
});

beforeEach(() => {
  webhook.received.length = 0;
  webhook.replies = [];
});

/** One invocation, as Lambda makes it for SNS (asynchronously, the function's timeout ahead). */
function invoke(messageId: string, dynamoEndpoint = dynamo.endpoint): Promise<Invocation> {
  return invokeBundle(bundles.path(SLACK), {
    env: {
      SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
      SNAPSHOT_TABLE_NAME: TABLE,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    },
    event: snsEvent(switchNotification, messageId),
    remainingMs: FUNCTION_TIMEOUT_MS,
  });
}

const noSecretIn = (run: Invocation) => expect(run.stdout + run.stderr).not.toContain(TOKEN);

describe('Bundled handler: Slack notifier', () => {
  it('posts once to a webhook that answers after 6 s, instead of giving up and posting again', async () => {
    // Prepare
    webhook.replies = [{ status: 200, body: 'ok', delayMs: 6_000 }];

    // Act
    const run = await invoke('msg-slow');

    // Assess
    expect(run.outcome).toBe('returned');
    expect(run.result).toEqual({ posted: 1 });
    expect(webhook.received).toHaveLength(1);
    noSecretIn(run);
  }, 60_000);

  it('does not post again when Lambda or SNS delivers the same message a second time', async () => {
    // Act
    const first = await invoke('msg-twice');
    const second = await invoke('msg-twice');

    // Assess
    expect(first.result).toEqual({ posted: 1 });
    expect(second.outcome).toBe('returned');
    expect(second.result).toEqual({ posted: 0 });
    expect(webhook.received).toHaveLength(1);
    expect(logsWith(second, 'already posted to Slack; not posting again')).toHaveLength(1);
  }, 60_000);

  it('ends well before the function timeout when Slack asks to wait longer, and the retry posts once', async () => {
    // Prepare: rate limited, "come back in 20 s", on every try of the first invocation
    webhook.replies = Array.from({ length: 4 }, () => ({
      status: 429,
      body: 'rate_limited',
      headers: { 'retry-after': '20' },
    }));

    // Act: the first invocation fails; Lambda invokes again (a minute later, in AWS) and Slack is back
    const first = await invoke('msg-429');
    const triedFirst = webhook.received.length;
    webhook.replies = [];
    const retry = await invoke('msg-429');
    const again = await invoke('msg-429');

    // Assess
    expect(first.outcome).toBe('threw');
    expect(first.error?.name).toBe('SlackWebhookError');
    expect(first.elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS - 5_000);
    expect(first.error?.message).toContain('Slack asked to wait 20 s');
    expect(retry.result).toEqual({ posted: 1 });
    expect(again.result).toEqual({ posted: 0 });
    expect(webhook.received.length - triedFirst).toBe(1);
    noSecretIn(first);
  }, 90_000);

  it('stops trying a webhook that never answers in time to fail before the function timeout', async () => {
    // Prepare: the first two tries get no answer at all
    webhook.replies = [
      { status: 200, delayMs: 60_000 },
      { status: 200, delayMs: 60_000 },
    ];

    // Act
    const first = await invoke('msg-hang');
    const retry = await invoke('msg-hang');

    // Assess: two full tries fit (10 s each, with the delivery record's 5.5 s kept free), a third not
    expect(first.outcome).toBe('threw');
    expect(first.error?.message).toContain('request failed (TimeoutError)');
    expect(first.elapsedMs).toBeGreaterThanOrEqual(2 * SLACK_POST_DEFAULTS.timeoutMs);
    expect(first.elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS - AWS_LIMITS.dynamodb.callTimeoutMs);
    expect(retry.result).toEqual({ posted: 1 });
  }, 90_000);

  it('posts anyway, in time, when its delivery records cannot be reached', async () => {
    // Act: DynamoDB accepts connections and never answers
    const run = await invoke('msg-no-ledger', hanging.endpoint);

    // Assess
    expect(run.result).toEqual({ posted: 1 });
    expect(webhook.received).toHaveLength(1);
    expect(run.elapsedMs).toBeLessThan(2 * AWS_LIMITS.dynamodb.callTimeoutMs + 2_000);
    expect(
      logsWith(run, 'could not check the delivery record; posting anyway (a retry may post it twice)'),
    ).toHaveLength(1);
  }, 60_000);
});

describe('Class: DeliveryLedger (dynalite)', () => {
  const ledger = () =>
    new DeliveryLedger({
      client: createDocumentClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        endpoint: dynamo.endpoint,
      }),
      tableName: TABLE,
      channel: 'slack',
    });

  it('leaves a message to a live holder, takes it over when the lease ended, and refuses it once posted', async () => {
    // Prepare
    const l = ledger();
    const now = Date.now();

    // Act
    const first = await l.claim('msg-lease', 'crashed', now, now + 30_000);
    const whileHeld = await l.claim('msg-lease', 'retry', now + 1_000, now + 31_000);
    const afterLease = await l.claim('msg-lease', 'retry', now + 30_001, now + 60_000);
    await l.posted('msg-lease', 'retry', now + 30_002);
    const afterPost = await l.claim('msg-lease', 'third', now + 90_000, now + 120_000);

    // Assess
    expect(first).toEqual({ outcome: 'mine' });
    expect(whileHeld).toEqual({ outcome: 'busy', until: now + 30_000 });
    expect(afterLease).toEqual({ outcome: 'mine' });
    expect(afterPost).toEqual({ outcome: 'posted', postedAt: new Date(now + 30_002).toISOString() });
  });

  it("gives a failed post back, but never someone else's record", async () => {
    // Prepare
    const l = ledger();
    const now = Date.now();
    await l.claim('msg-release', 'me', now, now + 30_000);

    // Act
    await l.release('msg-release', 'someone-else');
    const stillHeld = await l.claim('msg-release', 'retry', now + 1, now + 30_000);
    await l.release('msg-release', 'me');
    const free = await l.claim('msg-release', 'retry', now + 2, now + 30_000);

    // Assess
    expect(stillHeld.outcome).toBe('busy');
    expect(free).toEqual({ outcome: 'mine' });
  });
});
