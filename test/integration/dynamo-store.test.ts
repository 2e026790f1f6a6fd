// The DynamoDB store against dynalite (an in-process DynamoDB emulator) through the real AWS SDK:
// real marshalling, real condition expressions, real pagination. dynalite has no UpdateTimeToLive and
// does not expire items, so TTL is checked as the attribute's value, not as a deletion.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { DynamoStore, TABLE_KEYS } from '../../lambdas/adapters/dynamo-store';
import type { SnapshotRecord } from '../../lambdas/core/snapshot-record';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'sentinel-watch-it';

let dynamo: EmbeddedDynamo;
let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let store: DynamoStore;

const record = (
  deployment: string,
  takenAt: string,
  patch: Partial<SnapshotRecord> = {},
): SnapshotRecord => ({
  deployment,
  takenAt,
  expiresAt: Math.floor(Date.parse(takenAt) / 1000) + 30 * 86_400,
  durationMs: 12,
  master: '127.0.0.1:6379',
  unanimous: true,
  truncated: false,
  nodes: [
    {
      address: '127.0.0.1:6379',
      role: 'master',
      reachable: true,
      error: null,
      offset: 1000,
      lagBytes: null,
      ackAgeSeconds: null,
      link: null,
      follows: null,
    },
    {
      address: '127.0.0.1:6380',
      role: 'replica',
      reachable: true,
      error: null,
      offset: 900,
      lagBytes: 100,
      ackAgeSeconds: 1,
      link: 'up',
      follows: '127.0.0.1:6379',
    },
  ],
  sentinels: [
    {
      address: '127.0.0.1:26379',
      reachable: true,
      error: null,
      master: '127.0.0.1:6379',
      flags: ['master'],
      ckquorumOk: true,
      tilt: false,
    },
  ],
  findings: [],
  ...patch,
});

/** `count` records one minute apart from `start`. */
const minutes = (deployment: string, start: string, count: number): SnapshotRecord[] =>
  Array.from({ length: count }, (_, i) =>
    record(deployment, new Date(Date.parse(start) + i * 60_000).toISOString()),
  );

beforeAll(async () => {
  // dynalite in process with the table created through the real SDK, as the demo uses it.
  dynamo = await startEmbeddedDynamo(TABLE);
  raw = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client = DynamoDBDocumentClient.from(raw);
  store = new DynamoStore({ client, tableName: TABLE });
});

afterAll(async () => {
  raw?.destroy();
  await dynamo?.close();
});

