// ioredis behind the RunBatch port. One short-lived connection per server per poll: a hung or broken
// connection can never leak into the next poll, and every step is bounded by one deadline.

import { performance } from 'node:perf_hooks';
import Redis, { type RedisOptions } from 'ioredis';
import {
  type BatchOutcome,
  type BatchTarget,
  DEFAULT_BATCH_LIMITS,
  type RedisCommand,
  type Reply,
  type RunBatch,
} from '../core/batch';
import { formatBytes } from '../core/detect/text';
import { type RawError, REPLY_TOO_LARGE } from '../core/probe-error';

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
      // ioredis appends "Please report this." to its decoder's errors: garbage from a server is not a
      // bug to report, and the advice would mislead an operator.
      message: String(message).replace(/ Please report this\.$/, ''),
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

export const runBatch: RunBatch = async (target, commands, timeoutMs, limits = DEFAULT_BATCH_LIMITS) => {
  const client = createClient(target, timeoutMs);
  // Count what the server sends, on the socket itself: ioredis buffers a reply until it is complete,
  // so an endless bulk string (or a 50 MB INFO) would otherwise grow until the deadline. Past the
  // budget the socket is destroyed; ioredis then fails the pending commands. The chunk that crosses
  // the line has already reached ioredis' decoder (it listens first), so the excess is one chunk.
  let bytesRead = 0;
  let overflow: RawError | null = null;
  client.once('connect', () => {
    const stream = client.stream;
    stream.on('data', (chunk: Buffer) => {
      bytesRead += chunk.length;
      if (bytesRead > limits.maxReplyBytes && !overflow) {
        overflow = {
          name: REPLY_TOO_LARGE,
          message: `sent more than ${formatBytes(limits.maxReplyBytes)} (maxReplyBytes ${limits.maxReplyBytes}) in one poll: connection closed`,
        };
        stream.destroy();
      }
    });
  });
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
  if (overflow) {
    // Every command the cut cost fails with "Connection is closed."-like words: say why instead.
    const cut = overflow;
    const why = (r: Reply): Reply => (r.ok || r.error.name === 'ReplyError' ? r : { ok: false, error: cut });
    return { connected, error: cut, auth: auth && why(auth), replies: replies.map(why), rttMs, bytesRead };
  }
  return { connected, error, auth, replies, rttMs, bytesRead } satisfies BatchOutcome;
};

export type { RedisCommand };
