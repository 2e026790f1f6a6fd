// Silences in the watcher's DynamoDB table (the same table as dynamo-store.ts), in one partition of
// their own so that `silence list` is one Query and IAM can grant writing silences and nothing else
// (`dynamodb:LeadingKeys` = SILENCES, see lib/constructs/on-call-access.ts):
//
//   pk = SILENCES   sk = SILENCE#<deployment>#<id>   one silence (core/silence.ts), TTL expiresAt
//
// A deployment's silences are a `begins_with` Query on its prefix (deployment names cannot contain
// `#`). Reads are strongly consistent: a silence added a second before a poll holds at that poll.
// `expiresAt` (DynamoDB's TTL sweep) is a week after the end, so `silence list --all` can show what
// ended recently; every reader decides by `endsAt` itself. Writes are conditional single-item Put and
// Update (no transactions: dynalite has none). Errors become StoreError with the SDK error's name only.

import type { DynamoDBDocumentClient, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readSilences, type Silence, silenceStatus } from '../core/silence';
import type { SilenceStore } from '../core/store-ports';
import { callSignal, failureName } from './aws-clients';
import { StoreError, TABLE_KEYS } from './dynamo-store';

export const SILENCE_PARTITION = 'SILENCES';
export const SILENCE_PREFIX = 'SILENCE#';
/** Ended silences stay listable this long before DynamoDB's TTL may delete them. */
export const SILENCE_KEPT_AFTER_END_S = 7 * 86_400;
/** A Query reads at most this many pages: thousands of silences would be a bug, not a workload. */
const MAX_PAGES = 10;

export const silenceSortKey = (s: Pick<Silence, 'deployment' | 'id'>): string =>
  `${SILENCE_PREFIX}${s.deployment}#${s.id}`;

export interface DynamoSilenceStoreProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Each call ends by then, retries included (aws-clients.ts); unset in unit tests with mocks. */
  readonly callTimeoutMs?: number;
  /** Told how many stored silences did not validate and were ignored. */
  readonly onInvalid?: (count: number) => void;
}

const CONDITION_FAILED = 'ConditionalCheckFailedException';

export class DynamoSilenceStore implements SilenceStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #callTimeoutMs: number | undefined;
  readonly #onInvalid: (count: number) => void;

  constructor(props: DynamoSilenceStoreProps) {
    this.#client = props.client;
    this.#table = props.tableName;
    this.#callTimeoutMs = props.callTimeoutMs;
    this.#onInvalid = props.onInvalid ?? (() => undefined);
  }

  async silencesFor(deployment: string, now: number): Promise<Silence[]> {
    const all = await this.#query(`${SILENCE_PREFIX}${deployment}#`, 'silencesFor');
    return all.filter((s) => s.deployment === deployment && silenceStatus(s, now) !== 'ended');
  }

  async listSilences(
    options: { readonly deployment?: string; readonly includeEnded?: boolean },
    now: number,
  ): Promise<Silence[]> {
    const prefix = options.deployment ? `${SILENCE_PREFIX}${options.deployment}#` : SILENCE_PREFIX;
    const all = await this.#query(prefix, 'listSilences');
    return all
      .filter((s) => options.includeEnded || silenceStatus(s, now) !== 'ended')
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  }

  async putSilence(silence: Silence): Promise<void> {
    await this.#send('putSilence', 'Put', (signal) =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...silence,
            pk: SILENCE_PARTITION,
            sk: silenceSortKey(silence),
            kind: 'silence',
            [TABLE_KEYS.ttlAttribute]: expiry(silence.endsAt),
          },
          // Ids are random: a collision must fail loudly, never replace someone's silence.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
        }),
        signal,
      ),
    );
  }

  async endSilence(id: string, endedBy: string, now: number): Promise<Silence | null> {
    const found = (await this.#query(SILENCE_PREFIX, 'endSilence')).find((s) => s.id === id);
    if (!found || silenceStatus(found, now) === 'ended') return null;
    const endsAt = new Date(now).toISOString();
    try {
      await this.#send(
        'endSilence',
        'Update',
        (signal) =>
          this.#client.send(
            new UpdateCommand({
              TableName: this.#table,
              Key: { pk: SILENCE_PARTITION, sk: silenceSortKey(found) },
              UpdateExpression: 'SET #endsAt = :endsAt, #endedBy = :endedBy, #ttl = :ttl',
              // Only if it is still running: ISO times of one format compare as strings.
              ConditionExpression: 'attribute_exists(#pk) AND #endsAt > :endsAt',
              ExpressionAttributeNames: {
                '#pk': TABLE_KEYS.partitionKey,
                '#endsAt': 'endsAt',
                '#endedBy': 'endedBy',
                '#ttl': TABLE_KEYS.ttlAttribute,
              },
              ExpressionAttributeValues: { ':endsAt': endsAt, ':endedBy': endedBy, ':ttl': expiry(endsAt) },
            }),
            signal,
          ),
        true,
      );
    } catch (error) {
      if ((error as Error | undefined)?.name === CONDITION_FAILED) return null;
      throw error;
    }
    return { ...found, endsAt, endedBy };
  }

  async #query(prefix: string, operation: string): Promise<Silence[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    let pages = 0;
    do {
      const page: QueryCommandOutput = await this.#send(operation, 'Query', (signal) =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
            ExpressionAttributeValues: { ':pk': SILENCE_PARTITION, ':prefix': prefix },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
          signal,
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
      pages++;
    } while (startKey !== undefined && pages < MAX_PAGES);
    const { silences, invalid } = readSilences(items);
    if (invalid > 0) this.#onInvalid(invalid);
    return silences;
  }

  async #send<R>(
    operation: string,
    command: string,
    call: (options: { abortSignal: AbortSignal } | undefined) => Promise<R>,
    passConditionFailure = false,
  ): Promise<R> {
    const signal = callSignal(this.#callTimeoutMs);
    try {
      return await call(signal ? { abortSignal: signal } : undefined);
    } catch (error) {
      if (passConditionFailure && (error as Error | undefined)?.name === CONDITION_FAILED) throw error;
      throw new StoreError(`${command} (${operation})`, this.#table, failureName(error, signal), {
        cause: error,
      });
    }
  }
}

/** Epoch seconds for DynamoDB's TTL: a week after the silence ends. */
const expiry = (endsAt: string): number => Math.floor(Date.parse(endsAt) / 1000) + SILENCE_KEPT_AFTER_END_S;
