// Every AWS call of the shipped handlers ends by its deadline. Each handler is bundled as the stack
// bundles it and invoked in its own process; one AWS endpoint at a time is a local server that accepts
// the connection and never answers, the others are dynalite and an SNS stand-in. The deployment's
// sentinels are ports of this suite's range where nothing listens, so a poll finds a critical problem
// at once (no Redis needed) and has an alert to publish.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { AWS_LIMITS } from '../../lambdas/adapters/aws-clients';
import { type Bundles, buildBundles, invokeBundle, logsWith } from './support/bundled-handler';
import {
  type HangingServer,
  type SnsStandIn,
  startHangingServer,
  startSnsStandIn,
} from './support/http-stand-ins';

const POLLER = 'lambdas/poller/handler.ts';
const DRILL = 'lambdas/drill/handler.ts';
const SLACK = 'lambdas/slack/handler.ts';
const TABLE = 'sentinel-watch-deadlines-it';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:sentinel-watch-deadlines';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-password-AbCdEf';
/** Nothing listens on these (this suite's range is 8900-8999). */
const SENTINELS = [8901, 8902, 8903].map((port) => `127.0.0.1:${port}`);

let bundles: Bundles;
let dynamo: EmbeddedDynamo;
let sns: SnsStandIn;
let hanging: HangingServer;

beforeAll(async () => {
  [bundles, dynamo, sns, hanging] = await Promise.all([
    buildBundles([POLLER, DRILL, SLACK]),
    startEmbeddedDynamo(TABLE),
    startSnsStandIn(TOPIC_ARN),
    startHangingServer(),
  ]);
}, 60_000);

afterAll(async () => {
  bundles?.cleanup();
  await Promise.all([dynamo?.close(), sns?.close(), hanging?.close()]);
});

function config(deployment: string, password: 'env' | 'secret'): string {
  return JSON.stringify({
    deployments: [
      {
        name: deployment,
        masterName: 'mymaster',
        sentinels: SENTINELS,
        timeoutMs: 300,
        ...(password === 'env' ? { passwordEnv: 'IT_REDIS_PASSWORD' } : { passwordSecretArn: SECRET_ARN }),
      },
    ],
  });
}

/** The environment of a handler whose endpoints are all fine except `hang`. */
function env(
  deployment: string,
  hang: 'sns' | 'dynamodb' | 'secrets',
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    SENTINEL_WATCH_CONFIG: config(deployment, hang === 'secrets' ? 'secret' : 'env'),
    IT_REDIS_PASSWORD: 'deadline-test-password',
    SNAPSHOT_TABLE_NAME: TABLE,
    ALERT_TOPIC_ARN: TOPIC_ARN,
    AWS_ENDPOINT_URL_SNS: hang === 'sns' ? hanging.endpoint : sns.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: hang === 'dynamodb' ? hanging.endpoint : dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: hanging.endpoint,
    ...overrides,
  };
}

describe('Bundled handler: poller', () => {
  it('returns in time when SNS never answers, logs "polled" and keeps the alert pending', async () => {
    // Act
    const run = await invokeBundle(bundles.path(POLLER), {
      env: env('dl-poller-sns', 'sns'),
      remainingMs: 30_000,
    });

    // Assess
    expect(run.outcome).toBe('returned');
    // Four tries of one attempt each, ended by the attempt timeout, with backoff (0.2 + 0.4 + 0.8 s at
    // most) between them: well inside the 30 s timeout.
    expect(run.elapsedMs).toBeGreaterThanOrEqual(4 * AWS_LIMITS.outboxPublish.attemptTimeoutMs);
    expect(run.elapsedMs).toBeLessThan(4 * AWS_LIMITS.outboxPublish.callTimeoutMs + 1_400 + 1_000);
    const [polled] = logsWith(run, 'polled');
    expect(polled).toMatchObject({ deployment: 'dl-poller-sns', published: 0 });
    // Every notification of the poll waits for the next one; only the oldest was tried.
    expect(polled.pending).toBe((polled.notifications as string[]).length);
    const failures = logsWith(run, 'publish failed');
    expect(failures).toHaveLength(4);
    expect(failures[0].error).toContain('TimeoutError');
    expect(hanging.bytesReceived()).toBeGreaterThan(0);
  }, 60_000);

  it('fails the poll in time when DynamoDB never answers, naming the operation', async () => {
    // Act
    const run = await invokeBundle(bundles.path(POLLER), {
      env: env('dl-poller-dynamo', 'dynamodb'),
      remainingMs: 30_000,
    });

    // Assess
    expect({ outcome: run.outcome, error: run.error?.name }).toEqual({
      outcome: 'threw',
      error: 'PollerError',
    });
    expect(run.elapsedMs).toBeLessThan(AWS_LIMITS.dynamodb.callTimeoutMs + 1_000);
    expect(run.error?.message).toMatch(/DynamoDB Get \((loadState|currentLock)\) .* failed: TimeoutError/);
    expect(logsWith(run, 'poll failed')).toHaveLength(1);
  }, 60_000);

  it('fails the poll in time when Secrets Manager never answers, naming the secret', async () => {
    // Act
    const run = await invokeBundle(bundles.path(POLLER), {
      env: env('dl-poller-secrets', 'secrets'),
      remainingMs: 30_000,
    });

    // Assess
    expect(run.outcome).toBe('threw');
    expect(run.elapsedMs).toBeLessThan(AWS_LIMITS.secretsManager.callTimeoutMs + 1_000);
    expect(run.error?.message).toContain(`secret ${SECRET_ARN}: could not be read (TimeoutError)`);
  }, 60_000);
});

