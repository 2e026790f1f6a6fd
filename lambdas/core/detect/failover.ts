// FAILOVER_IN_PROGRESS: a sentinel reports a failover state. Only the leading sentinel carries the
// flag, so one is enough. The state remembers when the watcher first saw it, to tell a failover
// that has run longer than failover-timeout (stuck: Sentinel will abort it) from a normal one.

import type { Finding } from '../types';
import { formatAddress } from '../types';
import { DEPLOYMENT_SUBJECT } from './codes';
import type { DetectionState } from './state';
import { formatDuration } from './text';
import type { View } from './view';

export function detectFailover(view: View): {
  findings: Finding[];
  state: Pick<DetectionState, 'failoverSince'>;
} {
  if (view.failover.length === 0) return { findings: [], state: { failoverSince: null } };
  const since = view.state.failoverSince ?? view.now;
  const elapsed = view.now - since;
  const timeout = view.failoverTimeoutMs;
  const stuck = elapsed > timeout;
  const leaders = view.failover
    .map((f) => `${formatAddress(f.sentinel)} (${f.state ?? 'failover_in_progress'})`)
    .join(', ');
  const name = view.snapshot.masterName;

  let message: string;
  if (stuck) {
    message =
      `A failover has been under way for ${formatDuration(elapsed)}, longer than failover-timeout (${formatDuration(timeout)}): Sentinel cannot complete it and will abort and retry. Led by ${leaders}. ` +
      `Check that a replica is reachable, has replica-priority above 0 and had its link up recently (Sentinel skips replicas disconnected for long), and read the leading sentinel's log for -failover-abort-* reasons. SENTINEL FAILOVER ${name} can be retried once the cause is fixed.`;
  } else if (view.drill) {
    message = `A failover is under way for drill ${view.drill.id}, led by ${leaders}: planned, no action needed.`;
  } else {
    message = `A failover is under way, led by ${leaders}, seen for ${formatDuration(elapsed)}. It normally completes in seconds: nothing to do unless it lasts longer than failover-timeout (${formatDuration(timeout)}). Expect MASTER_CHANGED next.`;
  }
  return {
    findings: [
      {
        code: 'FAILOVER_IN_PROGRESS',
        severity: stuck ? 'critical' : view.drill ? 'info' : 'warning',
        subject: DEPLOYMENT_SUBJECT,
        message,
        details: {
          sentinels: view.failover.map((f) => formatAddress(f.sentinel)),
          states: view.failover.map((f) => f.state),
          elapsedMs: elapsed,
          failoverTimeoutMs: timeout,
          stuck,
        },
      },
    ],
    state: { failoverSince: since },
  };
}
