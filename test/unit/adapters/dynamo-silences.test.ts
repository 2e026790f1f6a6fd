import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoSilenceStore, SILENCE_PARTITION } from '../../../lambdas/adapters/dynamo-silences';
import { StoreError } from '../../../lambdas/adapters/dynamo-store';
import { newSilence } from '../../../lambdas/core/silence';
import { MINUTE, NOW } from '../helpers/snapshot-factory';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'sw-unit';
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const silence = newSilence({
  id: 's-0123456789',
  deployment: 'orders-cache',
  code: 'REPLICA_LAGGING',
  startsAt: NOW,
  durationMs: 60 * MINUTE,
  reason: 'resync after a disk swap',
  createdBy: 'alice@bastion',
  now: NOW,
});
const item = { ...silence, pk: SILENCE_PARTITION, sk: 'SILENCE#orders-cache#s-0123456789', kind: 'silence' };

beforeEach(() => {
  ddb.reset();
});

describe('Class: DynamoSilenceStore', () => {
  describe('Method: putSilence', () => {
    it('writes one item in the SILENCES partition, only if the key is new, with a TTL a week after the end', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      await new DynamoSilenceStore({ client, tableName: TABLE }).putSilence(silence);

      // Assess
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: {
          ...item,
          expiresAt: Math.floor(Date.parse(silence.endsAt) / 1000) + 7 * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
      });
    });
  });

  describe('Method: silencesFor', () => {
    it("reads the deployment's prefix, consistently, page by page, and skips items that do not validate", async () => {
      // Prepare
      ddb
        .on(QueryCommand)
        .resolvesOnce({ Items: [item], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
        .resolvesOnce({ Items: [{ ...item, id: 'broken' }] });
      const invalid: number[] = [];

      // Act
      const found = await new DynamoSilenceStore({
        client,
        tableName: TABLE,
        onInvalid: (n) => invalid.push(n),
      }).silencesFor('orders-cache', NOW);

      // Assess
      expect(found).toEqual([silence]);
      expect(invalid).toEqual([1]);
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'SILENCES', ':prefix': 'SILENCE#orders-cache#' },
        ConsistentRead: true,
      });
    });

    it('wraps a failure in StoreError naming the operation and the error, never the items', async () => {
      ddb
        .on(QueryCommand)
        .rejects(Object.assign(new Error('throttled reading orders-cache'), { name: 'ThrottlingException' }));

      const failure = new DynamoSilenceStore({ client, tableName: TABLE }).silencesFor('orders-cache', NOW);

      await expect(failure).rejects.toThrow(StoreError);
      await expect(failure).rejects.toThrow(
        'DynamoDB Query (silencesFor) on table "sw-unit" failed: ThrottlingException',
      );
    });
  });

  describe('Method: endSilence', () => {
    it('moves the end to now and records who ended it, only while it is still running', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [item] });
      ddb.on(UpdateCommand).resolves({});

      // Act
      const ended = await new DynamoSilenceStore({ client, tableName: TABLE }).endSilence(
        's-0123456789',
        'bob@laptop',
        NOW + 5 * MINUTE,
      );

      // Assess
      expect(ended).toMatchObject({
        endsAt: new Date(NOW + 5 * MINUTE).toISOString(),
        endedBy: 'bob@laptop',
      });
      expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
        Key: { pk: 'SILENCES', sk: 'SILENCE#orders-cache#s-0123456789' },
        ConditionExpression: 'attribute_exists(#pk) AND #endsAt > :endsAt',
      });
    });

    it('answers null when another remove ended it first (the condition failed)', async () => {
      ddb.on(QueryCommand).resolves({ Items: [item] });
      ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));

      const ended = await new DynamoSilenceStore({ client, tableName: TABLE }).endSilence(
        's-0123456789',
        'bob',
        NOW,
      );

      expect(ended).toBeNull();
    });

    it('answers null for an id it does not have, without writing', async () => {
      ddb.on(QueryCommand).resolves({ Items: [item] });

      const ended = await new DynamoSilenceStore({ client, tableName: TABLE }).endSilence(
        's-9999999999',
        'bob',
        NOW,
      );

      expect(ended).toBeNull();
      expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
    });
  });
});
