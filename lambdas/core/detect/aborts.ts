// FAILOVER_ABORTED: Sentinel tried to fail over and gave up. An attempt lasts ~100 ms, so a poll
// almost never catches it in progress; two sources reveal it:
//   - the sentinels' `-failover-abort-*` events (watch, and the poller between polls), each reported
//     once (the state remembers the newest one reported);
//   - without events, the leader elections the sentinels report: a peer's `voted-leader-epoch` above
//     every epoch seen so far, while the master did not change, is an election for a failover that
//     did not complete.
// It is an event: it never resolves. When another finding already explains why failovers fail
// (SENTINEL_SEES_DOWN, NO_FAILOVER_TARGET, NO_QUORUM), index.ts folds the attempt into it instead.

import { isFailoverAbort, type SentinelEvent } from '../sentinel-event';
import { buildTimeline } from '../timeline';
import type { Finding } from '../types';
import { formatAddress } from '../types';
import { DEPLOYMENT_SUBJECT } from './codes';
import type { DetectionState } from './state';
import { sentinelUsable, type View } from './view';

const REASONS: Readonly<Record<string, string>> = {
  '-failover-abort-no-good-slave':
    'no replica was good enough to promote (every one down, disconnected from the sentinel, priority 0, or its link down too long)',
  '-failover-abort-not-elected': 'the sentinel that tried was not elected leader by a majority of sentinels',
  '-failover-abort-slave-timeout': 'the chosen replica did not turn into a master in time (failover-timeout)',
  '-failover-abort-master-is-back': 'the master answered again before the failover went through',
  '-failover-abort-user-request': 'it was cancelled (SENTINEL FAILOVER ABORT or a config change)',
};

export interface AbortSummary {
  readonly finding: Finding | null;
  readonly state: Pick<DetectionState, 'lastAbortAt' | 'lastVotedEpoch'>;
}

export function detectAborts(view: View, switched: boolean): AbortSummary {
  const lastAbortAt = view.state.lastAbortAt ?? null;
  const name = view.snapshot.masterName;
  const aborts = view.events.filter(
    (e) =>
      isFailoverAbort(e) &&
      (e.masterName === null || e.masterName === name) &&
      (lastAbortAt === null || e.at > lastAbortAt),
  );
  const votedEpoch = maxVotedEpoch(view);
  const epochBefore = view.state.lastVotedEpoch ?? null;
  // While a failover runs its election is not yet a verdict: remember it only once it is over.
  const running = view.failover.length > 0;
  const state = {
    lastAbortAt: aborts.length > 0 ? Math.max(...aborts.map((e) => e.at)) : lastAbortAt,
    lastVotedEpoch: votedEpoch !== null && !running ? Math.max(votedEpoch, epochBefore ?? 0) : epochBefore,
  };
  if (aborts.length > 0) return { finding: fromEvents(view, aborts), state };
  // An election newer than any seen, no switch, and no config epoch that high (a failover that went
  // through bumps the master's config epoch to its election's): an attempt that did not complete.
  const configEpoch = maxConfigEpoch(view);
  const newElection = epochBefore !== null && votedEpoch !== null && votedEpoch > epochBefore;
  if (newElection && !switched && !running && (configEpoch === null || votedEpoch! > configEpoch)) {
    return { finding: fromElection(view, epochBefore!, votedEpoch!), state };
  }
  return { finding: null, state };
}

function maxConfigEpoch(view: View): number | null {
  const epochs = view.snapshot.sentinels
    .filter(sentinelUsable)
    .map((s) => s.master!.configEpoch)
    .filter((e): e is number => e !== null);
  return epochs.length > 0 ? Math.max(...epochs) : null;
}

/** The highest leader-election epoch any answering sentinel reports for its peers. */
function maxVotedEpoch(view: View): number | null {
  const epochs = view.snapshot.sentinels
    .filter(sentinelUsable)
    .flatMap((s) => s.sentinels.map((p) => p.votedLeaderEpoch ?? null))
    .filter((e): e is number => e !== null && e > 0);
  return epochs.length > 0 ? Math.max(...epochs) : null;
}

function fromEvents(view: View, aborts: readonly SentinelEvent[]): Finding {
  const reasons = [...new Set(aborts.map((e) => e.type))];
  const why = reasons.map((r) => `${r}: ${REASONS[r] ?? 'see the sentinel log'}`).join('; ');
  const timeline = buildTimeline(view.events.filter((e) => e.at <= aborts[aborts.length - 1].at));
  const master = view.snapshot.master ? formatAddress(view.snapshot.master) : 'the master';
  return {
    code: 'FAILOVER_ABORTED',
    severity: 'critical',
    subject: DEPLOYMENT_SUBJECT,
    message:
      `Sentinel tried to fail over ${master} and gave up ${aborts.length === 1 ? 'once' : `${aborts.length} times`} (${why}). ` +
      `It tries again every 2 × failover-timeout while the master looks down to it. If the master really is down, nothing takes over until the cause is fixed; if it is not, find out why the sentinels see it down. ${ABORT_FIX}`,
    details: {
      reasons,
      attempts: aborts.length,
      leader: timeline.leader,
      timeline,
      source: 'events',
    },
  };
}

function fromElection(view: View, before: number, now: number): Finding {
  const master = view.snapshot.master ? formatAddress(view.snapshot.master) : 'the master';
  return {
    code: 'FAILOVER_ABORTED',
    severity: 'critical',
    subject: DEPLOYMENT_SUBJECT,
    message:
      `The sentinels held a leader election for a failover (epoch ${now}, up from ${before}) but the master is still ${master}: a failover was attempted and did not complete. ` +
      `Without sentinel events (pollEverySeconds) the reason is not known here: read the leading sentinel's log for -failover-abort-*. ${ABORT_FIX}`,
    details: { votedLeaderEpoch: now, previousEpoch: before, source: 'elections' },
  };
}

const ABORT_FIX =
  'The usual causes: no replica usable (NO_FAILOVER_TARGET), sentinels that cannot authenticate to the nodes (SENTINEL_SEES_DOWN), or too few sentinels to elect a leader (NO_QUORUM).';
