// A shard's run mark in the watcher's DynamoDB table (the same table as dynamo-store.ts):
//
//   pk = SHARD#<key>   sk = RUN   the latest poller run listening to the whole shard, TTL expiresAt
//
// The run renews the mark every 15 s (`aliveAt`, its heartbeat), so that a run that crashed is not
// taken for a live predecessor. The key is the bundled config's version and the shard number: after a deploy that changes the
// shards, a run of the new config finds no mark of the old one and polls everything at once, and a
// run of the old config is never stopped by a mark that covers other deployments. The write is a
// conditional Put (a later run's mark is never replaced by an earlier one); the read is eventually
// consistent (a mark a second old is still a mark: the reader checks once a second anyway). One item
// per shard, written 4 times a minute and read a few times near each run's end: ~$0.10 a shard a month.

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ShardRunMark, ShardRunStore } from '../core/store-ports';
import { callSignal, failureName } from './aws-clients';
import { StoreError, TABLE_KEYS } from './dynamo-store';

export const shardRunKey = (shard: string): string => `SHARD#${shard}`;
export const SHARD_RUN_SORT_KEY = 'RUN';
/** The mark outlives its run by a day, then DynamoDB's TTL sweep may delete it. */
const KEPT_S = 86_400;

export interface DynamoShardRunsProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Each call ends by then, retries included (aws-clients.ts). */
  readonly callTimeoutMs?: number;
}

export class DynamoShardRuns implements ShardRunStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #callTimeoutMs: number | undefined;

  constructor(props: DynamoShardRunsProps) {
    this.#client = props.client;
    this.#table = props.tableName;
    this.#callTimeoutMs = props.callTimeoutMs;
  }

  async markListening(shard: string, mark: ShardRunMark): Promise<boolean> {
    const signal = callSignal(this.#callTimeoutMs);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: shardRunKey(shard),
            sk: SHARD_RUN_SORT_KEY,
            kind: 'shard-run',
            startedAt: mark.startedAt,
            owner: mark.owner,
            listeningAt: mark.listeningAt,
            aliveAt: mark.aliveAt,
            [TABLE_KEYS.ttlAttribute]: Math.floor(mark.aliveAt / 1000) + KEPT_S,
          },
          // A later run's mark stays; the same run's (its heartbeat) is replaced.
          ConditionExpression:
            'attribute_not_exists(#pk) OR #startedAt < :startedAt OR (#startedAt = :startedAt AND #owner <= :owner)',
          ExpressionAttributeNames: {
            '#pk': TABLE_KEYS.partitionKey,
            '#startedAt': 'startedAt',
            '#owner': 'owner',
          },
          ExpressionAttributeValues: { ':startedAt': mark.startedAt, ':owner': mark.owner },
        }),
        signal ? { abortSignal: signal } : undefined,
      );
      return true;
    } catch (error) {
      if ((error as Error | undefined)?.name === 'ConditionalCheckFailedException') return false;
      throw this.#failure('Put (markListening)', error, signal);
    }
  }

  async loadListening(shard: string): Promise<ShardRunMark | null> {
    const signal = callSignal(this.#callTimeoutMs);
    try {
      const out = await this.#client.send(
        new GetCommand({ TableName: this.#table, Key: { pk: shardRunKey(shard), sk: SHARD_RUN_SORT_KEY } }),
        signal ? { abortSignal: signal } : undefined,
      );
      const item = out.Item;
      if (!item) return null;
      const { startedAt, owner, listeningAt, aliveAt } = item;
      return typeof startedAt === 'number' && typeof owner === 'string' && typeof listeningAt === 'number'
        ? { startedAt, owner, listeningAt, aliveAt: typeof aliveAt === 'number' ? aliveAt : listeningAt }
        : null;
    } catch (error) {
      throw this.#failure('Get (loadListening)', error, signal);
    }
  }

  /** The SDK error's name only: its message may quote the request. */
  #failure(operation: string, error: unknown, signal: AbortSignal | undefined): StoreError {
    const name = failureName(error, signal);
    return new StoreError(operation, this.#table, name, { cause: error, errorName: name });
  }
}
