import { bucketWrites, MAX_WRITE_BUCKETS, totalOf, type WriteSample } from '../../../../lambdas/core/drill';

const T0 = 1_700_000_000_000;

/** A write every `every` ms from `from` (ms after T0), `n` of them. */
const writes = (from: number, n: number, every = 10, ok = true): WriteSample[] =>
  Array.from({ length: n }, (_, i) => ({
    seq: from + i + 1,
    startedAt: T0 + from + i * every,
    endedAt: T0 + from + i * every + 2,
    ok,
    ...(ok ? {} : { error: 'READONLY' }),
  }));

describe('Function: bucketWrites', () => {
  it('counts acknowledged, failed and lost writes per 100 ms, by when each answer came', () => {
    // Prepare: the client writes 0-300 ms; the old master acknowledges 20 writes, then fails 10
    const client = writes(0, 30);
    const old = [...writes(0, 20), ...writes(200, 10, 10, false)];
    const lost = new Set(old.filter((s) => s.ok && s.endedAt - T0 >= 100).map((s) => s.seq));
    const present = new Set(old.filter((s) => !lost.has(s.seq)).map((s) => s.seq));

    // Act
    const series = bucketWrites(
      {
        client: { samples: client, present: new Set(client.map((s) => s.seq)) },
        oldMaster: { samples: old, present },
      },
      T0,
    );

    // Assess
    expect(series).toEqual({
      fromMs: 0,
      bucketMs: 100,
      client: { acknowledged: [10, 10, 10], failed: [0, 0, 0], lost: [0, 0, 0] },
      oldMaster: { acknowledged: [10, 10, 0], failed: [0, 0, 10], lost: [0, 10, 0] },
    });
  });

  it('starts at the bucket of the first answer, relative to the drill start', () => {
    // Act
    const series = bucketWrites(
      { client: { samples: writes(5_030, 3), present: null }, oldMaster: { samples: [], present: null } },
      T0,
    );

    // Assess: unread survivors are unknown, not zero
    expect(series).toMatchObject({ fromMs: 5_000, client: { acknowledged: [3], lost: null } });
  });

  it('keeps the bucket count bounded by widening the buckets for a long leg', () => {
    // Prepare: 10 minutes of writes every 10 ms
    const long = writes(0, 60_000);

    // Act
    const series = bucketWrites(
      { client: { samples: long, present: null }, oldMaster: { samples: long, present: null } },
      T0,
    )!;

    // Assess
    expect(series.bucketMs % 100).toBe(0);
    expect(series.bucketMs).toBe(400);
    expect(series.client.acknowledged.length).toBeLessThanOrEqual(MAX_WRITE_BUCKETS);
    expect(totalOf(series.client.acknowledged)).toBe(60_000);
    expect(JSON.stringify(series).length).toBeLessThan(40_000);
  });

  it('is null when neither writer made an attempt', () => {
    expect(
      bucketWrites({ client: { samples: [], present: null }, oldMaster: { samples: [], present: null } }, T0),
    ).toBeNull();
  });
});
