// Detection: one snapshot (and what was remembered from earlier polls) in, findings out. Pure: the
// caller supplies the clock and stores the returned state for the next poll.
//
// Precedence, so that one problem raises one alert:
//   - AUTH_FAILED wins over everything else for that server: a node or sentinel that refuses the
//     credentials is not also *_UNREACHABLE, LINK_DOWN, LAGGING, MULTIPLE_MASTERS or CONFIG_RISK
//     (its state is unknown), and it counts as present for REPLICA_COUNT_LOW and NO_QUORUM.
//   - *_UNREACHABLE wins over every other finding about that server.
//   - For a replica: MULTIPLE_MASTERS > REPLICA_LINK_DOWN > REPLICA_LAGGING (see replicas.ts); a
//     replica whose link is down because the master is down is explained by MASTER_UNREACHABLE.
//   - While a failover runs, replica link/lag is not judged, SENTINELS_DISAGREE is a warning and the
//     replica being promoted is not MULTIPLE_MASTERS: FAILOVER_IN_PROGRESS covers that moment.
//   - Deployment-level findings (NO_QUORUM, REPLICA_COUNT_LOW, SENTINELS_DISAGREE) may accompany
//     per-server ones when they say something more: NO_QUORUM says no failover can happen.
//   - During a drill, the switch and its expected turbulence are `info` (see DRILL_EXPECTED).
//   - Sentinel's own view is a fact beside the watcher's (sentinel-view.ts): a server a sentinel flags
//     down while it answers the watcher is SENTINEL_SEES_DOWN, with the cause (auth-pass, renamed
//     PING, sentinel-pass, network); a server the watcher cannot read either is *_UNREACHABLE only.
//   - Whether the master takes writes (writes.ts): MASTER_NOT_WRITABLE replaces MASTER_WRITES_AT_RISK
//     for the master; READONLY from a named master is MONITORED_MASTER_IS_REPLICA.
//   - NO_FAILOVER_TARGET (failover-target.ts) is the one critical for "nothing to promote", whatever
//     the mix of reasons; the per-replica findings say what is wrong with each.
//   - FAILOVER_ABORTED (aborts.ts) is folded into SENTINEL_SEES_DOWN, NO_FAILOVER_TARGET or NO_QUORUM
//     when one of them explains why failovers fail: one cause, one page.
//   - CLIENTS_WRITING_TO_REPLICA (readonly-clients.ts): READONLY errors growing on a replica.
//   - Server versions (versions.ts): CONFIG_RISK for a sentinel older than its nodes or an upgrade
//     left half-done, merged into config-risk.ts's finding for the same subject.
//   - PROBE_LIMIT_REACHED on a server only when it answered before being cut off: a server cut off
//     before any answer is *_UNREACHABLE, whose text says the same.

import type { SentinelEvent } from '../sentinel-event';
import type { Finding, Snapshot } from '../types';
import { detectAborts } from './aborts';
import { detectAuth } from './auth';
import { FINDING_CODES } from './codes';
import { detectConfigRisk } from './config-risk';
import { detectFailover } from './failover';
import { detectFailoverTarget } from './failover-target';
import { detectLimits } from './limits';
import { detectMaster } from './master';
import { detectReadonlyClients, nextCounters } from './readonly-clients';
import { detectReplicas } from './replicas';
import { detectRestarts } from './restarts';
import { detectSentinelView } from './sentinel-view';
import { detectSentinels } from './sentinels';
import type { DetectionSettings } from './settings';
import type { DetectionState } from './state';
import { detectSwitches } from './switches';
import { severityRank } from './text';
import { detectVersions, mergeConfigRisks } from './versions';
import { buildView, type DetectContext, type View } from './view';
import { detectWrites } from './writes';

export type { FindingCode } from './codes';
export {
  DEPLOYMENT_SUBJECT,
  EVENT_CODES,
  FINDING_CODES,
  isEventCode,
  nodeSubject,
  sentinelSubject,
} from './codes';
export {
  DETECTION_DEFAULTS,
  type DetectionSettings,
  detectionSettings,
} from './settings';
export {
  type DetectionState,
  emptyDetectionState,
  loadDetectionState,
  type MasterSwitch,
  type ServerIdentity,
} from './state';
export type { DetectContext, DrillContext } from './view';

