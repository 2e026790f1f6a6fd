import { assignShards, fewestShards, fnv1a64, jumpHash, shardOf } from '../../../lambdas/core/shard';

const names = Array.from({ length: 1000 }, (_, i) => `cache-${String(i).padStart(4, '0')}`);

describe('Function: shardOf', () => {
  it('is stable: the same name lands in the same shard, here and in any later release', () => {
    // Known values pin the hash: changing it would move every deployment at the next deploy.
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(names.slice(0, 8).map((n) => shardOf(n, 20))).toEqual([3, 18, 17, 3, 15, 1, 15, 3]);
  });

  it('moves no deployment when one is added or removed', () => {
    // Prepare
    const before = new Map(names.map((n) => [n, shardOf(n, 20)]));

    // Act: a new deployment joins, another leaves
    const after = assignShards(
      [...names.filter((n) => n !== 'cache-0500'), 'payments-eu'].map((name) => ({ name })),
      20,
    );

    // Assess
    after.forEach((shard, i) => {
      for (const d of shard) if (d.name !== 'payments-eu') expect(before.get(d.name)).toBe(i);
    });
  });

  it('moves only the deployments that go to a new shard when shards grow by one', () => {
    for (const n of [1, 5, 20, 50]) {
      const moved = names.filter((x) => shardOf(x, n) !== shardOf(x, n + 1));
      // Every moved one goes to the new shard, and about 1/(n+1) of them move
      expect(moved.every((x) => shardOf(x, n + 1) === n)).toBe(true);
      expect(Math.abs(moved.length - names.length / (n + 1))).toBeLessThan(names.length / (n + 1) / 2 + 10);
    }
  });

  it('spreads names that differ in one character over the shards', () => {
    const sizes = assignShards(
      names.map((name) => ({ name })),
      10,
    ).map((s) => s.length);
    expect(Math.min(...sizes)).toBeGreaterThan(70);
    expect(Math.max(...sizes)).toBeLessThan(130);
  });

  it('refuses a shard count that is not a positive integer', () => {
    expect(() => jumpHash(1n, 0)).toThrow(RangeError);
  });
});

describe('Function: fewestShards', () => {
  it('finds the fewest shards that keep every shard under the limit', () => {
    // Act
    const n = fewestShards(names, 100);

    // Assess
    expect(n).not.toBeNull();
    const sizes = (k: number) =>
      assignShards(
        names.map((name) => ({ name })),
        k,
      ).map((s) => s.length);
    expect(Math.max(...sizes(n as number))).toBeLessThanOrEqual(100);
    expect(Math.max(...sizes((n as number) - 1))).toBeGreaterThan(100);
    expect(fewestShards(names, 1, 1, 10)).toBeNull();
  });
});
