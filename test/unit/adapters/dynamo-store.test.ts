import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoStore, StoreError, UnreadableStateError } from '../../../lambdas/adapters/dynamo-store';
import { encodeState, MAX_STATE_JSON_BYTES, STATE_ENCODING } from '../../../lambdas/adapters/state-codec';
import { SentinelWatchError } from '../../../lambdas/core/errors';
import type { SnapshotRecord } from '../../../lambdas/core/snapshot-record';
import { unreadableStateVersion } from '../../../lambdas/core/store-ports';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'sw-unit';

// The mock patches `send` on the class, so this real client never reaches the network.
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const store = () => new DynamoStore({ client, tableName: TABLE });

const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

// A distinctive value that must never reach an error message, even when the SDK's message quotes it.
const CONTENT = 'db-secret-host.internal:6379';
const record: SnapshotRecord = {
  deployment: 'prod-cache',
  takenAt: '2025-03-01T12:00:00.000Z',
  expiresAt: 1_743_422_400,
  durationMs: 10,
  master: CONTENT,
  unanimous: true,
  truncated: false,
  nodes: [],
  sentinels: [],
  findings: [],
};

beforeEach(() => {
  ddb.reset();
});

describe('Class: DynamoStore', () => {
  describe('Method: putSnapshot', () => {
    it('wraps a throttling error in StoreError with the cause, naming operation and table only', async () => {
      // Prepare
      const throttled = named('ThrottlingException', `Rate exceeded for item {"master":"${CONTENT}"}`);
      ddb.on(PutCommand).rejects(throttled);

      // Act
      const error = await store()
        .putSnapshot(record)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toBeInstanceOf(SentinelWatchError);
      expect((error as StoreError).cause).toBe(throttled);
      expect((error as StoreError).message).toBe(
        'DynamoDB Put (putSnapshot) on table "sw-unit" failed: ThrottlingException',
      );
      expect((error as StoreError).message).not.toContain(CONTENT);
      expect(error).toMatchObject({ name: 'StoreError', operation: 'Put (putSnapshot)', table: TABLE });
    });

    it('writes the keys and the record, unconditionally', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      await store().putSnapshot(record);

      // Assess
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: expect.objectContaining({
          pk: 'DEPLOYMENT#prod-cache',
          sk: 'SNAPSHOT#2025-03-01T12:00:00.000Z',
          expiresAt: 1_743_422_400,
          master: CONTENT,
        }),
      });
      expect(ddb.commandCalls(PutCommand)[0].args[0].input.ConditionExpression).toBeUndefined();
    });

    it('does not even treat a conditional failure as an answer here: it is a StoreError', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());

      // Act / Assess
      await expect(store().putSnapshot(record)).rejects.toThrow(StoreError);
    });
  });

  describe('Method: history', () => {
    it('wraps a failing page in StoreError', async () => {
      // Prepare
      ddb
        .on(QueryCommand)
        .resolvesOnce({ Items: [{ ...record, pk: 'x', sk: 'y' }], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
        .rejectsOnce(named('ProvisionedThroughputExceededException', 'slow down'));

      // Act / Assess
      await expect(
        store().history('prod-cache', { from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' }),
      ).rejects.toThrow(
        'DynamoDB Query (history) on table "sw-unit" failed: ProvisionedThroughputExceededException',
      );
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
    });

    it('queries one partition with BETWEEN over normalised ISO sort keys and strips the keys', async () => {
      // Prepare
      ddb
        .on(QueryCommand)
        .resolves({ Items: [{ ...record, pk: 'DEPLOYMENT#prod-cache', sk: 's', kind: 'snapshot' }] });

      // Act
      const got = await store().history(
        'prod-cache',
        { from: '2025-03-01T00:00:00Z', to: '2025-03-01T01:00:00+01:00' },
        10,
      );

      // Assess
      expect(got).toEqual([record]);
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': 'DEPLOYMENT#prod-cache',
          ':from': 'SNAPSHOT#2025-03-01T00:00:00.000Z',
          ':to': 'SNAPSHOT#2025-03-01T00:00:00.000Z',
        },
        ScanIndexForward: true,
        Limit: 10,
      });
    });

    it('rejects a non-positive limit and a range bound that is not a time', async () => {
      // Act / Assess
      await expect(
        store().history('d', { from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z' }, 0),
      ).rejects.toThrow(/limit must be a positive integer/);
      await expect(store().history('d', { from: 'last week', to: '2025-03-02T00:00:00Z' })).rejects.toThrow(
        /range.from is not an ISO-8601 time/,
      );
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
    });
  });

  describe('Method: loadState', () => {
    it('reads consistently and wraps errors', async () => {
      // Prepare
      ddb.on(GetCommand).rejects(named('AccessDeniedException', 'not authorized on arn:...'));

      // Act / Assess
      await expect(store().loadState('prod-cache')).rejects.toThrow(
        'DynamoDB Get (loadState) on table "sw-unit" failed: AccessDeniedException',
      );
      expect(ddb).toHaveReceivedCommandWith(GetCommand, {
        Key: { pk: 'DEPLOYMENT#prod-cache', sk: 'STATE' },
        ConsistentRead: true,
      });
    });

    it('reads the compressed form and the earlier map form', async () => {
      // Prepare
      ddb
        .on(GetCommand)
        .resolvesOnce({ Item: { version: 4, ...encodeState({ open: ['A'] }) } })
        .resolvesOnce({ Item: { version: 3, state: { open: ['B'] } } });

      // Act / Assess
      await expect(store().loadState('prod-cache')).resolves.toEqual({ version: 4, state: { open: ['A'] } });
      await expect(store().loadState('prod-cache')).resolves.toEqual({ version: 3, state: { open: ['B'] } });
    });

    it('raises an UnreadableStateError with the stored version for a damaged blob', async () => {
      // Prepare
      const stateZ = Buffer.from(CONTENT);
      ddb.on(GetCommand).resolves({ Item: { version: 9, encoding: STATE_ENCODING, stateZ } });

      // Act
      const error = await store()
        .loadState('prod-cache')
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(UnreadableStateError);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ unreadableVersion: 9, retryable: false, errorName: null });
      expect((error as Error).message).toBe(
        'DynamoDB Get (loadState) on table "sw-unit" failed: the stored state (attribute stateZ) cannot be inflated (Z_DATA_ERROR)',
      );
      expect(unreadableStateVersion(error)).toBe(9);
    });
  });

  describe('Method: saveState', () => {
    it("maps a failed condition to 'conflict' instead of throwing", async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());

      // Act
      const result = await store().saveState('prod-cache', { open: [] }, 4);

      // Assess
      expect(result).toBe('conflict');
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeValues: { ':expected': 4 },
        Item: expect.objectContaining({ pk: 'DEPLOYMENT#prod-cache', sk: 'STATE', version: 5 }),
      });
    });

    it('requires the item to be absent on the first save, and writes version 1', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      const result = await store().saveState('prod-cache', { open: [] }, null);

      // Assess
      expect(result).toBe('saved');
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        ConditionExpression: 'attribute_not_exists(#pk)',
        Item: expect.objectContaining({ version: 1, ...encodeState({ open: [] }) }),
      });
      const item = ddb.commandCalls(PutCommand)[0].args[0].input.Item;
      expect(item).not.toHaveProperty('state');
    });

    it('refuses a state too large to read back, naming its size and not its contents', async () => {
      // Act
      const error = await store()
        .saveState('prod-cache', { host: CONTENT, pad: 'x'.repeat(MAX_STATE_JSON_BYTES) }, 1)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(
        /^DynamoDB Put \(saveState\) on table "sw-unit" failed: the state is \d+ bytes of JSON, more than 1048576/,
      );
      expect((error as Error).message).not.toContain(CONTENT);
      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
    });

    it('wraps any other error in StoreError without the state in the message', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(named('InternalServerError', `boom ${CONTENT}`));

      // Act
      const error = await store()
        .saveState('prod-cache', { host: CONTENT }, 1)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toBe(
        'DynamoDB Put (saveState) on table "sw-unit" failed: InternalServerError',
      );
    });
  });

  describe('Method: acquireLock', () => {
    const now = 1_740_830_400_000;

    it('reports the holder after a failed condition by reading the lock', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { owner: 'drill-a', lockExpiresAtMs: now + 5_000 } });

      // Act
      const result = await store().acquireLock('prod-cache', { owner: 'drill-b', ttlMs: 60_000, now });

      // Assess
      expect(result).toEqual({ acquired: false, heldBy: 'drill-a', expiresAt: now + 5_000 });
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        ConditionExpression: 'attribute_not_exists(#pk) OR #lockExpiresAtMs < :now OR #owner = :owner',
        ExpressionAttributeValues: { ':now': now, ':owner': 'drill-b' },
        Item: expect.objectContaining({
          sk: 'DRILL_LOCK',
          lockExpiresAtMs: now + 60_000,
          expiresAt: (now + 60_000) / 1000,
        }),
      });
    });

    it('tries again when the lock was released between the failed put and the read', async () => {
      // Prepare
      ddb.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
      ddb.on(GetCommand).resolves({});

      // Act
      const result = await store().acquireLock('prod-cache', { owner: 'drill-b', ttlMs: 60_000, now });

      // Assess
      expect(result).toEqual({ acquired: true });
      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 2);
    });

    it('gives up with a StoreError when the lock keeps changing hands', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({});

      // Act / Assess
      await expect(store().acquireLock('prod-cache', { owner: 'x', ttlMs: 1, now })).rejects.toThrow(
        StoreError,
      );
      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 3);
    });

    it('wraps a throttled put in StoreError', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(named('ThrottlingException', 'Rate exceeded'));

      // Act / Assess
      await expect(store().acquireLock('prod-cache', { owner: 'x', ttlMs: 1, now })).rejects.toThrow(
        'DynamoDB Put (acquireLock) on table "sw-unit" failed: ThrottlingException',
      );
    });
  });

  describe('Method: releaseLock', () => {
    it('is false when the condition on the owner fails, true when it holds', async () => {
      // Prepare
      ddb.on(DeleteCommand).rejectsOnce(conditionFailed()).resolves({});

      // Act
      const notOwner = await store().releaseLock('prod-cache', 'intruder');
      const owner = await store().releaseLock('prod-cache', 'holder');

      // Assess
      expect([notOwner, owner]).toEqual([false, true]);
      expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeValues: { ':owner': 'holder' },
      });
    });
  });
});
