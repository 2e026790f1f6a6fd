// The failover drill's pure core: preflight and verification over snapshots, write analysis, the
// report and its text. I/O and orchestration live in lambdas/drill/.

export { legChart } from './chart';
export {
  type CriteriaOverrides,
  type CriterionResult,
  DEFAULT_CRITERIA,
  DRILL_REPORT_SCHEMA_VERSION,
  judgeCriteria,
  type PassCriteria,
  parseCriteria,
  replicasRequired,
  resolveCriteria,
} from './criteria';
export { CredentialsUnavailableError, DrillError } from './errors';
export { followsWithLinkUp } from './facts';
export { type Headline, headline, VERDICT_LABEL } from './headline';
export { PAGE_WIDTH, renderDrillHtml } from './html';
export { renderDrillMarkdown } from './markdown';
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
export {
  bucketWrites,
  MAX_WRITE_BUCKETS,
  totalOf,
  WRITE_BUCKET_MS,
  type WriterBuckets,
  type WriteSeries,
} from './series';
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
