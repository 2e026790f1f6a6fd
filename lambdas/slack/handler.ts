// The Slack notifier Lambda, subscribed to the alert topic: middy wiring only. Each SNS record is
// rendered (core/slack-message.ts) and posted to the incoming webhook whose URL is kept in Secrets
// Manager (`SLACK_WEBHOOK_SECRET_ARN`: the URL as plain text, or JSON `{"webhookUrl": "..."}` /
// `{"url": "..."}`).
//
// One alert, one Slack message: before posting, the invocation claims the SNS MessageId in a delivery
// record (adapters/delivery-ledger.ts), so a message SNS delivers twice, or that Lambda hands to a
// retry after a post went through, is not posted again. A post that still fails after its tries
// releases the record and fails the invocation: Lambda's async retries (a minute or two later) take
// over, and the slack-errors alarm counts it. When the delivery record cannot be read or written the
// alert is posted anyway: a rare duplicate is better than a silence.
//
// Time: everything ends before the function's timeout. The post gets the invocation's remaining time
// less what the delivery record needs (one DynamoDB call), and starts no try it could not finish.

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { AWS_LIMITS, clientConfig } from '../adapters/aws-clients';
import { type ClaimResult, DeliveryLedger } from '../adapters/delivery-ledger';
import { createDocumentClient } from '../adapters/dynamo-store';
import { CachedSecretSource } from '../adapters/secrets';
import { postToSlack, type SlackPostOptions } from '../adapters/slack-webhook';
import type { Clock, SecretSource } from '../core/ports';
import { slackMessage } from '../core/slack-message';
import { loadSlackSettings, SLACK_CHANNEL } from './settings';

export { loadSlackSettings } from './settings';

const settings = loadSlackSettings(process.env);
const logger = new Logger({ serviceName: 'sentinel-watch-slack' });
const secretsManager = new SecretsManagerClient(clientConfig(AWS_LIMITS.secretsManager));
const documentClient = createDocumentClient(clientConfig(AWS_LIMITS.dynamodb));

/** Kept free at the end of an invocation: the delivery record's write (one DynamoDB call), and logs. */
export const END_RESERVE_MS = AWS_LIMITS.dynamodb.callTimeoutMs + 500;

export interface SlackDeps {
  readonly secrets: SecretSource;
  /** Where deliveries are recorded; null: none (each invocation posts what it is given). */
  readonly ledger: Pick<DeliveryLedger, 'claim' | 'posted' | 'release'> | null;
  readonly post: Omit<SlackPostOptions, 'onRetry' | 'deadlineAt' | 'now'>;
  readonly clock: Clock;
}

export interface SlackResult {
  /** Messages posted by this invocation (one already posted, or being posted elsewhere, is not). */
  readonly posted: number;
}

export function createSlackHandler(overrides: Partial<SlackDeps> = {}) {
  const deps: SlackDeps = {
    secrets: new CachedSecretSource({
      client: secretsManager,
      jsonKeys: ['webhookUrl', 'url'],
      callTimeoutMs: AWS_LIMITS.secretsManager.callTimeoutMs,
    }),
    ledger: new DeliveryLedger({
      client: documentClient,
      tableName: settings.tableName,
      channel: SLACK_CHANNEL,
      callTimeoutMs: AWS_LIMITS.dynamodb.callTimeoutMs,
    }),
    post: {},
    clock: Date.now,
    ...overrides,
  };
  return middy<SNSEvent, SlackResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const remaining =
        typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 30_000;
      const end = deps.clock() + remaining;
      const owner = context.awsRequestId ?? `local-${process.pid}`;
      const url = await deps.secrets.getSecret(settings.secretArn);
      let posted = 0;
      for (const record of event.Records ?? []) {
        const sns = record.Sns;
        const attributes = Object.fromEntries(
          Object.entries(sns.MessageAttributes ?? {}).map(([k, v]) => [k, String(v.Value)]),
        );
        const about = { messageId: sns.MessageId, code: attributes.code, deployment: attributes.deployment };
        const claim = await claimDelivery(deps, sns.MessageId, owner, end, about);
        if (claim.outcome === 'posted') {
          logger.info('already posted to Slack; not posting again', { ...about, postedAt: claim.postedAt });
          continue;
        }
        if (claim.outcome === 'busy') {
          logger.info('another invocation is posting this message; leaving it to it', about);
          continue;
        }
        const payload = slackMessage({ subject: sns.Subject ?? '', body: sns.Message ?? '', attributes });
        let attempts: number;
        try {
          attempts = await postToSlack(url, payload, {
            ...deps.post,
            now: deps.clock,
            deadlineAt: end - END_RESERVE_MS,
            onRetry: (info) => logger.warn('Slack webhook busy or failing; retrying', { ...about, ...info }),
          });
        } catch (error) {
          await deps.ledger?.release(sns.MessageId, owner).catch((e: unknown) =>
            // The record then frees itself when this invocation's lease ends, before Lambda retries.
            logger.warn('could not release the delivery record', { ...about, error: (e as Error).message }),
          );
          throw error;
        }
        // Failing now would make Lambda post it again: record what can be recorded, and say so.
        await deps.ledger?.posted(sns.MessageId, owner, deps.clock()).catch((e: unknown) =>
          logger.error(
            'posted to Slack, but could not record it: a retry of this message would post it again',
            {
              ...about,
              error: (e as Error).message,
            },
          ),
        );
        logger.info('posted to Slack', { ...about, attempts });
        posted++;
      }
      return { posted };
    });
}

/** The delivery record's verdict; when it cannot be had, post anyway (better twice than never). */
async function claimDelivery(
  deps: SlackDeps,
  messageId: string,
  owner: string,
  leaseUntil: number,
  about: Record<string, unknown>,
): Promise<ClaimResult> {
  if (deps.ledger === null) return { outcome: 'mine' };
  try {
    return await deps.ledger.claim(messageId, owner, deps.clock(), leaseUntil);
  } catch (error) {
    logger.warn('could not check the delivery record; posting anyway (a retry may post it twice)', {
      ...about,
      error: (error as Error).message,
    });
    return { outcome: 'mine' };
  }
}

export const handler = createSlackHandler();
