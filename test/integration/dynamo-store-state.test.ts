// The STATE item as DynamoDB stores it, against dynalite behind the fleet bench's sizing proxy
// (bench/fleet/aws-stand-ins.ts, which sizes each item by DynamoDB's rules): the poller's state is
// stored compressed in a binary attribute, items of the earlier map form still load, a damaged or
// oversized blob is a clear error (and the poller starts over from it instead of stalling), and a
// realistic state costs at most 2 write units. No redis-server here (the simulated fleet is RESP
// listeners in this process): no lock needed.

import { deflateSync } from 'node:zlib';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AwsStandIns, itemSize } from '../../bench/fleet/aws-stand-ins';
import { pollSimulatedDeployment } from '../../bench/fleet/poll-simulated';
import { createDocumentClient, DynamoStore, StoreError } from '../../lambdas/adapters/dynamo-store';
import { MAX_STATE_JSON_BYTES, STATE_ENCODING } from '../../lambdas/adapters/state-codec';
import { STATE_DICTIONARY } from '../../lambdas/adapters/state-dictionary';
import { runPoller } from '../../lambdas/poller/run';
import type { PollerState } from '../../lambdas/poller/state';
import {
  eventfulPollerState,
  fakePollerDeps,
  healthyPollerState,
  type LoggedError,
  PROD_CACHE_CONFIG,
} from '../unit/helpers/poller-states';
import { NOW } from '../unit/helpers/snapshot-factory';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'sentinel-watch-state-it';
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
/** Two write units: DynamoDB bills a write per 1 KB started. */
const TWO_WRU = 2048;

let aws: AwsStandIns;
let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let store: DynamoStore;

beforeAll(async () => {
  aws = await AwsStandIns.start(TABLE);
  raw = new DynamoDBClient({ ...LOCAL, endpoint: aws.dynamoEndpoint });
  client = createDocumentClient({ ...LOCAL, endpoint: aws.dynamoEndpoint });
  store = new DynamoStore({ client, tableName: TABLE });
});

afterAll(async () => {
  raw?.destroy();
  client?.destroy();
  await aws?.stop();
});

const key = (deployment: string) => ({ pk: `DEPLOYMENT#${deployment}`, sk: 'STATE' });
const storedItem = async (deployment: string) =>
  (await client.send(new GetCommand({ TableName: TABLE, Key: key(deployment) }))).Item;
/** Writes an item as it is, past the store: an earlier version's, or a damaged one. */
const putRaw = (deployment: string, attributes: Record<string, unknown>) =>
  client.send(
    new PutCommand({ TableName: TABLE, Item: { ...key(deployment), kind: 'state', ...attributes } }),
  );
const dictionary = Buffer.from(STATE_DICTIONARY);
/** Bytes DynamoDB bills for the stored item (attribute names + values; a binary is its length). */
const billedSize = async (deployment: string) => {
  const { Item } = await raw.send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key(deployment).pk }, sk: { S: 'STATE' } } }),
  );
  return itemSize(Item ?? {});
};

