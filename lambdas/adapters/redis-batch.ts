// ioredis behind the RunBatch port. One short-lived connection per server per poll: a hung or broken
// connection can never leak into the next poll, and every step is bounded by one deadline.

import { performance } from 'node:perf_hooks';
import Redis, { type RedisOptions } from 'ioredis';
import type { BatchOutcome, BatchTarget, RedisCommand, Reply, RunBatch } from '../core/batch';
import type { RawError } from '../core/probe-error';

class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms (timed out)`);
    this.name = 'DeadlineError';
  }
}

// Duck-typed rather than `instanceof Error`: socket errors may come from another realm (Jest's vm).
const toRawError = (error: unknown): RawError => {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message, name, code } = error as { message: unknown; name?: unknown; code?: unknown };
    return {
      message: String(message),
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { message: String(error) };
};

/** What every connection of the watcher shares, short-lived or long-lived. */
export function connectionOptions(target: BatchTarget, timeoutMs: number): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    // RESP2 works the same on Redis 5, 6 and 7 and never sends HELLO, so error replies (NOAUTH,
    // WRONGPASS, "no password is set") are the ones an operator sees in redis-cli.
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    disableClientInfo: true,
    connectTimeout: timeoutMs,
    ...(target.tls ? { tls: { servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host } } : {}),
  };
}

export function createClient(target: BatchTarget, timeoutMs: number): Redis {
  return new Redis({
    ...connectionOptions(target, timeoutMs),
    // One attempt, no queueing: a poll reports what happened instead of waiting for a recovery.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    autoResubscribe: false,
    commandTimeout: timeoutMs,
  });
}

export const runBatch: RunBatch = async (target, commands, timeoutMs) => {
  const client = createClient(target, timeoutMs);
  // ioredis rejects connect() with a bare "Connection is closed."; the socket's own error (with its
  // ECONNREFUSED / ENOTFOUND code) arrives as an 'error' event, which also must never go unhandled.
  let socketError: unknown = null;
  client.on('error', (e) => {
    socketError ??= e;
  });
  let connected = false;
  let auth: Reply | null = null;
  let replies: Reply[] = [];
  let rttMs: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    await client.connect();
    connected = true;
    const pipeline = client.pipeline();
    // AUTH goes in the batch rather than in ioredis' handshake so that its exact reply (wrong password,
    // or a password sent where none is set) is recorded instead of being logged or swallowed.
    if (target.password) {
      pipeline.call('AUTH', ...(target.username ? [target.username, target.password] : [target.password]));
    }
    for (const [name, ...args] of commands) pipeline.call(name, ...args);
    const started = performance.now();
    const results = (await pipeline.exec()) ?? [];
    rttMs = Math.round((performance.now() - started) * 1000) / 1000;
    const all = results.map(
      ([error, value]): Reply => (error ? { ok: false, error: toRawError(error) } : { ok: true, value }),
    );
    if (target.password) auth = all.shift() ?? null;
    replies = all;
  })();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(timeoutMs)), timeoutMs);
  });
  let error: RawError | null = null;
  try {
    await Promise.race([work, deadline]);
  } catch (cause) {
    error = toRawError(!connected && socketError ? socketError : cause);
    work.catch(() => undefined);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
  // A connection reset during the handshake can let connect() resolve and fail every command with a
  // bare "Connection is closed.": when nothing was answered, the socket's own error says why.
  const answered = [auth, ...replies].some((r) => r?.ok || r?.error.name === 'ReplyError');
  if (!error && !answered && socketError) error = toRawError(socketError);
  return { connected, error, auth, replies, rttMs } satisfies BatchOutcome;
};

export type { RedisCommand };
