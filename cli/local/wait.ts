// Polling helpers shared by the topology's start, stop and fault helpers.

import { TopologyError } from '../../lambdas/core/errors';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Polls `predicate` until it returns a truthy value; throws TopologyError naming `what` on timeout. */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  what = 'condition',
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = `; last error: ${errorText(err)}`;
    }
    if (Date.now() >= deadline)
      throw new TopologyError(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    await sleep(intervalMs);
  }
}
