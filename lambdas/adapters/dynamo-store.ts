// One DynamoDB table for everything sentinel-watch remembers, per deployment:
//
//   pk = DEPLOYMENT#<name>   sk = SNAPSHOT#<takenAt ISO>    one poll (SnapshotRecord), TTL expiresAt
//                            sk = STATE                     the poller's state, compressed (state-codec.ts),
//                                                           optimistic `version`
//                            sk = DRILL_LOCK                who may run a failover drill now, TTL
//                            sk = DRILL#<startedAt ISO>     a drill report, TTL
//
// Every write that advances shared state is a conditional single-item Put or Delete: no transactions
// (dynalite, used in the integration tests, has none, and none is needed). A failed condition is an
// answer ('conflict', lock held, not the owner), never an exception. Every other SDK error becomes a
// StoreError (store-error.ts) naming the operation and table; item contents are never put in a message.

import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { SnapshotRecord } from '../core/snapshot-record';
import type {
  DrillReportStore,
  HistoryOptions,
  LockInfo,
  LockReader,
  LockRequest,
  LockResult,
  LockStore,
  SaveResult,
  SnapshotStore,
  StateStore,
  StoredState,
  TimeRange,
} from '../core/store-ports';
import { callSignal, failureName } from './aws-clients';
import { decodeState, encodeState, StateCodecError } from './state-codec';
import { StoreError, UnreadableStateError } from './store-error';

export { StoreError, UnreadableStateError } from './store-error';

/** The table's key schema and TTL attribute: the CDK stack creates the table from these. */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

export const SORT_KEYS = {
  snapshotPrefix: 'SNAPSHOT#',
  state: 'STATE',
  drillLock: 'DRILL_LOCK',
  drillPrefix: 'DRILL#',
} as const;

/** History reads stop here unless the caller asks for fewer. */
export const DEFAULT_HISTORY_LIMIT = 1000;

export interface DynamoStoreProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Items per Query request (DynamoDB's `Limit`). Unset: DynamoDB's own 1 MB pages. Small values
   * exist for tests of pagination.
   */
  readonly pageSize?: number;
  /** Each call ends by then, SDK retries included (aws-clients.ts); none: the client's own limits. */
  readonly callTimeoutMs?: number;
}

/** A document client that drops `undefined` attributes, for the CLI and the Lambdas to share. */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export const deploymentKey = (deployment: string): string => `DEPLOYMENT#${deployment}`;

type Item = Record<string, unknown>;
/** What every `send` gets: the call's deadline, when the store has one. */
type SendOptions = { abortSignal: AbortSignal } | undefined;

const CONDITION_FAILED = 'ConditionalCheckFailedException';
const isConditionFailure = (error: unknown): boolean =>
  (error as Error | undefined)?.name === CONDITION_FAILED;

