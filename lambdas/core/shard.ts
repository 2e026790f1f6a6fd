// Which poller invocation (shard) watches which deployment. A shard is a pure function of the
// deployment's name and the number of shards, so:
//   - adding or removing a deployment never moves another one (nothing else enters the function);
//   - changing the number of shards from n to n + 1 moves only the deployments that land in the new
//     shard, about 1/(n + 1) of them, and none between old shards (jump consistent hash, Lamping and
//     Veach 2014, "A Fast, Minimal Memory, Consistent Hash Algorithm");
//   - the CDK app (which validates shard sizes at synth) and the Lambda (which picks its share at run
//     time) compute the same answer from the same code.
// The name is hashed with 64-bit FNV-1a first: jump hash needs well-spread 64-bit keys, and names that
// differ by one character ("cache-1", "cache-2") must not land side by side.

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;
const JUMP_MULTIPLIER = 2862933555777941757n;

/** 64-bit FNV-1a of the name's UTF-8 bytes. */
export function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

/** Jump consistent hash: a bucket in [0, buckets) for a 64-bit key. */
export function jumpHash(key: bigint, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) {
    throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  }
  let k = key & MASK_64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MULTIPLIER + 1n) & MASK_64;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The shard (0-based) that watches the deployment of this name. */
export function shardOf(name: string, shards: number): number {
  return jumpHash(fnv1a64(name), shards);
}

/** Names per shard, in config order within each. */
export function assignShards<T extends { readonly name: string }>(
  items: readonly T[],
  shards: number,
): T[][] {
  const out: T[][] = Array.from({ length: shards }, () => []);
  for (const item of items) out[shardOf(item.name, shards)].push(item);
  return out;
}

/**
 * The fewest shards, from `from` up, for which no shard holds more than `maxPerShard` of the names;
 * null when even `limit` shards are not enough.
 */
export function fewestShards(
  names: readonly string[],
  maxPerShard: number,
  from = 1,
  limit = 1000,
): number | null {
  for (let n = Math.max(1, from); n <= limit; n++) {
    const counts = new Array<number>(n).fill(0);
    let fits = true;
    for (const name of names) {
      const s = shardOf(name, n);
      counts[s]++;
      if (counts[s] > maxPerShard) {
        fits = false;
        break;
      }
    }
    if (fits) return n;
  }
  return null;
}