export interface DetectInput {
  readonly current: Snapshot;
  readonly previous: Snapshot | null;
  readonly state: DetectionState;
  readonly settings: DetectionSettings;
  /** Epoch ms of this poll. */
  readonly now: number;
  readonly context?: DetectContext;
  /**
   * Sentinel events heard recently (watch, and the poller between polls), oldest first, including
   * ones an earlier poll already saw: detectors keep their own memory of what they reported.
   */
  readonly events?: readonly SentinelEvent[];
}

export interface DetectResult {
  /** Most severe first, then in catalogue order, then by subject. */
  readonly findings: Finding[];
  readonly state: DetectionState;
}

/**
 * Codes that a drill's failover causes for a moment. While a drill runs they are reported as `info`,
 * not paged; if the condition outlives the drill, its next report has the real severity again.
 * (MASTER_CHANGED and FAILOVER_IN_PROGRESS word their own drill messages.)
 */
const DRILL_EXPECTED: readonly string[] = [
  'SENTINELS_DISAGREE',
  'MULTIPLE_MASTERS',
  'REPLICA_LINK_DOWN',
  'REPLICA_LAGGING',
  'REPLICA_COUNT_LOW',
  'NO_FAILOVER_TARGET',
];

export function detect(input: DetectInput): DetectResult {
  const view = buildView(input);
  const switches = detectSwitches(view);
  const failover = detectFailover(view);
  const restarts = detectRestarts(view);
  const versions = detectVersions(view);
  const master = detectMaster(view);
  const counters = nextCounters(view);
  const aborts = detectAborts(
    view,
    switches.findings.some((f) => f.code === 'MASTER_CHANGED'),
  );
  const findings = foldAborts(
    mergeConfigRisks([
      ...switches.findings,
      ...detectAuth(view),
      ...master.findings,
      ...detectWrites(view),
      ...detectSentinelView(view),
      ...detectSentinels(view),
      ...detectReplicas(view),
      ...detectFailoverTarget(view),
      ...failover.findings,
      ...restarts.findings,
      ...detectReadonlyClients(view, counters),
      ...detectConfigRisk(view),
      ...detectLimits(view),
      ...versions.findings,
    ]),
    aborts.finding,
  ).map((f) => duringDrill(view, f));

  return {
    findings: sortFindings(findings),
    state: {
      version: 1,
      ...switches.state,
      ...failover.state,
      ...restarts.state,
      ...versions.state,
      ...master.state,
      ...aborts.state,
      counters,
    },
  };
}

/** Findings that explain why Sentinel's failovers fail: an abort is told inside them, not paged again. */
const EXPLAINS_ABORTS = ['SENTINEL_SEES_DOWN', 'NO_FAILOVER_TARGET', 'NO_QUORUM'];

function foldAborts(findings: Finding[], abort: Finding | null): Finding[] {
  if (!abort) return findings;
  const host = findings.find((f) => EXPLAINS_ABORTS.includes(f.code) && f.severity === 'critical');
  if (!host) return [...findings, abort];
  const attempts = (abort.details?.attempts as number | undefined) ?? 1;
  const reasons = (abort.details?.reasons as string[] | undefined) ?? [];
  const folded: Finding = {
    ...host,
    message: `${host.message} Sentinel has tried to fail over and aborted${reasons.length ? ` (${reasons.join(', ')})` : ''}: it keeps retrying every 2 × failover-timeout until this is fixed.`,
    details: {
      ...host.details,
      abortedFailovers: { attempts, reasons, timeline: abort.details?.timeline ?? null },
    },
  };
  return findings.map((f) => (f === host ? folded : f));
}

function duringDrill(view: View, f: Finding): Finding {
  if (!view.drill || !DRILL_EXPECTED.includes(f.code) || f.severity === 'info') return f;
  return {
    ...f,
    severity: 'info',
    message: `${f.message} (Expected while drill ${view.drill.id} runs: reported as info.)`,
    details: { ...f.details, drillId: view.drill.id, severityOutsideDrill: f.severity },
  };
}

const codeOrder = (code: string): number => {
  const i = (FINDING_CODES as readonly string[]).indexOf(code);
  return i === -1 ? FINDING_CODES.length : i;
};

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      codeOrder(a.code) - codeOrder(b.code) ||
      a.subject.localeCompare(b.subject),
  );
}
