// Which messages a notifier has delivered, so that one alert makes one Slack message even when SNS
// delivers it twice or Lambda retries an invocation that failed after posting. One item per SNS
// MessageId in the watcher's table, under its own partition prefix (the notifier's IAM policy allows
// only keys that start with it):
//
//   pk = DELIVERY#<channel>#<MessageId>   sk = DELIVERY   status posting|posted, owner, leaseUntil, TTL
//
// `claim` takes the right to post with a conditional put: nobody has it, or the holder's lease ended
// (it crashed or timed out; the lease is the holder's remaining time, shorter than Lambda's first
// retry delay of about a minute). After a post the item says `posted` for two days; after a failed
// post it is deleted, so Lambda's retry may try again. Conditional single-item writes only (dynalite).

import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SentinelWatchError } from '../core/errors';
import { callSignal, failureName } from './aws-clients';
import { TABLE_KEYS } from './dynamo-store';

export const DELIVERY_KEY_PREFIX = 'DELIVERY#';
const SORT_KEY = 'DELIVERY';
/** Posted records are kept this long: far beyond SNS's and Lambda's retries (at most 6 hours). */
const POSTED_KEPT_SECONDS = 2 * 86_400;

export type ClaimResult =
  | { readonly outcome: 'mine' }
  /** Already posted by an earlier invocation. */
  | { readonly outcome: 'posted'; readonly postedAt: string | null }
  /** Another invocation is posting it now (its lease is live). */
  | { readonly outcome: 'busy'; readonly until: number };

/** A delivery record could not be read or written (the caller posts anyway: better twice than never). */
export class DeliveryLedgerError extends SentinelWatchError {
  constructor(operation: string, problem: string, options?: { cause?: unknown }) {
    super(`delivery record ${operation} failed: ${problem}`, options);
  }
}

export interface DeliveryLedgerProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** `slack`: one ledger per notifier, so that two notifiers of one topic do not share records. */
  readonly channel: string;
  /** Each call ends by then (aws-clients.ts); none: the client's own limits. */
  readonly callTimeoutMs?: number;
}

export class DeliveryLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #channel: string;
  readonly #callTimeoutMs: number | undefined;

  constructor(props: DeliveryLedgerProps) {
    this.#client = props.client;
    this.#table = props.tableName;
    this.#channel = props.channel;
    this.#callTimeoutMs = props.callTimeoutMs;
  }

  /** Takes the right to post `messageId` until `leaseUntil` (epoch ms), unless it is posted or busy. */
  async claim(messageId: string, owner: string, now: number, leaseUntil: number): Promise<ClaimResult> {
    const key = this.#key(messageId);
    // The holder may vanish between our failed condition and our read: look twice at most.
    for (let attempt = 0; attempt < 2; attempt++) {
      const taken = await this.#call('claim', async (options) => {
        try {
          await this.#client.send(
            new PutCommand({
              TableName: this.#table,
              Item: {
                ...key,
                kind: 'delivery',
                status: 'posting',
                owner,
                leaseUntil,
                [TABLE_KEYS.ttlAttribute]: Math.ceil(now / 1000) + POSTED_KEPT_SECONDS,
              },
              ConditionExpression: 'attribute_not_exists(#pk) OR (#status = :posting AND #leaseUntil < :now)',
              ExpressionAttributeNames: {
                '#pk': TABLE_KEYS.partitionKey,
                '#status': 'status',
                '#leaseUntil': 'leaseUntil',
              },
              ExpressionAttributeValues: { ':posting': 'posting', ':now': now },
            }),
            options,
          );
          return true;
        } catch (error) {
          if ((error as Error | undefined)?.name === 'ConditionalCheckFailedException') return false;
          throw error;
        }
      });
      if (taken) return { outcome: 'mine' };
      const held = await this.#call('read', (options) =>
        this.#client.send(
          new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
          options,
        ),
      );
      const item = held.Item;
      if (item?.status === 'posted') {
        return { outcome: 'posted', postedAt: typeof item.postedAt === 'string' ? item.postedAt : null };
      }
      if (item && Number(item.leaseUntil) >= now) return { outcome: 'busy', until: Number(item.leaseUntil) };
    }
    return { outcome: 'busy', until: now };
  }

  /** Records `messageId` as posted (whoever holds it now: the message is out). */
  async posted(messageId: string, owner: string, now: number): Promise<void> {
    await this.#call('mark posted', (options) =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...this.#key(messageId),
            kind: 'delivery',
            status: 'posted',
            owner,
            postedAt: new Date(now).toISOString(),
            [TABLE_KEYS.ttlAttribute]: Math.ceil(now / 1000) + POSTED_KEPT_SECONDS,
          },
        }),
        options,
      ),
    );
  }

  /** Gives `messageId` back after a failed post, if we still hold it, so that a retry may post it. */
  async release(messageId: string, owner: string): Promise<void> {
    await this.#call('release', async (options) => {
      try {
        await this.#client.send(
          new DeleteCommand({
            TableName: this.#table,
            Key: this.#key(messageId),
            ConditionExpression: '#owner = :owner AND #status = :posting',
            ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
            ExpressionAttributeValues: { ':owner': owner, ':posting': 'posting' },
          }),
          options,
        );
      } catch (error) {
        // Someone else's record now (our lease ended): theirs to settle.
        if ((error as Error | undefined)?.name !== 'ConditionalCheckFailedException') throw error;
      }
    });
  }

  #key(messageId: string) {
    return {
      [TABLE_KEYS.partitionKey]: `${DELIVERY_KEY_PREFIX}${this.#channel}#${messageId}`,
      [TABLE_KEYS.sortKey]: SORT_KEY,
    };
  }

  async #call<R>(
    operation: string,
    call: (options: { abortSignal: AbortSignal } | undefined) => Promise<R>,
  ): Promise<R> {
    const signal = callSignal(this.#callTimeoutMs);
    try {
      return await call(signal ? { abortSignal: signal } : undefined);
    } catch (error) {
      // The error's name only: SDK messages may quote keys of the request.
      throw new DeliveryLedgerError(operation, failureName(error, signal), { cause: error });
    }
  }
}
