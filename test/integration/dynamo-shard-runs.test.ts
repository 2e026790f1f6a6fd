// The shard's run mark (lambdas/adapters/dynamo-shard-runs.ts) against dynalite through the real AWS
// SDK: real condition expressions decide which run's mark stands. And its calls end by their deadline
// against a server that accepts the connection and never answers. No redis-server: no lock needed.

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { DynamoShardRuns, SHARD_RUN_SORT_KEY, shardRunKey } from '../../lambdas/adapters/dynamo-shard-runs';
import { createDocumentClient, StoreError } from '../../lambdas/adapters/dynamo-store';
import { type HangingServer, startHangingServer } from './support/http-stand-ins';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const T = Date.UTC(2026, 10, 30, 10, 0, 0);

let dynamo: EmbeddedDynamo;
let hanging: HangingServer;
let client: ReturnType<typeof createDocumentClient>;
let runs: DynamoShardRuns;

beforeAll(async () => {
  [dynamo, hanging] = await Promise.all([
    startEmbeddedDynamo('sentinel-watch-shard-runs-it'),
    startHangingServer(),
  ]);
  client = createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  runs = new DynamoShardRuns({ client, tableName: dynamo.tableName, callTimeoutMs: 2_000 });
});

afterAll(async () => {
  client?.destroy();
  await Promise.all([dynamo?.close(), hanging?.close()]);
});

describe('DynamoShardRuns on dynalite', () => {
  it('keeps the latest run: a later start replaces the mark, an earlier one does not', async () => {
    // Act
    const first = await runs.markListening('v1/0', {
      startedAt: T,
      owner: 'a',
      listeningAt: T + 900,
      aliveAt: T + 900,
    });
    const later = await runs.markListening('v1/0', {
      startedAt: T + 60_000,
      owner: 'b',
      listeningAt: T + 61_000,
      aliveAt: T + 61_000,
    });
    const earlier = await runs.markListening('v1/0', {
      startedAt: T + 30_000,
      owner: 'z',
      listeningAt: T + 31_000,
      aliveAt: T + 31_000,
    });

    // Assess
    expect([first, later, earlier]).toEqual([true, true, false]);
    expect(await runs.loadListening('v1/0')).toEqual({
      startedAt: T + 60_000,
      owner: 'b',
      listeningAt: T + 61_000,
      aliveAt: T + 61_000,
    });
  });

  it("renews the same run's mark (its heartbeat), and a later run's mark still stands against it", async () => {
    // Prepare
    const mark = { startedAt: T, owner: 'a', listeningAt: T + 900, aliveAt: T + 900 };
    await runs.markListening('v1/5', mark);

    // Act: a heartbeat; then a later run marks; then the first run's next heartbeat
    const beat = await runs.markListening('v1/5', { ...mark, aliveAt: T + 15_900 });
    const beaten = (await runs.loadListening('v1/5'))?.aliveAt;
    await runs.markListening('v1/5', {
      startedAt: T + 60_000,
      owner: 'b',
      listeningAt: T + 61_000,
      aliveAt: T + 61_000,
    });
    const late = await runs.markListening('v1/5', { ...mark, aliveAt: T + 75_900 });

    // Assess
    expect([beat, beaten, late]).toEqual([true, T + 15_900, false]);
    expect((await runs.loadListening('v1/5'))?.owner).toBe('b');
  });

  it('settles a duplicate delivery (same start) on the larger owner id', async () => {
    // Act
    await runs.markListening('v1/1', { startedAt: T, owner: 'm', listeningAt: T + 900, aliveAt: T + 900 });
    const smaller = await runs.markListening('v1/1', {
      startedAt: T,
      owner: 'a',
      listeningAt: T + 950,
      aliveAt: T + 950,
    });
    const larger = await runs.markListening('v1/1', {
      startedAt: T,
      owner: 'x',
      listeningAt: T + 990,
      aliveAt: T + 990,
    });

    // Assess
    expect([smaller, larger]).toEqual([false, true]);
    expect((await runs.loadListening('v1/1'))?.owner).toBe('x');
  });

  it('keys marks by config version and shard, with a TTL a day after listening', async () => {
    // Act
    await runs.markListening('v2/3', {
      startedAt: T,
      owner: 'a',
      listeningAt: T + 1_000,
      aliveAt: T + 1_000,
    });

    // Assess: another version's shard 3 has no mark (a deploy that reshuffles shards starts afresh)
    expect(await runs.loadListening('v1/3')).toBeNull();
    const raw = await client.send(
      new GetCommand({
        TableName: dynamo.tableName,
        Key: { pk: shardRunKey('v2/3'), sk: SHARD_RUN_SORT_KEY },
      }),
    );
    expect(raw.Item).toMatchObject({
      pk: 'SHARD#v2/3',
      sk: 'RUN',
      kind: 'shard-run',
      expiresAt: (T + 1_000) / 1000 + 86_400,
    });
  });

  it('reads a damaged mark as none', async () => {
    // Prepare
    await client.send(
      new PutCommand({
        TableName: dynamo.tableName,
        Item: { pk: shardRunKey('v1/9'), sk: SHARD_RUN_SORT_KEY, startedAt: 'yesterday', owner: 7 },
      }),
    );

    // Act + Assess
    expect(await runs.loadListening('v1/9')).toBeNull();
  });

  it('ends each call by its deadline when DynamoDB never answers, naming the operation', async () => {
    // Prepare
    const silent = createDocumentClient({
      endpoint: hanging.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
    });
    const slow = new DynamoShardRuns({ client: silent, tableName: 'any', callTimeoutMs: 800 });

    try {
      // Act
      const started = Date.now();
      const read = await slow.loadListening('v1/0').catch((e: unknown) => e);
      const write = await slow
        .markListening('v1/0', { startedAt: T, owner: 'a', listeningAt: T, aliveAt: T })
        .catch((e: unknown) => e);
      const elapsed = Date.now() - started;

      // Assess
      expect(read).toBeInstanceOf(StoreError);
      expect((read as Error).message).toBe(
        'DynamoDB Get (loadListening) on table "any" failed: TimeoutError',
      );
      expect((write as Error).message).toBe(
        'DynamoDB Put (markListening) on table "any" failed: TimeoutError',
      );
      expect(elapsed).toBeLessThan(2 * 800 + 1_500);
      expect(hanging.bytesReceived()).toBeGreaterThan(0);
    } finally {
      silent.destroy();
    }
  });
});
