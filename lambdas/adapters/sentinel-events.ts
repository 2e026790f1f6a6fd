// Long-lived pub/sub connections to every sentinel. Only the sentinel that performs an action publishes
// some events (e.g. `+convert-to-slave`), so all of them are subscribed. Connections retry on their own
// (a restarted sentinel is picked up again); polls stay the source of truth, events only make them sooner.

import Redis from 'ioredis';
import type { BatchTarget } from '../core/batch';
import { parseSentinelEvent, type SentinelEvent } from '../core/sentinel-event';
import { formatAddress } from '../core/types';
import { connectionOptions } from './redis-batch';

export interface EventSubscription {
  /** How many sentinels are subscribed right now. */
  readonly subscribed: () => number;
  readonly close: () => Promise<void>;
}

export interface SubscribeOptions {
  readonly sentinels: readonly BatchTarget[];
  /** Events about this master (and those about no master); null: every master's. */
  readonly masterName: string | null;
  readonly onEvent: (event: SentinelEvent) => void;
  /** Connect deadline per sentinel; `subscribeSentinelEvents` resolves by then whatever happened. */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

export async function subscribeSentinelEvents(options: SubscribeOptions): Promise<EventSubscription> {
  const now = options.now ?? Date.now;
  const live = new Set<Redis>();
  const clients = options.sentinels.map((target) => {
    const name = formatAddress(target);
    const client = new Redis({
      ...connectionOptions(target, options.timeoutMs),
      maxRetriesPerRequest: null,
      // Keep trying a sentinel that is down: when it comes back its events matter again.
      retryStrategy: (times) => Math.min(200 * times, 2000),
      autoResubscribe: true,
      ...(target.password ? { password: target.password } : {}),
      ...(target.username ? { username: target.username } : {}),
    });
    client.on('error', () => undefined);
    client.on('ready', () => live.add(client));
    client.on('close', () => live.delete(client));
    client.on('pmessage', (_pattern: string, channel: string, message: string) => {
      const event = parseSentinelEvent(channel, message, name, now());
      if (
        options.masterName === null ||
        event.masterName === null ||
        event.masterName === options.masterName
      ) {
        options.onEvent(event);
      }
    });
    return client;
  });
  const deadline = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
  await Promise.all(
    clients.map((client) =>
      // psubscribe connects the lazy client and, with the offline queue on, waits for a sentinel that is
      // down: once it answers, the subscription is made (and remade after every reconnect).
      Promise.race([client.psubscribe('*').catch(() => undefined), deadline(options.timeoutMs)]),
    ),
  );
  return {
    subscribed: () => live.size,
    close: async () => {
      for (const client of clients) client.disconnect(false);
    },
  };
}
