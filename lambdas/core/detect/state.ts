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
  /** Epoch ms of the newest `-failover-abort-*` event already reported (FAILOVER_ABORTED). */
  readonly lastAbortAt?: number | null;
  /** The highest leader-election epoch any sentinel reported (an election with no switch = an abort). */
  readonly lastVotedEpoch?: number | null;
  /** Nodes reporting role:master beside the named master: since when, and their write counter then. */
  readonly extraMasters?: Readonly<Record<string, ExtraMaster>>;
  /** Per node counters whose growth matters (READONLY errors, rejected connections). */
  readonly counters?: Readonly<Record<string, NodeCounters>>;
  /**
   * Epoch ms since when the data nodes have run different major versions (versions.ts); null when
   * they all run one (absent in states stored before it existed).
   */
  readonly versionMixSince?: number | null;
}

export interface ExtraMaster {
  /** Epoch ms of the first poll that saw it. */
  readonly since: number;
  /** `rdb_changes_since_last_save` then. */
  readonly changes: number | null;
}

export interface NodeCounters {
  /** Epoch ms of the poll that read them. */
  readonly at: number;
  readonly readonlyErrors: number | null;
  readonly rejectedConnections: number | null;
  /** Last poll at which READONLY errors had grown, and the count when the current streak began. */
  readonly readonlyGrewAt: number | null;
  readonly readonlyStreakStart: { readonly at: number; readonly count: number } | null;
}

export const emptyDetectionState = (): DetectionState => ({
  version: 1,
  lastMaster: null,
  lastConfigEpoch: null,
  switches: [],
  failoverSince: null,
  identities: {},
  lastAbortAt: null,
  lastVotedEpoch: null,
  extraMasters: {},
  counters: {},
  versionMixSince: null,
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
    identities: isRecord(s.identities) ? s.identities : empty.identities,
    lastAbortAt: typeof s.lastAbortAt === 'number' ? s.lastAbortAt : null,
    lastVotedEpoch: typeof s.lastVotedEpoch === 'number' ? s.lastVotedEpoch : null,
    extraMasters: isRecord(s.extraMasters) ? s.extraMasters : {},
    counters: isRecord(s.counters) ? s.counters : {},
    versionMixSince: typeof s.versionMixSince === 'number' ? s.versionMixSince : null,
  };
}

const isRecord = <T>(v: unknown): v is Record<string, T> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isAddress = (a: unknown): a is Address =>
  typeof a === 'object' &&
  a !== null &&
  typeof (a as Address).host === 'string' &&
  typeof (a as Address).port === 'number';
