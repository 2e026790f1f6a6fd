// At most `max` calls of an async function in flight; the others wait in order. The poller wraps its
// probe in it, so one invocation of a shard never has more than `max` deployments' connections open
// at once, however many deployments the shard holds. When a slot frees, the first waiting call for
// which `first` says so goes before the others (a poll a sentinel event asked for must not wait
// behind a whole shard's clock polls: lambdas/poller/urgent-polls.ts).

export function limitConcurrency<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  max: number,
  first: (...args: A) => boolean = () => false,
): (...args: A) => Promise<R> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  let active = 0;
  const waiting: { readonly args: A; readonly go: () => void }[] = [];
  const release = () => {
    active--;
    // Asked when a slot frees, not when the call queued: an event that arrives while a deployment's
    // clock poll is already waiting moves that poll up.
    const urgent = waiting.findIndex((w) => first(...w.args));
    waiting.splice(Math.max(0, urgent), 1)[0]?.go();
  };
  return async (...args: A): Promise<R> => {
    if (active >= max) await new Promise<void>((go) => waiting.push({ args, go }));
    active++;
    try {
      return await fn(...args);
    } finally {
      release();
    }
  };
}
