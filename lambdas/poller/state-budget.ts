// The STATE item's size budget. DynamoDB refuses an item over 400 KB, and a refused save stops every
// alert of the deployment, so the state is fitted to half of that before each save, whatever the
// servers reported and however many incidents piled up. Normal states are a few kilobytes and pass
// untouched; only a state over budget is shrunk, least useful parts first, and never by dropping a
// pending alert: its key, text and place in the queue always stay.

import { MAX_NODES, MAX_SENTINELS } from '../core/limits';
import { cut } from '../core/server-bounds';
import { compactSnapshot, type OutboxEntry, type PollerState } from './state';

/** Half of DynamoDB's 400 KB item limit: room for the item's keys and DynamoDB's own encoding. */
export const STATE_BUDGET_BYTES = 200 * 1024;

/** Identities (NODE_RESTARTED) kept when shrinking: the servers of two full polls. */
const IDENTITIES_KEPT = 2 * (MAX_SENTINELS + MAX_NODES);

const sizeOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

const withoutDetails = <T extends { readonly details?: unknown }>(x: T): T => {
  const { details: _dropped, ...rest } = x;
  return rest as T;
};

const mapEntries = (s: PollerState, status: OutboxEntry['status'], f: (e: OutboxEntry) => OutboxEntry) => ({
  ...s,
  outbox: s.outbox.map((e) => (e.status === status ? f(e) : e)),
});

/** Each step gives up something less useful than the next one does. */
const STEPS: readonly ((s: PollerState) => PollerState)[] = [
  // A caller that stored a full snapshot (or an older format).
  (s) => ({ ...s, lastSnapshot: s.lastSnapshot && compactSnapshot(s.lastSnapshot) }),
  // Sent entries are kept only to refuse a second send of their key: their text is not needed.
  (s) =>
    mapEntries(s, 'sent', (e) => ({
      ...e,
      notification: withoutDetails({ ...e.notification, message: cut(e.notification.message, 120) }),
    })),
  // Servers not seen lately: at worst a restart seen across a long outage goes unreported.
  (s) => {
    const recent = Object.entries(s.detection.identities)
      .sort(([, a], [, b]) => b.seenAt - a.seenAt)
      .slice(0, IDENTITIES_KEPT)
      .map(([k, id]) => [cut(k), { ...id, runId: id.runId && cut(id.runId, 64) }] as const);
    return {
      ...s,
      detection: {
        ...s.detection,
        identities: Object.fromEntries(recent),
        switches: s.detection.switches.slice(-20),
      },
    };
  },
  // An incident's stored text only ends up in its "resolved" message ("It was: ..."): keep its start.
  (s) => ({
    ...s,
    incidents: {
      ...s.incidents,
      incidents: Object.fromEntries(
        Object.entries(s.incidents.incidents).map(([k, inc]) => [
          k,
          withoutDetails({ ...inc, message: cut(inc.message, 160) }),
        ]),
      ),
    },
  }),
  // Detection falls back on its own state (last master, config epoch, identities).
  (s) => ({ ...s, lastSnapshot: null }),
  // Resolved incidents only damp a condition that comes back: without them it pages again (never less).
  (s) => ({
    ...s,
    incidents: {
      ...s.incidents,
      incidents: Object.fromEntries(
        Object.entries(s.incidents.incidents).filter(([, i]) => i.status !== 'resolved'),
      ),
      events: {},
    },
  }),
  // Pending alerts lose their details (timelines) and very long text, never their place.
  (s) =>
    mapEntries(s, 'pending', (e) => ({
      ...e,
      notification: withoutDetails({ ...e.notification, message: cut(e.notification.message, 2000) }),
    })),
  // Last: forget what was sent (a key re-queued later could then be sent twice).
  (s) => ({ ...s, outbox: s.outbox.filter((e) => e.status === 'pending') }),
];

/** The state as it may be saved: unchanged when it fits `budget` bytes of JSON, else shrunk step by step. */
export function fitPollerState(state: PollerState, budget = STATE_BUDGET_BYTES): PollerState {
  let fitted = state;
  for (const step of STEPS) {
    if (sizeOf(fitted) <= budget) return fitted;
    fitted = step(fitted);
  }
  return fitted;
}