/** Plain JSON data: drops `undefined` and class prototypes, which the marshaller would reject. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const HOUSEKEEPING = new Set(['pk', 'sk', 'kind']);
const withoutKeys = (item: Item): Item =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !HOUSEKEEPING.has(k)));

export class DynamoStore implements SnapshotStore, StateStore, LockStore, LockReader, DrillReportStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #pageSize: number | undefined;
  readonly #callTimeoutMs: number | undefined;

  constructor(props: DynamoStoreProps) {
    this.#client = props.client;
    this.#table = props.tableName;
    this.#pageSize = props.pageSize;
    this.#callTimeoutMs = props.callTimeoutMs;
  }

  async putSnapshot(record: SnapshotRecord): Promise<void> {
    const takenAt = this.#iso(record.takenAt, 'putSnapshot', 'takenAt');
    await this.#send('putSnapshot', 'Put', (c, o) =>
      c.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...plain(record),
            pk: deploymentKey(record.deployment),
            sk: `${SORT_KEYS.snapshotPrefix}${takenAt}`,
            kind: 'snapshot',
          },
        }),
        o,
      ),
    );
  }

  async history(
    deployment: string,
    range: TimeRange,
    limit: number = DEFAULT_HISTORY_LIMIT,
    options: HistoryOptions = {},
  ): Promise<SnapshotRecord[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new StoreError('Query (history)', this.#table, `limit must be a positive integer, got ${limit}`);
    }
    const from = this.#iso(range.from, 'history', 'range.from');
    const to = this.#iso(range.to, 'history', 'range.to');
    // DynamoDB rejects BETWEEN with bounds the wrong way round; an empty range has no records.
    if (from > to) return [];
    const newestFirst = options.keep === 'newest';
    const items: Item[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const remaining = limit - items.length;
      const page: QueryCommandOutput = await this.#send('history', 'Query', (c, o) =>
        c.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
            ExpressionAttributeValues: {
              ':pk': deploymentKey(deployment),
              ':from': `${SORT_KEYS.snapshotPrefix}${from}`,
              ':to': `${SORT_KEYS.snapshotPrefix}${to}`,
            },
            ScanIndexForward: !newestFirst,
            Limit: Math.min(remaining, this.#pageSize ?? remaining),
            ExclusiveStartKey: startKey,
          }),
          o,
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < limit);
    const records = items.slice(0, limit).map((i) => withoutKeys(i) as unknown as SnapshotRecord);
    return newestFirst ? records.reverse() : records;
  }

  async loadState<T>(deployment: string): Promise<StoredState<T> | null> {
    const out = await this.#send('loadState', 'Get', (c, o) =>
      c.send(
        new GetCommand({
          TableName: this.#table,
          Key: { pk: deploymentKey(deployment), sk: SORT_KEYS.state },
          ConsistentRead: true,
        }),
        o,
      ),
    );
    if (!out.Item) return null;
    const version = Number(out.Item.version);
    try {
      return { version, state: decodeState(out.Item) as T };
    } catch (error) {
      if (!(error instanceof StateCodecError)) throw error;
      throw new UnreadableStateError('Get (loadState)', this.#table, version, error);
    }
  }

  async saveState<T>(deployment: string, state: T, expectedVersion: number | null): Promise<SaveResult> {
    const first = expectedVersion === null;
    let encoded: ReturnType<typeof encodeState>;
    try {
      encoded = encodeState(state);
    } catch (error) {
      throw new StoreError('Put (saveState)', this.#table, (error as Error).message, { cause: error });
    }
    try {
      await this.#send(
        'saveState',
        'Put',
        (c, o) =>
          c.send(
            new PutCommand({
              TableName: this.#table,
              Item: {
                pk: deploymentKey(deployment),
                sk: SORT_KEYS.state,
                kind: 'state',
                version: first ? 1 : expectedVersion + 1,
                savedAt: new Date().toISOString(),
                ...encoded,
              },
              ConditionExpression: first ? 'attribute_not_exists(#pk)' : '#version = :expected',
              ExpressionAttributeNames: first
                ? { '#pk': TABLE_KEYS.partitionKey }
                : { '#version': 'version' },
              ExpressionAttributeValues: first ? undefined : { ':expected': expectedVersion },
            }),
            o,
          ),
        { passConditionFailure: true },
      );
      return 'saved';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  async acquireLock(deployment: string, request: LockRequest): Promise<LockResult> {
    const { owner, ttlMs, now } = request;
    const lockExpiresAtMs = now + ttlMs;
    const key = { pk: deploymentKey(deployment), sk: SORT_KEYS.drillLock };
    // A failed condition tells us the lock is taken, not by whom (dynalite has no
    // ReturnValuesOnConditionCheckFailure): read it. If it vanished or expired in between, try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#send(
          'acquireLock',
          'Put',
          (c, o) =>
            c.send(
              new PutCommand({
                TableName: this.#table,
                Item: {
                  ...key,
                  kind: 'lock',
                  owner,
                  acquiredAt: new Date(now).toISOString(),
                  lockExpiresAtMs,
                  // For DynamoDB's TTL sweep only (seconds, and it may lag by days): the condition below
                  // decides expiry, to the millisecond.
                  [TABLE_KEYS.ttlAttribute]: Math.ceil(lockExpiresAtMs / 1000),
                },
                ConditionExpression:
                  'attribute_not_exists(#pk) OR #lockExpiresAtMs < :now OR #owner = :owner',
                ExpressionAttributeNames: {
                  '#pk': TABLE_KEYS.partitionKey,
                  '#lockExpiresAtMs': 'lockExpiresAtMs',
                  '#owner': 'owner',
                },
                ExpressionAttributeValues: { ':now': now, ':owner': owner },
              }),
              o,
            ),
          { passConditionFailure: true },
        );
        return { acquired: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const held = await this.#send('acquireLock', 'Get', (c, o) =>
        c.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }), o),
      );
      const item = held.Item;
      if (item && Number(item.lockExpiresAtMs) >= now && item.owner !== owner) {
        return { acquired: false, heldBy: String(item.owner), expiresAt: Number(item.lockExpiresAtMs) };
      }
    }
    throw new StoreError('Put (acquireLock)', this.#table, 'the lock kept changing hands; try again');
  }

  async releaseLock(deployment: string, owner: string): Promise<boolean> {
    try {
      await this.#send(
        'releaseLock',
        'Delete',
        (c, o) =>
          c.send(
            new DeleteCommand({
              TableName: this.#table,
              Key: { pk: deploymentKey(deployment), sk: SORT_KEYS.drillLock },
              ConditionExpression: '#owner = :owner',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':owner': owner },
            }),
            o,
          ),
        { passConditionFailure: true },
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async currentLock(deployment: string): Promise<LockInfo | null> {
    const out = await this.#send('currentLock', 'Get', (c, o) =>
      c.send(
        new GetCommand({
          TableName: this.#table,
          Key: { pk: deploymentKey(deployment), sk: SORT_KEYS.drillLock },
          ConsistentRead: true,
        }),
        o,
      ),
    );
    const item = out.Item;
    if (!item) return null;
    const acquiredAt = Date.parse(String(item.acquiredAt));
    return {
      owner: String(item.owner),
      acquiredAt: Number.isNaN(acquiredAt) ? 0 : acquiredAt,
      expiresAt: Number(item.lockExpiresAtMs),
    };
  }

  async putDrillReport(
    deployment: string,
    report: object,
    startedAt: string,
    retentionDays: number,
  ): Promise<void> {
    const iso = this.#iso(startedAt, 'putDrillReport', 'startedAt');
    if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
      throw new StoreError('Put (putDrillReport)', this.#table, 'retentionDays must be a positive number');
    }
    await this.#send('putDrillReport', 'Put', (c, o) =>
      c.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: deploymentKey(deployment),
            sk: `${SORT_KEYS.drillPrefix}${iso}`,
            kind: 'drill',
            deployment,
            startedAt: iso,
            [TABLE_KEYS.ttlAttribute]:
              Math.floor(Date.parse(iso) / 1000) + Math.round(retentionDays * 86_400),
            report: plain(report),
          },
        }),
        o,
      ),
    );
  }

  /** Normalises an ISO time so sort keys order lexically; throws StoreError naming the field if invalid. */
  #iso(value: string, operation: string, field: string): string {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new StoreError(operation, this.#table, `${field} is not an ISO-8601 time`);
    return new Date(ms).toISOString();
  }

  async #send<R>(
    operation: string,
    command: string,
    call: (client: DynamoDBDocumentClient, options: SendOptions) => Promise<R>,
    opts: { passConditionFailure?: boolean } = {},
  ): Promise<R> {
    const signal = callSignal(this.#callTimeoutMs);
    try {
      return await call(this.#client, signal ? { abortSignal: signal } : undefined);
    } catch (error) {
      if (opts.passConditionFailure && isConditionFailure(error)) throw error;
      // The error's name only: SDK messages may quote keys or values of the request.
      const name = failureName(error, signal);
      throw new StoreError(`${command} (${operation})`, this.#table, name, { cause: error, errorName: name });
    }
  }
}
