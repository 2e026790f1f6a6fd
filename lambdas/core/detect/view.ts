// One read of the snapshot that every detector shares: which node is the master, which are replicas,
// which servers cannot be judged, whether a failover or a drill is under way. Detectors stay small
// because the precedence questions ("is this node's problem already reported?") are answered here.

import { drillOwnsSwitch } from '../drill-context';
import type { SentinelEvent } from '../sentinel-event';
import type { Address, NodeSnapshot, ProbeErrorClass, SentinelSnapshot, Snapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import type { DetectionSettings } from './settings';
import type { DetectionState } from './state';

export interface DrillContext {
  readonly id: string;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Epoch ms; null or absent while the drill runs. */
  readonly endedAt?: number | null;
  /**
   * The lock was signed with the watcher's drill key for this deployment and its heartbeat is fresh
   * (drill-lock.ts). Only a verified drill makes anything `info`; absent counts as false.
   */
  readonly verified?: boolean;
  /** Why the lock is not trusted (a forged key, no signature, a dead drill's leftover). */
  readonly untrustedReason?: string;
  /** The master the drill fails over (its signed claim): a switch from elsewhere is not the drill's. */
  readonly from?: Address;
  /** Epoch ms the drill sent SENTINEL FAILOVER; null before. */
  readonly failoverAt?: number | null;
  /** Epoch ms after which the drill cannot be running. */
  readonly windowEndsAt?: number;
  /** Sentinel events heard around this poll (`+odown` tells a crash from the drill's failover). */
  readonly events?: readonly SentinelEvent[];
}

export interface DetectContext {
  /**
   * The drill that is running, or the latest one if it ended after the previous poll: a switch seen
   * by this poll may be its doing even if it has just finished.
   */
  readonly drill?: DrillContext;
}

export interface View {
  readonly snapshot: Snapshot;
  readonly previous: Snapshot | null;
  readonly state: DetectionState;
  readonly settings: DetectionSettings;
  readonly now: number;
  /**
   * The drill this poll's changes are attributed to, if any: a verified drill, and when this poll
   * sees a switch, only if the switch is the drill's own (drill-context.ts `drillOwnsSwitch`).
   */
  readonly drill: DrillContext | null;
  /** Why a drill lock that was present does not make this poll's changes planned (for the page). */
  readonly drillNote: string | null;
  /** The consensus master's node entry (null when there is no consensus or it was not probed). */
  readonly masterNode: NodeSnapshot | null;
  /**
   * The node replicas are judged against: the consensus master when it can be read and reports
   * `role:master`; without consensus, the only readable node that reports `role:master`. Null otherwise.
   */
  readonly effectiveMaster: NodeSnapshot | null;
  /** The address replicas should follow: the consensus master, else the effective one. */
  readonly masterAddress: Address | null;
  /**
   * The named master reports role:slave (MONITORED_MASTER_IS_REPLICA): the sentinels watch the wrong
   * node, so replicas and other masters cannot be judged against it until that is fixed.
   */
  readonly masterIsReplica: boolean;
  /** Every data node that is not the master (reachable or not). */
  readonly replicaNodes: readonly NodeSnapshot[];
  /** Sentinels whose master view says a failover is running, with its state. */
  readonly failover: readonly { readonly sentinel: SentinelSnapshot; readonly state: string | null }[];
  /** failover-timeout as the sentinels report it (largest), else the fallback. */
  readonly failoverTimeoutMs: number;
  /** True when some sentinel reported a failover-timeout (otherwise failoverTimeoutMs is a default). */
  readonly failoverTimeoutReported: boolean;
  /** Sentinel events heard recently (oldest first), for what a poll alone cannot see. */
  readonly events: readonly SentinelEvent[];
  /** Whether a failover could be authorised now, and if not why: shared by every detector that says so. */
  readonly quorum: QuorumStatus;
  /**
   * How many sentinels each one should know (itself included): `expectedSentinels` when configured,
   * else the most any answering sentinel knows (the watcher may list just one address).
   */
  readonly expectedSentinels: number;
}

export interface QuorumStatus {
  /** Sentinels that answer about this master, and those the watcher cannot authenticate to. */
  readonly usable: number;
  readonly unknown: number;
  /**
   * The lowest quorum any answering sentinel is set to (0 when none answers): a sentinel with a
   * reachable quorum can declare the master down and lead a failover, whatever the others are set to.
   */
  readonly quorum: number;
  /** How many sentinels the majority is counted over: Sentinel counts every sentinel it knows. */
  readonly known: number;
  readonly majority: number;
  readonly needed: number;
  /** Too few sentinels answer for the quorum and the majority. */
  readonly tooFewAnswer: boolean;
  /** The quorum is above the number of sentinels: no failover can ever start. */
  readonly quorumTooHigh: boolean;
  /**
   * Sentinels whose SENTINEL CKQUORUM fails, when no sentinel's passes: one sentinel whose check
   * passes can lead a failover, so a failing one beside it is that sentinel's problem
   * (SENTINEL_SEES_DOWN), not the deployment's.
   */
  readonly ckquorumFailing: readonly SentinelSnapshot[];
  /** True when a failover can be agreed and authorised now. */
  readonly possible: boolean;
}

const AUTH_CLASSES: readonly ProbeErrorClass[] = ['auth-required', 'auth-rejected', 'auth-not-configured'];

/** The server answered with an authentication error of any kind: AUTH_FAILED reports it. */
export const hasAuthError = (s: NodeSnapshot | SentinelSnapshot): boolean =>
  s.error !== null && AUTH_CLASSES.includes(s.error.class);

/**
 * Authentication stopped the read: nothing is known about the server's state. (`auth-not-configured`
 * does not block: a server without a password runs every command, so its data is there.)
 */
export const authBlocked = (s: NodeSnapshot | SentinelSnapshot): boolean =>
  s.error !== null && (s.error.class === 'auth-required' || s.error.class === 'auth-rejected');

/** A data node that could not be read for a reason other than authentication: *_UNREACHABLE. */
export const nodeDown = (n: NodeSnapshot): boolean =>
  !authBlocked(n) && (!n.reachable || n.role === 'sentinel' || (n.replication === null && n.role === null));

/**
 * A node that answers every command with BUSY (a long script) or LOADING (loading its data set): it
 * is up, but refuses everything, so it cannot be read. The master in that state is
 * MASTER_NOT_WRITABLE with the cause, not MASTER_UNREACHABLE.
 */
export const refusesEverything = (n: NodeSnapshot): 'BUSY' | 'LOADING' | null => {
  if (!n.reachable || n.error?.class !== 'command-failed') return null;
  const code = /^(BUSY|LOADING)\b/.exec(n.error.message)?.[1];
  return code === 'BUSY' || code === 'LOADING' ? code : null;
};

/** A data node whose replication state is known. */
export const nodeReadable = (n: NodeSnapshot): boolean =>
  n.reachable && !authBlocked(n) && n.role !== 'sentinel' && (n.replication !== null || n.role !== null);

export const roleOf = (n: NodeSnapshot): string | null => n.role ?? n.replication?.role ?? null;

/** A sentinel that could not be read for a reason other than auth or not monitoring the master. */
export const sentinelDown = (s: SentinelSnapshot): boolean =>
  !hasAuthError(s) &&
  (!s.reachable || s.error?.class === 'unsupported-command' || s.error?.class === 'protocol');

/** A sentinel that answers about this master (its views can be used). */
export const sentinelUsable = (s: SentinelSnapshot): boolean =>
  s.reachable && !authBlocked(s) && s.master !== null;

export const isFailoverRunning = (s: SentinelSnapshot): boolean =>
  s.master !== null && (s.master.flags.includes('failover_in_progress') || s.master.failoverState !== null);

export function buildView(input: {
  current: Snapshot;
  previous: Snapshot | null;
  state: DetectionState;
  settings: DetectionSettings;
  now: number;
  context?: DetectContext;
  events?: readonly SentinelEvent[];
}): View {
  const { current: snapshot, settings, now } = input;
  const masterNode = snapshot.master
    ? (snapshot.nodes.find((n) => sameAddress(n, snapshot.master)) ?? null)
    : null;

  let effectiveMaster: NodeSnapshot | null = null;
  if (masterNode) {
    effectiveMaster = nodeReadable(masterNode) && roleOf(masterNode) === 'master' ? masterNode : null;
  } else if (!snapshot.master) {
    const masters = snapshot.nodes.filter((n) => nodeReadable(n) && roleOf(n) === 'master');
    effectiveMaster = masters.length === 1 ? masters[0] : null;
  }
  const masterAddress: Address | null = snapshot.master ?? effectiveMaster;

  const replicaNodes = snapshot.nodes.filter((n) =>
    masterAddress ? !sameAddress(n, masterAddress) : roleOf(n) !== 'master',
  );

  const failover = snapshot.sentinels
    .filter((s) => sentinelUsable(s) && isFailoverRunning(s))
    .map((sentinel) => ({ sentinel, state: sentinel.master?.failoverState ?? null }));

  const timeouts = snapshot.sentinels
    .map((s) => s.master?.failoverTimeoutMs ?? null)
    .filter((t): t is number => t !== null && t > 0);

  const attributed = attributeDrill(
    activeDrill(input.context?.drill, input.previous, now),
    snapshot,
    input.previous?.master ?? input.state.lastMaster,
    now,
    input.events ?? [],
  );

  return {
    snapshot,
    previous: input.previous,
    state: input.state,
    settings,
    now,
    drill: attributed.drill,
    drillNote: attributed.note,
    masterNode,
    effectiveMaster,
    masterAddress,
    masterIsReplica: masterNode !== null && nodeReadable(masterNode) && roleOf(masterNode) === 'replica',
    replicaNodes,
    failover,
    failoverTimeoutMs: timeouts.length > 0 ? Math.max(...timeouts) : settings.failoverTimeoutFallbackMs,
    failoverTimeoutReported: timeouts.length > 0,
    events: [...(input.events ?? [])].sort((a, b) => a.at - b.at),
    quorum: quorumStatus(snapshot, settings),
    expectedSentinels:
      settings.expectedSentinels ??
      Math.max(1, ...snapshot.sentinels.filter(sentinelUsable).map((s) => s.master!.numOtherSentinels + 1)),
  };
}

function quorumStatus(snapshot: Snapshot, settings: DetectionSettings): QuorumStatus {
  const usable = snapshot.sentinels.filter(sentinelUsable);
  const unknown = snapshot.sentinels.filter(authBlocked).length;
  const quorum = usable.length > 0 ? Math.min(...usable.map((s) => s.master!.quorum)) : 0;
  const known = Math.max(
    settings.expectedSentinels ?? 0,
    1,
    ...usable.map((s) => s.master!.numOtherSentinels + 1),
  );
  const majority = Math.floor(known / 2) + 1;
  const needed = Math.max(quorum, majority);
  const quorumTooHigh = quorum > known;
  // With the quorum above the sentinels' number, "too few answer" would blame the wrong thing.
  const tooFewAnswer = usable.length + unknown < (quorumTooHigh ? majority : needed);
  const anyPasses = snapshot.sentinels.some((s) => s.ckquorum?.ok === true);
  const ckquorumFailing = anyPasses
    ? []
    : snapshot.sentinels.filter((s) => s.ckquorum !== null && !s.ckquorum.ok);
  return {
    usable: usable.length,
    unknown,
    quorum,
    known,
    majority,
    needed,
    tooFewAnswer,
    quorumTooHigh,
    ckquorumFailing,
    possible: !tooFewAnswer && !quorumTooHigh && ckquorumFailing.length === 0,
  };
}

/** `host:port` of a server, as sentinels and events name it. */
export const addressKey = (a: Address): string => formatAddress(a);

/**
 * A drill counts for this poll when it overlaps the interval since the previous poll: started before
 * now, and still running or ended after the previous poll began.
 */
function activeDrill(
  drill: DrillContext | undefined,
  previous: Snapshot | null,
  now: number,
): DrillContext | null {
  if (!drill || drill.startedAt > now) return null;
  if (drill.endedAt === undefined || drill.endedAt === null) return drill;
  const since = previous ? Date.parse(previous.takenAt) : drill.startedAt;
  return drill.endedAt >= since ? drill : null;
}

/**
 * Only a verified drill counts, and a switch this poll sees must be its own: otherwise the poll is
 * judged as if no drill ran (a forged lock, or a crash during a drill, is paged).
 */
function attributeDrill(
  drill: DrillContext | null,
  snapshot: Snapshot,
  before: Address | null,
  now: number,
  heard: readonly SentinelEvent[],
): { drill: DrillContext | null; note: string | null } {
  if (!drill) return { drill: null, note: null };
  if (drill.verified !== true) {
    return {
      drill: null,
      note: `drill lock "${drill.id}" is not trusted: ${drill.untrustedReason ?? 'not verified'}`,
    };
  }
  const current = snapshot.master;
  if (!current || !before || sameAddress(current, before)) return { drill, note: null };
  const old = snapshot.nodes.find((n) => sameAddress(n, before));
  // The drill's own events and those the watcher heard (a `+odown` in either makes it a crash).
  const ownership = drillOwnsSwitch(
    drill,
    { from: before, to: current, at: now, oldMasterAnswering: old ? nodeReadable(old) : null },
    [...(drill.events ?? []), ...heard],
  );
  return ownership.owned
    ? { drill, note: null }
    : { drill: null, note: `drill ${drill.id} runs, but this switch is not its own: ${ownership.reason}` };
}
