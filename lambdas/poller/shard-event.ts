// The shard an invocation polls, from its event. The stack's scheduled rules send `{"shard": i}`, one
// target per shard (lib/constructs/poller.ts). An event without a shard (a hand-made test invoke, a
// rule from before shards) means shard 0 when there is only one. A shard the bundled config does not
// have comes from a rule of an older deploy, about to be removed: nothing to poll, and no error.

import { describe } from '../core/address';
import { ConfigError } from '../core/errors';

export type ShardChoice =
  | { readonly kind: 'shard'; readonly shard: number }
  | { readonly kind: 'none'; readonly reason: string };

export function shardFromEvent(event: unknown, shards: number): ShardChoice {
  const raw =
    typeof event === 'object' && event !== null ? (event as Record<string, unknown>).shard : undefined;
  if (raw === undefined) {
    if (shards === 1) return { kind: 'shard', shard: 0 };
    throw new ConfigError(
      'event.shard',
      `is required: the deployments are split into ${shards} shards and each invocation polls one ({"shard": 0} to {"shard": ${shards - 1}})`,
    );
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) {
    throw new ConfigError(
      'event.shard',
      `must be a whole number from 0, got ${typeof raw === 'number' ? raw : describe(raw)}`,
    );
  }
  if (raw >= shards) {
    return {
      kind: 'none',
      reason: `shard ${raw} does not exist in this config (${shards} shard${shards === 1 ? '' : 's'}): a schedule from an earlier deploy`,
    };
  }
  return { kind: 'shard', shard: raw };
}
