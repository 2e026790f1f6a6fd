// The Slack notifier handler posting, with Node's real fetch, to a local HTTP server standing in for a
// Slack incoming webhook. Secrets Manager is mocked (it only hands over the webhook URL), and so is
// DynamoDB (its delivery records, which slack-delivery.test.ts exercises against dynalite).

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { SlackPayload } from '../../lambdas/core/slack-message';
import { snsEvent, switchNotification } from './support/sns-event';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-webhook-AbCdEf';
const TOKEN = 'T0AAAAAAA/B0BBBBBBB/s3cretW3bh00kT0ken';

Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
  SNAPSHOT_TABLE_NAME: 'sentinel-watch-slack-test',
});
// Required after the environment is set: the handler validates it at module load (cold start).
const { createSlackHandler, handler } =
  require('../../lambdas/slack/handler') as typeof import('../../lambdas/slack/handler');

interface Received {
  readonly at: number;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

const secrets = mockClient(SecretsManagerClient);
const dynamo = mockClient(DynamoDBDocumentClient);
let server: Server;
let webhookUrl: string;
let received: Received[];
let replies: Reply[];
let logs: string[];
let spies: jest.SpyInstance[];

const context = { awsRequestId: 'req-slack', functionName: 'sentinel-watch-slack' } as unknown as Context;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body });
      const reply = replies.shift() ?? { status: 200, body: 'ok' };
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${TOKEN}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  // Every delivery record is free to take: each test's message is new.
  dynamo.reset();
  dynamo.on(PutCommand).resolves({});
  dynamo.on(DeleteCommand).resolves({});
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ webhookUrl }) });
  received = [];
  replies = [];
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
  // Nothing the notifier wrote may contain the webhook's secret path.
  expect(logs.join('')).not.toContain(TOKEN);
});

describe('Function: handler (Slack notifier) against a local webhook', () => {
  it('posts one Block Kit message per alert, coloured by severity, with the alert fields', async () => {
    // Act
    const result = await handler(snsEvent(switchNotification), context);

    // Assess
    expect(result).toEqual({ posted: 1 });
    expect(received).toHaveLength(1);
    expect(received[0].path).toBe(`/services/${TOKEN}`);
    expect(received[0].headers['content-type']).toBe('application/json');
    const payload = JSON.parse(received[0].body) as SlackPayload;
    expect(payload.text).toBe('[CRITICAL] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379');
    expect(payload.attachments[0].color).toBe('#D72B3F');
    expect(payload.attachments[0].blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'context',
    ]);
    expect(JSON.stringify(payload.attachments[0].blocks[2])).toContain('*Old master*\\n10.0.1.61:6379');
    expect(JSON.stringify(payload.attachments[0].blocks[2])).toContain('*New master*\\n10.0.1.63:6379');
    expect(logs.join('')).toContain('"message":"posted to Slack"');
  });

  it('posts a resolved incident in green with how long it lasted', async () => {
    // Act
    await handler(
      snsEvent({
        ...switchNotification,
        type: 'resolved',
        code: 'REPLICA_LAGGING',
        severity: 'warning',
        subject: 'node 10.0.1.62:6379',
        message: 'Resolved after 12 min: REPLICA_LAGGING on node 10.0.1.62:6379 is no longer reported.',
        durationMs: 12 * 60_000,
        details: {},
      }),
      context,
    );

    // Assess
    const payload = JSON.parse(received[0].body) as SlackPayload;
    expect(payload.attachments[0].color).toBe('#2EB67D');
    expect(JSON.stringify(payload)).toContain('*Lasted*\\n12 min');
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    // Prepare
    replies = [
      { status: 500, body: 'internal_error' },
      { status: 200, body: 'ok' },
    ];

    // Act
    const result = await handler(snsEvent(switchNotification), context);

    // Assess
    expect(result).toEqual({ posted: 1 });
    expect(received).toHaveLength(2);
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(450);
    expect(received[1].body).toBe(received[0].body);
    expect(logs.join('')).toContain('"message":"Slack webhook busy or failing; retrying"');
  });

  it('honours Retry-After on a 429', async () => {
    // Prepare
    replies = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, { status: 200 }];

    // Act
    await handler(snsEvent(switchNotification), context);

    // Assess
    expect(received).toHaveLength(2);
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait out a long Retry-After: it fails at once, with an error that hides the URL', async () => {
    // Prepare
    replies = [{ status: 429, body: 'rate_limited', headers: { 'retry-after': '120' } }];
    const started = Date.now();

    // Act
    const error = (await handler(snsEvent(switchNotification), context).catch((e: unknown) => e)) as Error;

    // Assess: Lambda retries the invocation a minute or two later
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(received).toHaveLength(1);
    expect(error.name).toBe('SlackWebhookError');
    expect(error.message).toBe(
      'Slack webhook: HTTP 429 rate_limited; Slack asked to wait 120 s, more than 10 s (after 1 attempt)',
    );
    expect(error.message).not.toContain(TOKEN);
  });

  it('gives up after its tries when Slack keeps failing', async () => {
    // Prepare
    replies = Array.from({ length: 3 }, () => ({ status: 503, body: 'service_unavailable' }));
    const impatient = createSlackHandler({ post: { attempts: 3, baseDelayMs: 10 } });

    // Act
    const error = (await impatient(snsEvent(switchNotification), context).catch((e: unknown) => e)) as Error;

    // Assess
    expect(received).toHaveLength(3);
    expect(error.message).toBe('Slack webhook: HTTP 503 service_unavailable (after 3 attempts)');
  });

  it('does not retry a 4xx other than 429 (a bad payload or a revoked webhook)', async () => {
    // Prepare
    replies = [{ status: 404, body: 'no_service' }];

    // Act
    const error = (await handler(snsEvent(switchNotification), context).catch((e: unknown) => e)) as Error;

    // Assess
    expect(received).toHaveLength(1);
    expect(error.message).toBe('Slack webhook: HTTP 404 no_service (after 1 attempt)');
  });

  it.each([
    [undefined, 'SLACK_WEBHOOK_SECRET_ARN: is not set'],
    [
      'https://hooks.slack.com/x',
      'SLACK_WEBHOOK_SECRET_ARN: "https://hooks.slack.com/x" is not a Secrets Manager secret ARN',
    ],
  ])('refuses to start with SLACK_WEBHOOK_SECRET_ARN=%s', (value, message) => {
    // Prepare
    const saved = process.env.SLACK_WEBHOOK_SECRET_ARN;
    if (value === undefined) delete process.env.SLACK_WEBHOOK_SECRET_ARN;
    else process.env.SLACK_WEBHOOK_SECRET_ARN = value;
    let error: unknown;

    // Act
    try {
      jest.isolateModules(() => {
        require('../../lambdas/slack/handler');
      });
    } catch (e) {
      error = e;
    } finally {
      process.env.SLACK_WEBHOOK_SECRET_ARN = saved;
    }

    // Assess
    expect(error).toMatchObject({ name: 'ConfigError', message });
  });

  it('reads a webhook URL stored as plain text too', async () => {
    // Prepare
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: webhookUrl });

    // Act
    await createSlackHandler()(snsEvent(switchNotification), context);

    // Assess
    expect(received).toHaveLength(1);
  });
});