describe('Bundled handler: drill (a dry run that preflight refuses: no sentinel answers)', () => {
  it('returns its report in time when SNS never answers, logging the failed notification', async () => {
    // Act
    const run = await invokeBundle(bundles.path(DRILL), {
      env: env('dl-drill-sns', 'sns'),
      event: { dryRun: true },
      remainingMs: 60_000,
    });

    // Assess
    expect(run.outcome).toBe('returned');
    expect(run.elapsedMs).toBeLessThan(AWS_LIMITS.publish.callTimeoutMs + 2_000);
    expect(run.result).toMatchObject({ deployment: 'dl-drill-sns', outcome: 'refused' });
    expect(logsWith(run, 'could not publish the drill notification')[0]?.error).toContain('TimeoutError');
  }, 90_000);

  it('returns its report in time when DynamoDB never answers, logging the unstored report', async () => {
    // Act
    const run = await invokeBundle(bundles.path(DRILL), {
      env: env('dl-drill-dynamo', 'dynamodb'),
      event: { dryRun: true },
      remainingMs: 60_000,
    });

    // Assess
    expect(run.outcome).toBe('returned');
    expect(run.elapsedMs).toBeLessThan(AWS_LIMITS.dynamodb.callTimeoutMs + 2_000);
    expect(logsWith(run, 'could not store the drill report')[0]?.error).toContain('TimeoutError');
    expect(sns.published.some((p) => p.attributes.deployment === 'dl-drill-dynamo')).toBe(true);
  }, 90_000);

  it('refuses in time when Secrets Manager never answers, naming the config field', async () => {
    // Act
    const run = await invokeBundle(bundles.path(DRILL), {
      env: env('dl-drill-secrets', 'secrets'),
      event: { dryRun: true },
      remainingMs: 60_000,
    });

    // Assess
    expect(run.outcome).toBe('threw');
    expect(run.elapsedMs).toBeLessThan(AWS_LIMITS.secretsManager.callTimeoutMs + 1_000);
    expect(run.error).toMatchObject({ name: 'CredentialsUnavailableError' });
    expect(run.error?.message).toContain('TimeoutError');
  }, 90_000);
});

describe('Bundled handler: Slack notifier', () => {
  // Its DynamoDB client (delivery records) is proven in slack-delivery.test.ts: it posts anyway.
  it('fails in time when Secrets Manager never answers, naming the secret, so Lambda retries it', async () => {
    // Act
    const run = await invokeBundle(bundles.path(SLACK), {
      env: { ...env('dl-slack', 'secrets'), SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN },
      event: { Records: [{ Sns: { MessageId: 'm-1', Subject: 's', Message: 'm', MessageAttributes: {} } }] },
      remainingMs: 30_000,
    });

    // Assess
    expect(run.outcome).toBe('threw');
    expect(run.elapsedMs).toBeLessThan(AWS_LIMITS.secretsManager.callTimeoutMs + 1_000);
    expect(run.error?.message).toBe(`secret ${SECRET_ARN}: could not be read (TimeoutError)`);
  }, 60_000);
});

describe('CLI: sentinel-watch history', () => {
  it('gives up in time when DynamoDB never answers, and says why', async () => {
    // Prepare
    const started = Date.now();

    // Act
    const result = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bin/sentinel-watch.ts', 'history', '--table', TABLE, '--deployment', 'any'],
      {
        cwd: join(__dirname, '..', '..'),
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_ENDPOINT_URL_DYNAMODB: hanging.endpoint,
        },
        timeout: 40_000,
      },
    ).then(
      () => ({ code: 0, stderr: '', signal: null }),
      (e: { code?: number; stderr?: string; signal?: string }) => ({
        code: e.code,
        stderr: e.stderr ?? '',
        signal: e.signal ?? null,
      }),
    );

    // Assess
    expect(result.signal).toBeNull();
    // Module loading with tsx takes a few seconds on top.
    expect(Date.now() - started).toBeLessThan(AWS_LIMITS.cliDynamodb.callTimeoutMs + 8_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`DynamoDB Query (history) on table "${TABLE}" failed: TimeoutError`);
  }, 60_000);
});
