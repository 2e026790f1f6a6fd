// The drill's two continuous writers, with ioredis:
// - a sentinel-aware client configured the way an application should be (asks Sentinel for the
//   master, follows +switch-master with failoverDetector, reconnects on READONLY), which measures how
//   long an application could not write;
// - a plain connection to one address (the old master) that never asks Sentinel, which measures how
//   long the old master keeps acknowledging writes after the switch (split brain).
// Both push distinct sequence numbers onto their own list, so the drill can later tell which
// acknowledged writes survived. Every write has its own deadline; `stop` closes the connections.

import Redis, { type RedisOptions } from 'ioredis';
import type { BatchTarget } from '../core/batch';
import type { Credentials } from '../core/config';
import type { WriteSample } from '../core/drill/types';
import type { Clock } from '../core/ports';

export interface ContinuousWriter {
  /** True once a write was acknowledged; false if none was within `timeoutMs`. */
  waitForFirstAck(timeoutMs: number): Promise<boolean>;
  /** Stops writing, waits for the write in flight (bounded by its deadline), disconnects. Idempotent. */
  stop(): Promise<readonly WriteSample[]>;
}

export interface WriterSpec {
  /** List the writer pushes its sequence numbers onto. */
  readonly key: string;
  readonly intervalMs: number;
  /** Deadline of each connection attempt and each write. */
  readonly timeoutMs: number;
  readonly now: Clock;
}

export interface SentinelWriterSpec extends WriterSpec {
  readonly sentinels: readonly BatchTarget[];
  readonly masterName: string;
  readonly credentials: Credentials;
  readonly tls: boolean;
}

export interface PlainWriterSpec extends WriterSpec {
  /** The address written to, whatever role it has (with the data nodes' credentials). */
  readonly target: BatchTarget;
}

export interface WriterFactory {
  sentinelAware(spec: SentinelWriterSpec): ContinuousWriter;
  plain(spec: PlainWriterSpec): ContinuousWriter;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);

function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const list = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return (text) => list.reduce((t, s) => t.split(s).join('***'), text);
}

/**
 * Writes `RPUSH key seq` every `intervalMs` (one write at a time, so a stalled client shows as a gap)
 * until stopped. Each write is bounded by `timeoutMs` even if the client would wait longer.
 */
function writeLoop(client: Redis, spec: WriterSpec, redact: (text: string) => string): ContinuousWriter {
  const samples: WriteSample[] = [];
  let running = true;
  let acked = false;
  let onAck: (() => void) | undefined;
  const firstAck = new Promise<void>((resolve) => {
    onAck = resolve;
  });
  const loop = (async () => {
    for (let seq = 1; running; seq++) {
      const startedAt = spec.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.rpush(spec.key, String(seq)),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${spec.timeoutMs} ms (timed out)`)),
              spec.timeoutMs,
            );
          }),
        ]);
        samples.push({ seq, startedAt, endedAt: spec.now(), ok: true });
        if (!acked) {
          acked = true;
          onAck?.();
        }
      } catch (error) {
        samples.push({ seq, startedAt, endedAt: spec.now(), ok: false, error: redact(messageOf(error)) });
      } finally {
        clearTimeout(timer);
      }
      const wait = startedAt + spec.intervalMs - spec.now();
      if (running && wait > 0) await delay(wait);
    }
  })();
  let stopped: Promise<readonly WriteSample[]> | undefined;
  return {
    waitForFirstAck: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        firstAck.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return result;
    },
    stop: () => {
      stopped ??= (async () => {
        running = false;
        await loop.catch(() => undefined);
        client.disconnect();
        return samples;
      })();
      return stopped;
    },
  };
}

/**
 * With `failoverDetector`, ioredis opens one subscriber connection per sentinel and attaches no
 * 'error' listener to them: when a sentinel dies, every reconnect attempt prints
 * `[ioredis] Unhandled error event` on stderr (seen when a sentinel was killed mid-drill). ioredis
 * 6.0.0 creates them all through its connector's `connectToSentinel`, so wrap that one method to give
 * each an 'error' listener (the detector handles the failures itself). Not a public API: the
 * integration test `drill-faults.test.ts` fails if an ioredis upgrade changes it.
 */
function silenceSentinelClients(client: Redis): void {
  type Connector = { connectToSentinel?: (...args: unknown[]) => Redis };
  const connector = (client as unknown as { connector?: Connector }).connector;
  const original = connector?.connectToSentinel;
  if (!connector || typeof original !== 'function') return;
  connector.connectToSentinel = (...args: unknown[]) => {
    const sentinel = original.apply(connector, args);
    sentinel.on('error', () => undefined);
    return sentinel;
  };
}

/** ioredis writers; the sentinel-aware one uses the options an application following Sentinel should. */
export const ioredisWriters: WriterFactory = {
  sentinelAware(spec) {
    const { credentials } = spec;
    const options: RedisOptions = {
      sentinels: spec.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: spec.masterName,
      role: 'master',
      protocol: 2,
      // Follow +switch-master at once instead of writing to the old master until it is converted.
      failoverDetector: true,
      // A master turned replica answers READONLY: reconnect (and ask Sentinel again), resend the write.
      reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
      connectTimeout: spec.timeoutMs,
      commandTimeout: spec.timeoutMs,
      sentinelCommandTimeout: spec.timeoutMs,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 50, 500),
      sentinelRetryStrategy: (times) => Math.min(times * 100, 1000),
      disableClientInfo: true,
      ...(credentials.password ? { password: credentials.password } : {}),
      ...(credentials.username ? { username: credentials.username } : {}),
      ...(credentials.sentinelPassword ? { sentinelPassword: credentials.sentinelPassword } : {}),
      ...(credentials.sentinelUsername ? { sentinelUsername: credentials.sentinelUsername } : {}),
      ...(spec.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
    };
    // Lazy, so the sentinel connector can be given its error listener before it connects.
    const client = new Redis({ ...options, lazyConnect: true });
    client.on('error', () => undefined);
    silenceSentinelClients(client);
    client.connect().catch(() => undefined);
    return writeLoop(client, spec, redactor([credentials.password, credentials.sentinelPassword]));
  },

  plain(spec) {
    const { target } = spec;
    const client = new Redis({
      host: target.host,
      port: target.port,
      protocol: 2,
      // Not sentinel-aware on purpose: it reconnects to the same address, whatever that has become.
      retryStrategy: () => 100,
      reconnectOnError: () => false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      enableReadyCheck: false,
      connectTimeout: spec.timeoutMs,
      commandTimeout: spec.timeoutMs,
      disableClientInfo: true,
      ...(target.password ? { password: target.password } : {}),
      ...(target.username ? { username: target.username } : {}),
      ...(target.tls ? { tls: {} } : {}),
    });
    client.on('error', () => undefined);
    return writeLoop(client, spec, redactor([target.password]));
  },
};
