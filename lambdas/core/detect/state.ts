// What detection remembers between polls. Plain JSON: the poller stores it next to the snapshot and
// hands it back on the next run. Losing it is safe: detection starts over from the previous snapshot.

import type { Address } from '../types';

/** One master switch the watcher observed. `from`/`to` are null when unknown (a switch away and back). */
export interface MasterSwitch {
  /** Epoch ms of the poll that saw it. */
  readonly at: number;
  readonly from: string | null;
  readonly to: string | null;
  /** Set when the switch happened while a drill ran: planned, not flapping. */
  readonly drillId: string | null;
}

/** Who a server was when last read, to tell a restart (NODE_RESTARTED) even across an outage. */
export interface ServerIdentity {
  readonly runId: string | null;
  readonly uptimeSeconds: number | null;
  readonly seenAt: number;
}

export interface DetectionState {
  readonly version: 1;
  /** The last consensus master seen, so a switch across polls without consensus is still reported. */
  readonly lastMaster: Address | null;
  /** The master's config epoch as the sentinels last reported it (a rise with no switch = away and back). */
  readonly lastConfigEpoch: number | null;
  /** Recent switches, oldest first, pruned to the flapping window. */
  readonly switches: readonly MasterSwitch[];
  /** Epoch ms of the first poll that saw the current failover; null when none is under way. */
  readonly failoverSince: number | null;
  /** Keyed by finding subject (`node 10.0.1.61:6379`, `sentinel 10.0.1.61:26379`). */
  readonly identities: Readonly<Record<string, ServerIdentity>>;
  /**
   * Epoch ms since when the data nodes have run different major versions (versions.ts); null or
   * absent (states stored before it existed) when they all run one.
   */
  readonly versionMixSince?: number | null;
}

export const emptyDetectionState = (): DetectionState => ({
  version: 1,
  lastMaster: null,
  lastConfigEpoch: null,
  switches: [],
  failoverSince: null,
  identities: {},
});

/**
 * Reads a stored state back. Anything that is not a state of this version (a first run, an older
 * format, a damaged item) becomes an empty state rather than an error: detection must keep running.
 */
export function loadDetectionState(raw: unknown): DetectionState {
  if (typeof raw !== 'object' || raw === null) return emptyDetectionState();
  const s = raw as Partial<DetectionState>;
  if (s.version !== 1) return emptyDetectionState();
  const empty = emptyDetectionState();
  return {
    version: 1,
    lastMaster: isAddress(s.lastMaster) ? s.lastMaster : null,
    lastConfigEpoch: typeof s.lastConfigEpoch === 'number' ? s.lastConfigEpoch : null,
    switches: Array.isArray(s.switches)
      ? s.switches.filter((w) => typeof w?.at === 'number')
      : empty.switches,
    failoverSince: typeof s.failoverSince === 'number' ? s.failoverSince : null,
    identities: typeof s.identities === 'object' && s.identities !== null ? s.identities : empty.identities,
    ...(typeof s.versionMixSince === 'number' ? { versionMixSince: s.versionMixSince } : {}),
  };
}

const isAddress = (a: unknown): a is Address =>
  typeof a === 'object' &&
  a !== null &&
  typeof (a as Address).host === 'string' &&
  typeof (a as Address).port === 'number';
