// Sentinel publishes what it does on its own pub/sub channels (`+sdown`, `+switch-master`, ...). This
// turns one message into plain data. Payload formats (Redis 5-7):
//   instance events:  `<master|slave|sentinel> <name> <ip> <port> [@ <master-name> <master-ip> <master-port>]`
//   +switch-master:   `<master-name> <old-ip> <old-port> <new-ip> <new-port>`
//   +new-epoch:       `<epoch>`;  +vote-for-leader: `<run-id> <epoch>`;  +tilt / -tilt: `#tilt mode entered`

import type { Address } from './types';

export interface SentinelEvent {
  /** Epoch ms at which the watcher received it. */
  readonly at: number;
  /** The sentinel that published it (`host:port`). */
  readonly sentinel: string;
  /** The channel, e.g. `+switch-master`, `+failover-state-select-slave`, `-failover-abort-slave-timeout`. */
  readonly type: string;
  /** The master the event is about; null for events that name none (`+new-epoch`, `+tilt`). */
  readonly masterName: string | null;
  /** The instance the event is about, when it names one. */
  readonly instance: { readonly role: string; readonly host: string; readonly port: number } | null;
  /** `+switch-master` only. */
  readonly switch: { readonly from: Address; readonly to: Address } | null;
  readonly payload: string;
}

const port = (text: string | undefined): number | null => {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : null;
};

export function parseSentinelEvent(
  channel: string,
  payload: string,
  sentinel: string,
  at: number,
): SentinelEvent {
  const words = payload.trim().split(/\s+/);
  const base = { at, sentinel, type: channel, payload, masterName: null, instance: null, switch: null };
  if (channel === '+switch-master' && words.length >= 5) {
    const [name, oldHost, oldPort, newHost, newPort] = words;
    const from = port(oldPort);
    const to = port(newPort);
    if (from !== null && to !== null) {
      return {
        ...base,
        masterName: name,
        switch: { from: { host: oldHost, port: from }, to: { host: newHost, port: to } },
      };
    }
    return { ...base, masterName: name };
  }
  const [role, , host, instancePort, at2, masterName] = words;
  if ((role === 'master' || role === 'slave' || role === 'sentinel') && port(instancePort) !== null) {
    const instance = { role: role === 'slave' ? 'replica' : role, host, port: port(instancePort)! };
    // A master event names the master itself: `master mymaster 10.0.0.1 6379`.
    const name = role === 'master' ? words[1] : at2 === '@' ? masterName : null;
    return { ...base, masterName: name ?? null, instance };
  }
  return base;
}

/** Events worth an immediate poll: the deployment's shape may have just changed. */
export const TRIGGER_EVENTS: readonly string[] = [
  '+sdown',
  '-sdown',
  '+odown',
  '-odown',
  '+switch-master',
  '+failover-end',
  '+failover-end-for-timeout',
  '+convert-to-slave',
  '+tilt',
  '-tilt',
  '+reboot',
];

export const isFailoverAbort = (e: SentinelEvent): boolean => e.type.startsWith('-failover-abort');
