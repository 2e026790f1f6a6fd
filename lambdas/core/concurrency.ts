// At most `max` calls of an async function in flight; the others wait in order. The poller wraps its
// probe in it, so one invocation of a shard never has more than `max` deployments' connections open
// at once, however many deployments the shard holds.

export function limitConcurrency<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  max: number,
): (...args: A) => Promise<R> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async (...args: A): Promise<R> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn(...args);
    } finally {
      release();
    }
  };
}
