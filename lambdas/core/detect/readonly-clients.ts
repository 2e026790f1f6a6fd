// CLIENTS_WRITING_TO_REPLICA: a replica's `errorstat_READONLY` count grows, so some client still sends
// writes to it, typically one that did not follow a failover (it connected to a fixed address, not
// through Sentinel). Each write fails for that client. The counters are remembered between polls;
// the condition holds while the count grew within the last minute. Replicas without INFO errorstats
// (Redis before 6.2) cannot be judged: the snapshot lists the check as unavailable for them.

import type { Finding } from '../types';
import { formatAddress } from '../types';
import { nodeSubject } from './codes';
import type { NodeCounters } from './state';
import { formatDuration } from './text';
import { nodeReadable, roleOf, type View } from './view';

/** READONLY errors within this long count as "still happening". */
export const READONLY_WINDOW_MS = 60_000;

export function detectReadonlyClients(
  view: View,
  counters: Readonly<Record<string, NodeCounters>>,
): Finding[] {
  const findings: Finding[] = [];
  for (const node of view.snapshot.nodes) {
    if (!nodeReadable(node) || roleOf(node) !== 'replica') continue;
    const c = counters[nodeSubject(node)];
    if (!c?.readonlyGrewAt || view.now - c.readonlyGrewAt >= READONLY_WINDOW_MS || !c.readonlyStreakStart)
      continue;
    const errors = (c.readonlyErrors ?? 0) - c.readonlyStreakStart.count;
    const span = Math.max(1, c.at - c.readonlyStreakStart.at);
    const perMinute = Math.round((errors / span) * 60_000);
    const clients = node.writingClients ?? null;
    const named =
      clients && clients.length > 0
        ? ` Clients whose last command was a write: ${clients
            .map((x) => `${x.addr}${x.name ? ` (${x.name})` : ''} ${x.lastCommand}`)
            .join(', ')}.`
        : '';
    const master = view.masterAddress ? formatAddress(view.masterAddress) : 'the master';
    findings.push({
      code: 'CLIENTS_WRITING_TO_REPLICA',
      severity: 'warning',
      subject: nodeSubject(node),
      message:
        `Clients keep sending writes to the replica ${formatAddress(node)}: ${errors} READONLY error(s) in ${formatDuration(span)} (about ${perMinute} a minute), and each of those writes failed.${named} ` +
        `They most likely did not follow a failover: they connect to a fixed address instead of asking Sentinel for the master (${master} now). Point them at the sentinels (a Sentinel-aware client, master name ${view.snapshot.masterName}), or restart them.`,
      details: {
        readonlyErrors: errors,
        perMinute,
        sinceMs: span,
        clients: clients?.map((x) => ({ addr: x.addr, name: x.name, lastCommand: x.lastCommand })) ?? null,
      },
    });
  }
  return findings;
}

/** The counters to remember for the next poll: READONLY errors and rejected connections per node. */
export function nextCounters(view: View): Record<string, NodeCounters> {
  const out: Record<string, NodeCounters> = {};
  for (const node of view.snapshot.nodes) {
    const key = nodeSubject(node);
    const before = view.state.counters?.[key];
    if (!nodeReadable(node) || !node.stats) {
      // Keep what was known while it cannot be read, so an outage is not mistaken for growth.
      if (before) out[key] = before;
      continue;
    }
    const readonly = node.stats.errorCounts ? (node.stats.errorCounts.READONLY ?? 0) : null;
    const grew = readonly !== null && before?.readonlyErrors != null && readonly > before.readonlyErrors;
    // A count below the last one was reset (a restart, CONFIG RESETSTAT): the streak's starting count
    // means nothing any more (it would give a negative number of errors), so it ends there.
    const reset = readonly !== null && before?.readonlyErrors != null && readonly < before.readonlyErrors;
    const streakActive =
      !reset && before?.readonlyGrewAt != null && view.now - before.readonlyGrewAt < READONLY_WINDOW_MS;
    const freshStart = before ? { at: before.at, count: before.readonlyErrors ?? 0 } : null;
    out[key] = {
      at: view.now,
      readonlyErrors: readonly,
      rejectedConnections: node.stats.rejectedConnections,
      readonlyGrewAt: grew ? view.now : streakActive ? (before?.readonlyGrewAt ?? null) : null,
      readonlyStreakStart: streakActive
        ? (before?.readonlyStreakStart ?? freshStart)
        : grew
          ? freshStart
          : null,
    };
  }
  return out;
}
