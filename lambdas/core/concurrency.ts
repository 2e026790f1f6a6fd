// At most `max` calls of an async function in flight; the others wait in order. The poller wraps its
// probe in it, so one invocation of a shard never has more than `max` deployments' connections open
// at once, however many deployments the shard holds. A call for which `first` says so waits at the
// front of the line instead (a poll a sentinel event asked for must not wait behind a whole shard's
// clock polls: lambdas/poller/urgent-polls.ts).

export function limitConcurrency<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  max: number,
  first: (...args: A) => boolean = () => false,
): (...args: A) => Promise<R> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async (...args: A): Promise<R> => {
    if (active >= max) {
      const urgent = first(...args);
      await new Promise<void>((resolve) => (urgent ? waiting.unshift(resolve) : waiting.push(resolve)));
    }
    active++;
    try {
      return await fn(...args);
    } finally {
      release();
    }
  };
}
