// One pub/sub connection per sentinel per invocation, shared by every deployment of the shard that
// lists that sentinel. Fleets often run one set of sentinels for many masters (three sentinels
// monitoring 100 masters): subscribing once per deployment would open 300 connections to the same
// three servers and deliver every event 100 times. Here each sentinel (address, TLS and credentials)
// gets one connection, listening to every master, and each event goes to the deployments that watch
// that master. The connection closes when its last deployment stops listening.

import { createHash } from 'node:crypto';
import type { BatchTarget } from '../core/batch';
import type { SentinelEvent } from '../core/sentinel-event';
import { formatAddress } from '../core/types';
import type { Subscribe } from '../poller/run';
import { type EventSubscription, type SubscribeOptions, subscribeSentinelEvents } from './sentinel-events';

interface Listener {
  readonly masterName: string;
  readonly onEvent: (event: SentinelEvent) => void;
}

interface Shared {
  readonly listeners: Set<Listener>;
  readonly subscription: Promise<EventSubscription>;
}

/** Sentinels are shared only when everything that identifies the connection is the same. */
function targetKey(t: BatchTarget): string {
  const secret = createHash('sha256')
    .update(`${t.username ?? ''}\u0000${t.password ?? ''}`)
    .digest('hex');
  return `${formatAddress(t)}|${t.tls ? 'tls' : 'plain'}|${secret}`;
}

export interface SharedSubscriptions {
  readonly subscribe: Subscribe;
  /** Open sentinel connections right now (for logs and the bench). */
  readonly connections: () => number;
}

export function sharedSentinelSubscriptions(
  open: (options: SubscribeOptions) => Promise<EventSubscription> = subscribeSentinelEvents,
): SharedSubscriptions {
  const shared = new Map<string, Shared>();

  const join = (target: BatchTarget, timeoutMs: number, listener: Listener): string => {
    const key = targetKey(target);
    let entry = shared.get(key);
    if (!entry) {
      const listeners = new Set<Listener>();
      const subscription = open({
        sentinels: [target],
        masterName: null,
        timeoutMs,
        onEvent: (event) => {
          for (const l of listeners) {
            if (event.masterName === null || event.masterName === l.masterName) l.onEvent(event);
          }
        },
      });
      entry = { listeners, subscription };
      shared.set(key, entry);
    }
    entry.listeners.add(listener);
    return key;
  };

  const leave = async (key: string, listener: Listener): Promise<void> => {
    const entry = shared.get(key);
    if (!entry) return;
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0) return;
    shared.delete(key);
    await (await entry.subscription.catch(() => null))?.close();
  };

  const subscribe: Subscribe = async (request) => {
    const listener: Listener = { masterName: request.masterName, onEvent: request.onEvent };
    const keys = [...new Set(request.sentinels.map((t) => join(t, request.timeoutMs, listener)))];
    // Resolves when every sentinel is subscribed or its connect deadline passed (as a single one does).
    await Promise.all(keys.map((k) => shared.get(k)?.subscription.catch(() => null)));
    return {
      close: async () => {
        await Promise.all(keys.map((k) => leave(k, listener)));
      },
    };
  };

  return { subscribe, connections: () => shared.size };
}
