// Every bound the watcher puts on what servers and config files may cost it, in one place, with the
// measurement behind each. docs/internals.md ("Limits") explains them to operators; bench/limits.ts
// measures memory and time with and without them.

/**
 * Bytes one server may send in one poll. Real batches are small: a Redis 7.0 master's full node batch
 * is ~PLACEHOLDER, a sentinel's with 100 known peers ~PLACEHOLDER (measured by bench/limits.ts), so 1 MiB leaves
 * room for ~10x that while 48 servers flooding at once still fit a 256 MB Lambda.
 */
export const DEFAULT_MAX_REPLY_BYTES = 1024 * 1024;
/** The range a deployment may set `maxReplyBytes` to. */
export const MIN_MAX_REPLY_BYTES = 64 * 1024;
export const MAX_MAX_REPLY_BYTES = 64 * 1024 * 1024;

/**
 * Servers probed per deployment and poll, and the most a config may list. Sentinel deployments have
 * 3-7 sentinels and a handful of nodes; the caps leave room for stale entries (which the watcher
 * reports) while a sentinel announcing 1000 fake peers costs at most MAX_SENTINELS connections.
 */
export const MAX_SENTINELS = 16;
export const MAX_NODES = 32;
/**
 * Deployments in one config file. The stack polls them in shards of at most 100 per invocation
 * (fleet-config.ts) and has been measured at 1,000 (docs/benchmarks.md, "Fleet"); 2,000 leaves room
 * while a file that is not a fleet (a generated list gone wrong) still fails with its field named.
 */
export const MAX_DEPLOYMENTS = 2000;