describe('Class: DynamoStore (the STATE item)', () => {
  describe('Method: saveState', () => {
    it('stores the state compressed in a binary attribute, with version, savedAt and keys as before', async () => {
      // Prepare
      const state = await eventfulPollerState();

      // Act
      const saved = await store.saveState('it-z', state, null);
      const item = await storedItem('it-z');

      // Assess
      expect(saved).toBe('saved');
      expect(item).toMatchObject({ ...key('it-z'), kind: 'state', version: 1, encoding: STATE_ENCODING });
      expect(Date.parse(String(item?.savedAt))).not.toBeNaN();
      expect(item).not.toHaveProperty('state');
      const blob = item?.stateZ as Uint8Array;
      expect(blob).toBeInstanceOf(Uint8Array);
      expect(blob.length).toBeLessThan(JSON.stringify(state).length / 4);
    });

    it('round-trips a realistic poller state exactly, and keeps the conditional versions', async () => {
      // Prepare
      const [first, second] = [await healthyPollerState(), await eventfulPollerState()];

      // Act
      const results = [
        await store.saveState('it-rt', first, null),
        await store.saveState('it-rt', second, null),
        await store.saveState('it-rt', second, 1),
        await store.saveState('it-rt', first, 1),
      ];
      const loaded = await store.loadState<PollerState>('it-rt');

      // Assess
      expect(results).toEqual(['saved', 'conflict', 'saved', 'conflict']);
      expect(loaded).toEqual({ version: 2, state: second });
    });

    it('refuses a state it could not read back, before writing anything', async () => {
      // Prepare: more JSON than a load inflates
      const huge = { pad: 'x'.repeat(MAX_STATE_JSON_BYTES) };

      // Act
      const error = await store.saveState('it-huge', huge, null).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(
        /^DynamoDB Put \(saveState\) on table "sentinel-watch-state-it" failed: the state is \d+ bytes of JSON, more than 1048576/,
      );
      expect(await storedItem('it-huge')).toBeUndefined();
    });
  });

  describe('Method: loadState', () => {
    it('still loads an item in the earlier map form, and the next save rewrites it compressed', async () => {
      // Prepare: as versions before compression wrote it
      const state = await eventfulPollerState();
      await putRaw('it-old', { version: 7, savedAt: '2026-05-01T10:00:00.000Z', state });

      // Act
      const loaded = await store.loadState<PollerState>('it-old');
      const saved = await store.saveState('it-old', loaded?.state, 7);
      const item = await storedItem('it-old');

      // Assess
      expect(loaded).toEqual({ version: 7, state });
      expect(saved).toBe('saved');
      expect(item).toMatchObject({ version: 8, encoding: STATE_ENCODING });
      expect(item).not.toHaveProperty('state');
      expect(await store.loadState('it-old')).toEqual({ version: 8, state });
    });

    it('names the attribute, never the contents, when the blob is damaged', async () => {
      // Prepare: a real blob with its middle overwritten
      await store.saveState('it-damaged', { host: 'db-secret-host.internal' }, null);
      const blob = Buffer.from((await storedItem('it-damaged'))?.stateZ as Uint8Array);
      blob.fill(0x5a, 2, blob.length - 2);
      await putRaw('it-damaged', { version: 3, encoding: STATE_ENCODING, stateZ: blob });

      // Act
      const error = await store.loadState('it-damaged').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(
        /^DynamoDB Get \(loadState\) on table "sentinel-watch-state-it" failed: the stored state \(attribute stateZ\) cannot be inflated/,
      );
      expect((error as Error).message).not.toContain('db-secret-host');
      expect(error).toMatchObject({ unreadableVersion: 3, retryable: false });
    });

    it('stops inflating at 1 MiB: a blob that would inflate to more is an error, not a memory blow-up', async () => {
      // Prepare: 64 MiB of JSON in about 64 KB of blob
      const bomb = deflateSync(Buffer.from(`{"pad":"${'x'.repeat(64 * 1024 * 1024)}"}`), {
        level: 9,
        dictionary,
      });
      await putRaw('it-bomb', { version: 2, encoding: STATE_ENCODING, stateZ: bomb });

      // Act
      const error = await store.loadState('it-bomb').catch((e: unknown) => e);

      // Assess
      expect(bomb.length).toBeLessThan(100 * 1024);
      expect((error as Error).message).toMatch(
        /failed: the stored state \(attribute stateZ\) inflates to more than 1048576 bytes/,
      );
      expect(error).toMatchObject({ unreadableVersion: 2 });
    });

    it('gives a clear error for a blob that is not JSON, and for an encoding it does not know', async () => {
      // Prepare
      const text = 'host=db-secret-host.internal';
      await putRaw('it-notjson', {
        version: 1,
        encoding: STATE_ENCODING,
        stateZ: deflateSync(Buffer.from(text), { dictionary }),
      });
      await putRaw('it-unknown', { version: 1, encoding: 'zstd-json-d9', stateZ: Buffer.from('x') });

      // Act
      const notJson = await store.loadState('it-notjson').catch((e: unknown) => e);
      const unknown = await store.loadState('it-unknown').catch((e: unknown) => e);

      // Assess
      expect((notJson as Error).message).toMatch(/the stored state \(attribute stateZ\) is not valid JSON$/);
      expect((notJson as Error).message).not.toContain('db-secret-host');
      expect((unknown as Error).message).toMatch(
        /the stored state has encoding "zstd-json-d9", which this version cannot read/,
      );
    });
  });

  describe('Item size, by DynamoDB rules', () => {
    it('sizes a binary attribute by its bytes (the proxy that the fleet bench counts with)', () => {
      // Act / Assess: name + bytes, whether the wire's base64 or the SDK's bytes
      expect(itemSize({ stateZ: { B: Buffer.alloc(100).toString('base64') } })).toBe(6 + 100);
      expect(itemSize({ stateZ: { B: new Uint8Array(100) } })).toBe(6 + 100);
      expect(
        itemSize({ blobs: { BS: [Buffer.alloc(3).toString('base64'), Buffer.alloc(4).toString('base64')] } }),
      ).toBe(5 + 7);
    });

    it.each([
      ['healthy, five polls', healthyPollerState],
      ['after a failover and with a replica down (two sent alerts, an open incident)', eventfulPollerState],
    ])('costs at most 2 write units and 1 read unit: %s', async (_label, build) => {
      // Prepare
      const state = await build();
      const version = (await store.loadState('it-size'))?.version ?? null;
      aws.resetCounters();

      // Act
      await store.saveState('it-size', state, version);
      await store.loadState('it-size');

      // Assess: a strongly consistent read is a unit per 4 KB started
      const [write] = aws.counters.writes;
      expect(write.bytes).toBeLessThanOrEqual(TWO_WRU);
      expect(write.units).toBeLessThanOrEqual(2);
      expect(aws.counters.readUnits).toBe(1);
      expect(await billedSize('it-size')).toBe(write.bytes);
    });

    it.each([
      ['healthy, 3 polls', { invocations: 3, namePrefix: 'healthy' }],
      [
        'a failover, then the old master down, 5 polls',
        { invocations: 5, faults: true, namePrefix: 'faults' },
      ],
    ])(
      'costs at most 2 write units for the fleet bench deployment polled by the real probe: %s',
      async (_label, run) => {
        // Prepare
        aws.resetCounters();

        // Act: a simulated 1 + 2 + 3 deployment answering with real Redis 7 replies
        const name = await pollSimulatedDeployment(store, run);

        // Assess: every save of the poll (and those recording what was sent)
        const states = aws.counters.writes.filter((w) => w.kind === 'STATE');
        expect(states.length).toBeGreaterThanOrEqual(run.invocations);
        for (const w of states) expect(w.bytes).toBeLessThanOrEqual(TWO_WRU);
        const loaded = await store.loadState<PollerState>(name);
        expect(loaded?.state.lastSnapshot?.nodes).toHaveLength(3);
      },
    );
  });

  describe('Function: runPoller, on a STATE item it cannot read', () => {
    it('logs it, starts over from an empty state and replaces the item, instead of stalling', async () => {
      // Prepare: a damaged item at version 5
      await putRaw('prod-cache', { version: 5, encoding: STATE_ENCODING, stateZ: Buffer.from('not a blob') });
      const errors: LoggedError[] = [];

      // Act
      const summary = await runPoller(PROD_CACHE_CONFIG, fakePollerDeps(store, { now: NOW }, { errors }), {
        owner: 'inv-1',
        remainingMs: () => 60_000,
      });
      const loaded = await store.loadState<PollerState>('prod-cache');

      // Assess
      expect(summary.deployments[0]).toMatchObject({ polls: 1, stopped: 'done' });
      expect(errors).toEqual([
        {
          message: 'the stored state cannot be read: detection starts over from an empty state',
          data: {
            deployment: 'prod-cache',
            version: 5,
            error: expect.stringContaining('the stored state (attribute stateZ) cannot be inflated'),
          },
        },
      ]);
      expect(loaded?.version).toBe(6);
      expect(loaded?.state.lastSnapshot?.takenAt).toBe(new Date(NOW).toISOString());
    });
  });
});
