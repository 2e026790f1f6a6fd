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
//
// Detectors: switches.ts (MASTER_CHANGED, MASTER_FLAPPING), auth.ts, master.ts, sentinels.ts,
// replicas.ts, failover.ts, restarts.ts, config-risk.ts, versions.ts (server versions: a sentinel older
// than its nodes, an upgrade left half-done; and the server named in every finding's details).

import type { Finding, Snapshot } from '../types';
import { detectAuth } from './auth';
import { FINDING_CODES } from './codes';
import { detectConfigRisk } from './config-risk';
import { detectFailover } from './failover';
import { detectMaster } from './master';
import { detectReplicas } from './replicas';
import { detectRestarts } from './restarts';
import { detectSentinels } from './sentinels';
import type { DetectionSettings } from './settings';
import type { DetectionState } from './state';
import { detectSwitches } from './switches';
import { severityRank } from './text';
import { detectVersions, mergeConfigRisks, withServerVersion } from './versions';
import { buildView, type DetectContext, type View } from './view';

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
];

export function detect(input: DetectInput): DetectResult {
  const view = buildView(input);
  const switches = detectSwitches(view);
  const failover = detectFailover(view);
  const restarts = detectRestarts(view);
  const versions = detectVersions(view);
  const findings = mergeConfigRisks([
    ...switches.findings,
    ...detectAuth(view),
    ...detectMaster(view),
    ...detectSentinels(view),
    ...detectReplicas(view),
    ...failover.findings,
    ...restarts.findings,
    ...detectConfigRisk(view),
    ...versions.findings,
  ]).map((f) => withServerVersion(view, duringDrill(view, f)));

  return {
    findings: sortFindings(findings),
    state: {
      version: 1,
      ...switches.state,
      ...failover.state,
      ...restarts.state,
      ...versions.state,
    },
  };
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
