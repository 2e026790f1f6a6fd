// The failover drill's pure core: preflight and verification over snapshots, write analysis, the
// report and its text. I/O and orchestration live in lambdas/drill/.

export { CredentialsUnavailableError, DrillError } from './errors';
export {
  type Preflight,
  type PreflightSettings,
  preflight,
  type ReplicaCandidate,
  replicaCandidates,
} from './preflight';
export { renderDrillReport } from './render';
export {
  abortReasonFromEvents,
  abortReasonFromReply,
  buildDrillReport,
  type DrillReportInput,
  finalMasterText,
  isTimelineEvent,
  timelineEntry,
} from './report';
export { type Settled, settledState } from './settled';
export type * from './types';
export {
  agreedNewMaster,
  type NewMasterProbe,
  VERIFY_CHECKS,
  type Verification,
  type VerifyExpectation,
  verifyFailover,
} from './verify';
export { DEFAULT_GAP_THRESHOLD_MS, summarizeClientWrites, summarizeSplitBrain } from './writes';
