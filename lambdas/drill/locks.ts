// Where the drill lock can live: a key on the master (every drill), an item in the DynamoDB table (the
// drill Lambda's), or both. Each expires on its own, so a crashed drill cannot block forever.

import type { BatchOutcome, RedisCommand, RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import { DrillError } from '../core/drill';
import { drillLockOwner } from '../core/drill-lock';
import type { Clock } from '../core/ports';
import type { LockResult, LockStore } from '../core/store-ports';
import { type Address, formatAddress } from '../core/types';
import { nodeTarget } from '../probe/targets';
import { replyError } from './drill-run';
import { type DrillLock, lockKey } from './ports';

/**
 * The lock as a key on the master: `SET <key> <value> NX PX <ttl>`, where the value is the signed
 * lock that starts with the drill id (core/drill-lock.ts). The heartbeat rewrites it with a
 * compare-and-set script, and only its owner deletes it, with a compare-and-delete script on whoever
 * is master at the end (the key replicates with the data).
 */
export function redisKeyLock(props: {
  readonly runBatch: RunBatch;
  readonly deployment: DeploymentConfig;
  readonly credentials: Credentials;
  readonly now: Clock;
}): DrillLock {
  const key = lockKey(props.deployment.name);
  const timeout = props.deployment.timeoutMs;
  const target = (a: Address) => nodeTarget(props.deployment, props.credentials, a);
  const read = async (master: Address, first: readonly RedisCommand[]): Promise<BatchOutcome> => {
    const outcome = await props.runBatch(target(master), [...first, ['GET', key], ['PTTL', key]], timeout);
    const failed = first.length > 0 ? replyError(outcome, 0) : (outcome.error?.message ?? null);
    if (failed !== null || outcome.replies.length < first.length + 2) {
      throw new DrillError(
        `lock ${key} on ${formatAddress(master)}: ${failed ?? outcome.error?.message ?? 'no reply'}`,
      );
    }
    return outcome;
  };
  const held = (outcome: BatchOutcome, offset: number, owner: string): LockResult => {
    const holder = outcome.replies[offset];
    const pttl = outcome.replies[offset + 1];
    const value = holder?.ok ? holder.value : null;
    if (value === null || value === undefined || ownedBy(String(value), owner)) return { acquired: true };
    const ttl = pttl?.ok ? Number(pttl.value) : -1;
    // A key without expiry was not written by a drill (they always set one): it never frees itself.
    const expiresAt = ttl < 0 ? Number.POSITIVE_INFINITY : props.now() + ttl;
    return { acquired: false, heldBy: drillLockOwner(String(value)).slice(0, 100), expiresAt };
  };
  return {
    where: `key ${key} on the master`,
    acquire: async ({ owner, ttlMs, master, value }) => {
      const outcome = await read(master, [['SET', key, value ?? owner, 'NX', 'PX', String(ttlMs)]]);
      const set = outcome.replies[0];
      return set?.ok && set.value === 'OK' ? { acquired: true } : held(outcome, 1, owner);
    },
    peek: async ({ owner, master }) => held(await read(master, []), 0, owner),
    release: async (owner, masters) => {
      let released = false;
      for (const master of masters) {
        const outcome = await props.runBatch(
          target(master),
          [['EVAL', RELEASE_SCRIPT, '1', key, owner]],
          timeout,
        );
        const reply = outcome.replies[0];
        if (reply?.ok && Number(reply.value) === 1) released = true;
      }
      return released;
    },
    refresh: async ({ owner, ttlMs, master, value, waitReplicas }) => {
      const commands: RedisCommand[] = [
        ['EVAL', REFRESH_SCRIPT, '1', key, owner, value ?? owner, String(ttlMs)],
      ];
      if (waitReplicas) commands.push(['WAIT', String(waitReplicas), String(timeout)]);
      const outcome = await props.runBatch(target(master), commands, timeout);
      const reply = outcome.replies[0];
      if (!reply?.ok) {
        throw new DrillError(
          `lock ${key} on ${formatAddress(master)}: ${replyError(outcome, 0) ?? outcome.error?.message ?? 'no reply'}`,
        );
      }
      return Number(reply.value) === 1;
    },
  };
}

/** The value is the owner itself (an old-style lock) or a signed lock that starts with `<owner>.`. */
const ownedBy = (value: string, owner: string): boolean => value === owner || value.startsWith(`${owner}.`);

// Lua for "the value is ARGV[1] or starts with ARGV[1] .. '.'" (ownedBy): the drill's own lock.
const OURS = "(v == ARGV[1] or string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '.')";

/** Deletes the key only if it is still our lock: another drill's lock is left alone. */
export const RELEASE_SCRIPT = `local v = redis.call('GET', KEYS[1]) if v and ${OURS} then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Writes ARGV[2] with expiry ARGV[3] ms if the key is ours or gone; 0 if another drill holds it. */
export const REFRESH_SCRIPT = `local v = redis.call('GET', KEYS[1]) if v and not ${OURS} then return 0 end redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1`;

/** The lock in the table (the Lambda's): the poller reads it to tell a drill's switch from a real one. */
export function lockStoreLock(store: LockStore, deployment: string, now: Clock): DrillLock {
  return {
    where: 'the DynamoDB drill lock',
    acquire: ({ owner, ttlMs }) => store.acquireLock(deployment, { owner, ttlMs, now: now() }),
    peek: async ({ owner }) => {
      // The store has no read-only check: take a short lock under another owner name and give it back.
      const probe = `${owner}:dry-run`;
      const result = await store.acquireLock(deployment, { owner: probe, ttlMs: 10_000, now: now() });
      if (result.acquired) await store.releaseLock(deployment, probe);
      return result;
    },
    release: (owner) => store.releaseLock(deployment, owner),
    refresh: async ({ owner, ttlMs }) =>
      (await store.acquireLock(deployment, { owner, ttlMs, now: now() })).acquired,
  };
}

/** Every lock must be taken; taking stops (and gives back what it took) at the first refusal. */
export function combinedLock(...locks: readonly DrillLock[]): DrillLock {
  return {
    where: locks.map((l) => l.where).join(' and '),
    acquire: async (request) => {
      const taken: DrillLock[] = [];
      for (const lock of locks) {
        let result: LockResult;
        try {
          result = await lock.acquire(request);
        } catch (error) {
          for (const t of taken) await t.release(request.owner, [request.master]).catch(() => false);
          throw error;
        }
        if (!result.acquired) {
          for (const t of taken) await t.release(request.owner, [request.master]).catch(() => false);
          return result;
        }
        taken.push(lock);
      }
      return { acquired: true };
    },
    peek: async (request) => {
      for (const lock of locks) {
        const result = await lock.peek(request);
        if (!result.acquired) return result;
      }
      return { acquired: true };
    },
    release: async (owner, masters) => {
      let all = true;
      for (const lock of locks) all = (await lock.release(owner, masters)) && all;
      return all;
    },
    // Every lock is renewed even when another fails: one store's hiccup must not let the other lapse.
    refresh: async (request) => {
      let all = true;
      let failure: unknown = null;
      for (const lock of locks) {
        try {
          all = (await lock.refresh(request)) && all;
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== null) throw failure;
      return all;
    },
  };
}
