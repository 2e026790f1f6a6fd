// MASTER_CHANGED and MASTER_FLAPPING: compare the consensus master with the last one seen, and count
// switches over a window. Polls can miss a switch that went away and back between them; the master's
// config epoch gives that away (it only rises when a failover promotes a replica).

import type { Address, Finding, Snapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { DEPLOYMENT_SUBJECT, nodeSubject } from './codes';
import type { DetectionState, MasterSwitch } from './state';
import { formatDuration } from './text';
import { nodeDown, roleOf, sentinelUsable, type View } from './view';

const MAX_SWITCHES_KEPT = 20;

export function detectSwitches(view: View): {
  findings: Finding[];
  state: Pick<DetectionState, 'lastMaster' | 'lastConfigEpoch' | 'switches'>;
} {
  const { snapshot, previous, state, now, drill } = view;
  const current = snapshot.master;
  const before = previous?.master ?? state.lastMaster;
  const epochNow = configEpoch(snapshot);
  const epochBefore = state.lastConfigEpoch ?? (previous ? configEpoch(previous) : null);
  const drillId = drill?.id ?? null;

  const findings: Finding[] = [];
  const seen: MasterSwitch[] = [];
  if (current && before && !sameAddress(current, before)) {
    seen.push({ at: now, from: formatAddress(before), to: formatAddress(current), drillId });
    findings.push(masterChanged(view, before, current, epochNow));
  } else if (current && before && epochNow !== null && epochBefore !== null && epochNow > epochBefore) {
    // Same master, newer epoch: it was failed over and back between two polls (two switches).
    seen.push({ at: now, from: formatAddress(current), to: null, drillId });
    seen.push({ at: now, from: null, to: formatAddress(current), drillId });
  }

  const windowMs = flapWindowMs(view);
  const switches = [...state.switches, ...seen]
    .filter((w) => now - w.at <= windowMs)
    .slice(-MAX_SWITCHES_KEPT);
  // Flapping is an unplanned switch soon after another switch: a real failover twice, or a drill's
  // switch undone by a sentinel. A drill after a real failover, or a drill and its failback, are planned.
  const flapping = switches.some((w, i) => i > 0 && w.drillId === null);
  if (flapping) findings.push(masterFlapping(view, switches, windowMs));

  return {
    findings,
    state: {
      lastMaster: current ?? state.lastMaster,
      lastConfigEpoch: epochNow ?? state.lastConfigEpoch,
      switches,
    },
  };
}

/** The flapping window: configured, else 2 × failover-timeout as the sentinels report it, else the fallback. */
export function flapWindowMs(view: View): number {
  const { settings } = view;
  if (settings.flapWindowMs !== null) return settings.flapWindowMs;
  return view.failoverTimeoutReported ? 2 * view.failoverTimeoutMs : settings.flapWindowFallbackMs;
}

/** The highest config epoch among the sentinels that name the consensus master. */
function configEpoch(snapshot: Snapshot): number | null {
  const epochs = snapshot.sentinels
    .filter((s) => sentinelUsable(s) && sameAddress(s.masterAddress, snapshot.master))
    .map((s) => s.master?.configEpoch ?? null)
    .filter((e): e is number => e !== null);
  return epochs.length > 0 ? Math.max(...epochs) : null;
}

function masterChanged(view: View, before: Address, current: Address, epoch: number | null): Finding {
  const from = formatAddress(before);
  const to = formatAddress(current);
  const details = {
    previous: { host: before.host, port: before.port },
    current: { host: current.host, port: current.port },
    configEpoch: epoch,
    ...(view.drill ? { drillId: view.drill.id } : {}),
    ...(view.drillNote ? { drillNote: view.drillNote } : {}),
  };
  if (view.drill) {
    return {
      code: 'MASTER_CHANGED',
      severity: 'info',
      subject: DEPLOYMENT_SUBJECT,
      message: `The master switched from ${from} to ${to} during drill ${view.drill.id}: a planned failover, no action needed (the drill report says whether it passed).`,
      details,
    };
  }
  const old = view.snapshot.nodes.find((n) => sameAddress(n, before));
  let oldState = '';
  if (old && nodeDown(old)) oldState = ` ${from} is still down.`;
  else if (old && roleOf(old) === 'replica') oldState = ` ${from} is already back as a replica.`;
  else if (old && roleOf(old) === 'master')
    oldState = ` ${from} still reports role:master (see MULTIPLE_MASTERS).`;
  const cause = switchCause(view, before);
  const name = view.snapshot.masterName;
  const drillNote = view.drillNote ? ` Not treated as a drill: ${view.drillNote}.` : '';
  // A manual switch under a drill lock that is not trusted (forged, dead drill) or not the drill's own
  // stays critical (issue #11): only a verified drill's own switch is spared the page.
  if (cause === 'manual' && !view.drillNote) {
    return {
      code: 'MASTER_CHANGED',
      severity: 'warning',
      subject: DEPLOYMENT_SUBJECT,
      message:
        `The master of ${name} was switched from ${from} to ${to} by SENTINEL FAILOVER: no sentinel saw ${from} down, so this is a manual switchover, not a crash.${oldState} ` +
        `If nobody planned it, find out who or what ran SENTINEL FAILOVER ${name}. Check that clients reconnected to ${to}; writes ${from} acknowledged until it was converted (about 10 s) are lost unless min-replicas-to-write is set.`,
      details: { ...details, cause },
    };
  }
  const unexplained =
    cause === 'unknown'
      ? ` No sentinel event was heard, and ${from} is up and was not restarted: either someone ran SENTINEL FAILOVER ${name}, or the sentinels lost sight of it for longer than down-after-milliseconds (network, a long pause).`
      : '';
  return {
    code: 'MASTER_CHANGED',
    severity: 'critical',
    subject: DEPLOYMENT_SUBJECT,
    message:
      `The sentinels switched the master of ${name} from ${from} to ${to}.${oldState}${unexplained} ` +
      `Check that clients reconnected to ${to} (they must ask Sentinel for the master), find out why ${from} failed (its log, host, network), and that it rejoins as a replica. Writes ${from} acknowledged after its replicas' last sync are lost.` +
      drillNote,
    details: { ...details, cause },
  };
}

/** How far back the events of one failover reach before its switch. */
const FAILOVER_STORY_MS = 120_000;

/**
 * Why the sentinels switched. From their events: a master seen down (`+sdown`/`+odown`) is a crash
 * or a partition; a failover tried (`+try-failover`) with nobody seeing the master down is a
 * `SENTINEL FAILOVER` (manual). Without events: the old master answering now, not restarted, and
 * flagged down by no sentinel at the previous poll, is `unknown` (manual, or a partition the polls
 * missed); anything else is a crash.
 */
export function switchCause(view: View, old: Address): 'crash' | 'manual' | 'unknown' {
  const story = view.events.filter((e) => view.now - e.at <= FAILOVER_STORY_MS);
  const sawDown = story.some(
    (e) =>
      (e.type === '+sdown' || e.type === '+odown') &&
      e.instance?.role === 'master' &&
      sameAddress(e.instance, old),
  );
  if (sawDown) return 'crash';
  if (story.some((e) => e.type === '+try-failover' && e.instance !== null && sameAddress(e.instance, old)))
    return 'manual';
  const node = view.snapshot.nodes.find((n) => sameAddress(n, old));
  const identity = view.state.identities[nodeSubject(old)];
  const restarted = !node?.server?.runId || (identity?.runId != null && identity.runId !== node.server.runId);
  const flaggedBefore = view.previous?.sentinels.some(
    (s) => sameAddress(s.master, old) && s.master!.flags.some((f) => f === 's_down' || f === 'o_down'),
  );
  return node && !nodeDown(node) && !restarted && !flaggedBefore ? 'unknown' : 'crash';
}

function masterFlapping(view: View, switches: readonly MasterSwitch[], windowMs: number): Finding {
  const name = view.snapshot.masterName;
  const downAfter =
    view.snapshot.sentinels.find((s) => s.master?.downAfterMs != null)?.master?.downAfterMs ?? null;
  const list = switches
    .map(
      (w) =>
        `${w.from ?? '?'} → ${w.to ?? '?'} at ${new Date(w.at).toISOString()}${w.drillId ? ` (drill ${w.drillId})` : ''}`,
    )
    .join('; ');
  return {
    code: 'MASTER_FLAPPING',
    severity: 'critical',
    subject: DEPLOYMENT_SUBJECT,
    message:
      `The master switched ${switches.length} times within ${formatDuration(windowMs)} (${list}). Every switch loses recent writes and disconnects clients. ` +
      `A second failover right after the first usually means down-after-milliseconds${downAfter !== null ? ` (${downAfter} ms)` : ''} is too low for this network, or the master is paused (VM steal, swap, a fork on a large data set): raise it on every sentinel (SENTINEL SET ${name} down-after-milliseconds 5000) and check the old masters' logs.`,
    details: { switches, windowMs },
  };
}