describe('Class: DynamoStore', () => {
  describe('Method: putSnapshot', () => {
    it('writes one item under DEPLOYMENT#/SNAPSHOT# with the TTL attribute in epoch seconds', async () => {
      // Prepare
      const r = record('it-put', '2025-03-01T12:00:00.000Z');

      // Act
      await store.putSnapshot(r);
      const { Item } = await client.send(
        new GetCommand({
          TableName: TABLE,
          Key: { pk: 'DEPLOYMENT#it-put', sk: 'SNAPSHOT#2025-03-01T12:00:00.000Z' },
        }),
      );

      // Assess
      expect(Item).toMatchObject({ ...r, kind: 'snapshot' });
      expect(Item?.[TABLE_KEYS.ttlAttribute]).toBe(Date.parse('2025-03-31T12:00:00.000Z') / 1000);
      expect(typeof Item?.expiresAt).toBe('number');
    });

    it('reads back exactly what it wrote, nulls and nested lists included', async () => {
      // Prepare
      const r = record('it-roundtrip', '2025-03-01T12:00:00.000Z', {
        master: null,
        unanimous: false,
        findings: [{ code: 'NO_QUORUM', severity: 'critical', subject: 'deployment' }],
      });
      await store.putSnapshot(r);

      // Act
      const [back] = await store.history('it-roundtrip', {
        from: '2025-03-01T00:00:00Z',
        to: '2025-03-02T00:00:00Z',
      });

      // Assess
      expect(back).toEqual(r);
    });
  });

  describe('Method: history', () => {
    beforeAll(async () => {
      await Promise.all([
        ...minutes('it-history', '2025-03-01T10:00:00.000Z', 12).map((r) => store.putSnapshot(r)),
        // Same time range, other deployment: must never appear.
        store.putSnapshot(record('it-history-other', '2025-03-01T10:05:00.000Z')),
      ]);
      await store.saveState('it-history', { open: [] }, null);
      await store.putDrillReport('it-history', { ok: true }, '2025-03-01T10:06:00.000Z', 90);
    });

    it('returns the range only, inclusive, oldest first, without other deployments or item kinds', async () => {
      // Act
      const got = await store.history('it-history', {
        from: '2025-03-01T10:03:00.000Z',
        to: '2025-03-01T10:07:00.000Z',
      });

      // Assess
      expect(got.map((r) => r.takenAt)).toEqual([
        '2025-03-01T10:03:00.000Z',
        '2025-03-01T10:04:00.000Z',
        '2025-03-01T10:05:00.000Z',
        '2025-03-01T10:06:00.000Z',
        '2025-03-01T10:07:00.000Z',
      ]);
      expect(got.every((r) => r.deployment === 'it-history')).toBe(true);
      expect(got[0]).not.toHaveProperty('pk');
    });

    it('follows LastEvaluatedKey over several pages and stops at the limit', async () => {
      // Prepare: 2 items per Query page.
      const paged = new DynamoStore({ client, tableName: TABLE, pageSize: 2 });
      const send = jest.spyOn(client, 'send');
      const range = { from: '2025-03-01T10:00:00Z', to: '2025-03-01T11:00:00Z' };

      try {
        // Act
        const all = await paged.history('it-history', range);
        const allCalls = send.mock.calls.length;
        send.mockClear();
        const five = await paged.history('it-history', range, 5);
        const fiveCalls = send.mock.calls.length;

        // Assess
        expect(all).toHaveLength(12);
        expect(allCalls).toBe(7); // 6 full pages, then one that finds nothing more
        expect(five.map((r) => r.takenAt.slice(11, 16))).toEqual([
          '10:00',
          '10:01',
          '10:02',
          '10:03',
          '10:04',
        ]);
        expect(fiveCalls).toBe(3); // 2 + 2 + 1
      } finally {
        send.mockRestore();
      }
    });

    it('keeps the newest end of the range when asked, still oldest first', async () => {
      // Act
      const got = await store.history(
        'it-history',
        { from: '2025-03-01T10:00:00Z', to: '2025-03-01T11:00:00Z' },
        3,
        { keep: 'newest' },
      );

      // Assess
      expect(got.map((r) => r.takenAt.slice(11, 16))).toEqual(['10:09', '10:10', '10:11']);
    });

    it('is empty for a range with no records, or one whose bounds are reversed', async () => {
      // Act / Assess
      await expect(
        store.history('it-history', { from: '2025-03-02T00:00:00Z', to: '2025-03-03T00:00:00Z' }),
      ).resolves.toEqual([]);
      await expect(
        store.history('it-history', { from: '2025-03-01T11:00:00Z', to: '2025-03-01T10:00:00Z' }),
      ).resolves.toEqual([]);
    });
  });

  describe('Method: saveState', () => {
    it('creates version 1, then advances only from the version it read', async () => {
      // Act
      const created = await store.saveState('it-state', { incidents: ['A'] }, null);
      const createdAgain = await store.saveState('it-state', { incidents: ['B'] }, null);
      const updated = await store.saveState('it-state', { incidents: ['A', 'C'] }, 1);
      const stale = await store.saveState('it-state', { incidents: [] }, 1);
      const loaded = await store.loadState<{ incidents: string[] }>('it-state');

      // Assess
      expect([created, createdAgain, updated, stale]).toEqual(['saved', 'conflict', 'saved', 'conflict']);
      expect(loaded).toEqual({ version: 2, state: { incidents: ['A', 'C'] } });
    });

    it('lets exactly one of two concurrent saves from the same version win', async () => {
      // Prepare: two "invocations" both read version 1.
      await store.saveState('it-race', { n: 0 }, null);
      const read = await store.loadState<{ n: number }>('it-race');

      // Act
      const results = await Promise.all([
        store.saveState('it-race', { n: 1, by: 'a' }, read!.version),
        store.saveState('it-race', { n: 1, by: 'b' }, read!.version),
      ]);
      const after = await store.loadState<{ n: number; by: string }>('it-race');

      // Assess
      expect([...results].sort()).toEqual(['conflict', 'saved']);
      expect(after?.version).toBe(2);
      expect(after?.state.by).toBe(results[0] === 'saved' ? 'a' : 'b');
    });

    it('lets exactly one of two concurrent first saves win', async () => {
      // Act
      const results = await Promise.all([
        store.saveState('it-race-first', { by: 'a' }, null),
        store.saveState('it-race-first', { by: 'b' }, null),
      ]);

      // Assess
      expect([...results].sort()).toEqual(['conflict', 'saved']);
    });

    it('drops undefined fields instead of failing to marshal them', async () => {
      // Act
      await store.saveState('it-undefined', { a: 1, b: undefined }, null);

      // Assess
      expect(await store.loadState('it-undefined')).toEqual({ version: 1, state: { a: 1 } });
    });
  });

  describe('Method: loadState', () => {
    it('is null before the first save', async () => {
      // Act / Assess
      expect(await store.loadState('it-never-saved')).toBeNull();
    });
  });

  describe('Method: acquireLock', () => {
    const T0 = Date.parse('2025-03-01T12:00:00.000Z');

    it('grants a free lock, refuses a held one naming the holder, and allows renewal by the holder', async () => {
      // Act
      const first = await store.acquireLock('it-lock', { owner: 'drill-a', ttlMs: 60_000, now: T0 });
      const contended = await store.acquireLock('it-lock', {
        owner: 'drill-b',
        ttlMs: 60_000,
        now: T0 + 1_000,
      });
      const renewed = await store.acquireLock('it-lock', {
        owner: 'drill-a',
        ttlMs: 60_000,
        now: T0 + 2_000,
      });
      const { Item } = await client.send(
        new GetCommand({ TableName: TABLE, Key: { pk: 'DEPLOYMENT#it-lock', sk: 'DRILL_LOCK' } }),
      );

      // Assess
      expect(first).toEqual({ acquired: true });
      expect(contended).toEqual({ acquired: false, heldBy: 'drill-a', expiresAt: T0 + 60_000 });
      expect(renewed).toEqual({ acquired: true });
      expect(Item).toMatchObject({ owner: 'drill-a', lockExpiresAtMs: T0 + 62_000 });
      expect(Item?.[TABLE_KEYS.ttlAttribute]).toBe((T0 + 62_000) / 1000);
    });

    it('takes over an expired lock', async () => {
      // Prepare
      await store.acquireLock('it-lock-expired', { owner: 'crashed', ttlMs: 1_000, now: T0 });

      // Act
      const atExpiry = await store.acquireLock('it-lock-expired', {
        owner: 'next',
        ttlMs: 1_000,
        now: T0 + 1_000,
      });
      const after = await store.acquireLock('it-lock-expired', {
        owner: 'next',
        ttlMs: 1_000,
        now: T0 + 1_001,
      });

      // Assess
      expect(atExpiry).toEqual({ acquired: false, heldBy: 'crashed', expiresAt: T0 + 1_000 });
      expect(after).toEqual({ acquired: true });
    });

    it('grants a contended free lock to exactly one of two concurrent callers', async () => {
      // Act
      const results = await Promise.all([
        store.acquireLock('it-lock-race', { owner: 'a', ttlMs: 60_000, now: T0 }),
        store.acquireLock('it-lock-race', { owner: 'b', ttlMs: 60_000, now: T0 }),
      ]);

      // Assess
      expect(results.filter((r) => r.acquired)).toHaveLength(1);
      expect(results.find((r) => !r.acquired)).toMatchObject({ heldBy: expect.stringMatching(/^[ab]$/) });
    });
  });

  describe('Method: releaseLock', () => {
    it("releases only the owner's lock; someone else's release is a no-op", async () => {
      // Prepare
      const now = Date.parse('2025-03-01T12:00:00.000Z');
      await store.acquireLock('it-release', { owner: 'holder', ttlMs: 60_000, now });

      // Act
      const byOther = await store.releaseLock('it-release', 'intruder');
      const stillHeld = await store.acquireLock('it-release', {
        owner: 'other',
        ttlMs: 60_000,
        now: now + 1,
      });
      const byOwner = await store.releaseLock('it-release', 'holder');
      const again = await store.releaseLock('it-release', 'holder');
      const free = await store.acquireLock('it-release', { owner: 'other', ttlMs: 60_000, now: now + 2 });

      // Assess
      expect(byOther).toBe(false);
      expect(stillHeld).toMatchObject({ acquired: false, heldBy: 'holder' });
      expect(byOwner).toBe(true);
      expect(again).toBe(false);
      expect(free).toEqual({ acquired: true });
    });
  });

  describe('Method: putDrillReport', () => {
    it('writes the report under DRILL#<startedAt> with a TTL', async () => {
      // Act
      await store.putDrillReport(
        'it-drill',
        { outcome: 'passed', steps: [1, 2] },
        '2025-03-01T12:00:00Z',
        90,
      );
      const { Item } = await client.send(
        new GetCommand({
          TableName: TABLE,
          Key: { pk: 'DEPLOYMENT#it-drill', sk: 'DRILL#2025-03-01T12:00:00.000Z' },
        }),
      );

      // Assess
      expect(Item).toMatchObject({
        deployment: 'it-drill',
        startedAt: '2025-03-01T12:00:00.000Z',
        report: { outcome: 'passed', steps: [1, 2] },
        expiresAt: Date.parse('2025-05-30T12:00:00.000Z') / 1000,
      });
    });
  });
});
