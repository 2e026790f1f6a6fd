// Short-lived admin connections to the local topology's servers (readiness checks, status, faults).

import Redis from 'ioredis';
import type { Address } from '../../lambdas/core/types';
import { LOOPBACK } from './topology-options';

/** Runs `fn` on a short-lived admin connection to 127.0.0.1:port (one attempt, bounded). */
export async function withRedis<T>(
  port: number,
  password: string | undefined,
  fn: (client: Redis) => Promise<T>,
  timeoutMs = 1000,
): Promise<T> {
  const client = new Redis({
    host: LOOPBACK,
    port,
    password,
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    disableClientInfo: true,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

/** Whom a sentinel names as master of `masterName`; undefined when it names none. */
export async function masterAddrByName(c: Redis, masterName: string): Promise<Address | undefined> {
  const reply = await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName);
  if (!Array.isArray(reply) || reply.length < 2) return undefined;
  return { host: String(reply[0]), port: Number(reply[1]) };
}
