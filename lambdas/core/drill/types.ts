// Plain-data types of the failover drill. Everything is JSON-safe: the report is printed, returned by
// the Lambda, stored in DynamoDB and published as a notification unchanged.

import type { Address } from '../types';
import type { CriterionResult, PassCriteria } from './criteria';
import type { WriteSeries } from './series';

/** Where in the drill a check or timeline entry belongs. */
export type DrillPhase = 'preflight' | 'lock' | 'canary' | 'failover' | 'verify' | 'failback' | 'final';

/** One pass/fail judgement with the evidence for it. */
export interface DrillCheck {
  /** Stable kebab-case name, e.g. `ckquorum`, `old-master-rejoined`. */
  readonly name: string;
  readonly phase: DrillPhase;
  readonly passed: boolean;
  /** What was seen, in words an operator can act on. */
  readonly detail: string;
  /**
   * Milliseconds since the drill started at which the check was judged: for a passed verification
   * check, the moment it became (and stayed) true; for a failed one, when the drill gave up.
   */
  readonly elapsedMs: number;
}

/** A check's verdict before it is placed in time and phase. */
export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** A sentinel event or an action of the drill, relative to the drill's start. */
export interface TimelineEntry {
  readonly atMs: number;
  readonly source: 'sentinel' | 'drill';
  /** `host:port` of the sentinel that published the event; null for the drill's own actions. */
  readonly sentinel: string | null;
  /** The event channel (`+switch-master`, `-failover-abort-no-good-slave`) or `drill:<action>`. */
  readonly type: string;
  readonly detail: string;
}

/** One write attempt of a continuous writer. Times are epoch milliseconds. */
export interface WriteSample {
  /** Distinct per writer: the value written, so lost writes can be told apart. */
  readonly seq: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** The server acknowledged the write. */
  readonly ok: boolean;
  /** The error text when not acknowledged (secrets redacted by the writer). */
  readonly error?: string;
}

/** A period during which the sentinel-aware client could not complete writes. */
export interface OutageWindow {
  /** Relative to the drill's start: the last acknowledged write before the gap (or the first attempt). */
  readonly fromMs: number;
  /** Relative to the drill's start: the first acknowledged write after the gap (or when writing stopped). */
  readonly toMs: number;
  readonly failedWrites: number;
  readonly firstError: string | null;
}

/** What the sentinel-aware client saw during one failover. */
export interface ClientWriteSummary {
  readonly attempted: number;
  readonly acknowledged: number;
  readonly failed: number;
  /** Total time without completed writes, over the windows below. */
  readonly outageMs: number;
  /** Longest time between two acknowledged writes, however short (the write interval when all is well). */
  readonly longestGapMs: number;
  readonly windows: readonly OutageWindow[];
  /** Acknowledged writes missing on the new master afterwards; null when it could not be read. */
  readonly lost: number | null;
}

/** What the plain connection to the old master saw during one failover. */
export interface SplitBrainSummary {
  readonly attempted: number;
  readonly acknowledged: number;
  /** Writes the old master acknowledged after the first `+switch-master`. */
  readonly acknowledgedAfterSwitch: number;
  /** From the first `+switch-master` to the old master's last acknowledged write (0: none after). */
  readonly windowMs: number;
  /** Acknowledged writes missing on the new master after the old one rejoined; null when unread. */
  readonly lost: number | null;
  /** The error that ended its acceptance of writes (e.g. `READONLY ...`), if any. */
  readonly firstErrorAfterSwitch: string | null;
}

/** One `SENTINEL FAILOVER` and what followed. */
export interface FailoverLeg {
  readonly purpose: 'drill' | 'failback';
  /** 1 for the drill; failback may take more than one attempt. */
  readonly attempt: number;
  readonly from: Address;
  /** The master the sentinels switched to; null when the failover did not happen. */
  readonly to: Address | null;
  /** The sentinel that was sent `SENTINEL FAILOVER`. */
  readonly sentinel: string | null;
  /** Relative to the drill's start: when `SENTINEL FAILOVER` was sent. */
  readonly startedAtMs: number;
  /** From `SENTINEL FAILOVER` to the first `+switch-master`. */
  readonly timeToSwitchMs: number | null;
  /** From `SENTINEL FAILOVER` until every verification check passed. */
  readonly timeToVerifiedMs: number | null;
  readonly verified: boolean;
  /** Why Sentinel did not (or not completely) fail over: its error reply, an abort event, a deadline. */
  readonly abortReason: string | null;
  readonly clientWrites: ClientWriteSummary | null;
  readonly oldMasterWrites: SplitBrainSummary | null;
  /** Both writers' writes per 100 ms, for the picture (series.ts); absent in reports made before it. */
  readonly writeSeries?: WriteSeries | null;
}

/** Who is master when the drill ends, from a poll made after everything else. */
export interface FinalState {
  readonly master: Address | null;
  /** Every answering sentinel names `master`. */
  readonly unanimous: boolean;
  /** `role` that `master` reports itself; null when it could not be read. */
  readonly role: string | null;
  readonly takenAt: string;
  readonly detail: string;
}

export type DrillOutcome = 'passed' | 'failed' | 'refused' | 'dry-run';

/** `failover`: SENTINEL FAILOVER with writes flowing (a crash rehearsal); `switchover`: writes held first. */
export type DrillMode = 'failover' | 'switchover';

export interface DrillReport {
  /** The JSON report's schema (criteria.ts DRILL_REPORT_SCHEMA_VERSION). */
  readonly schemaVersion: number;
  readonly id: string;
  readonly mode: DrillMode;
  readonly deployment: string;
  readonly masterName: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly dryRun: boolean;
  readonly failbackRequested: boolean;
  readonly passed: boolean;
  /** `refused`: preflight or the lock stopped the drill before anything was changed. */
  readonly outcome: DrillOutcome;
  /** One line: the verdict and the reason. */
  readonly summary: string;
  /** Master when the drill started. */
  readonly previousMaster: Address | null;
  /** Master the drill's failover switched to (before any failback). */
  readonly newMaster: Address | null;
  readonly finalState: FinalState | null;
  readonly timeToSwitchMs: number | null;
  readonly timeToVerifiedMs: number | null;
  /** Sentinel-aware client: time without completed writes, and failed write attempts. */
  readonly writeOutageMs: number | null;
  readonly failedWrites: number | null;
  /**
   * Writes the sentinel-aware client was told succeeded that are missing afterwards: it wrote to the
   * old master between the promotion and `+switch-master` reaching it.
   */
  readonly clientWritesLost: number | null;
  /** Plain connection to the old master: how long it acknowledged writes after the switch. */
  readonly splitBrainWindowMs: number | null;
  /** Writes the old master acknowledged that are gone after it rejoined. */
  readonly acknowledgedWritesLost: number | null;
  readonly abortReason: string | null;
  /** An unexpected error that ended the drill early (the final state still says who is master). */
  readonly error: string | null;
  readonly canary: { readonly key: string; readonly value: string } | null;
  readonly checks: readonly DrillCheck[];
  readonly legs: readonly FailoverLeg[];
  readonly timeline: readonly TimelineEntry[];
  readonly advice: readonly string[];
  /** Dry runs: what the drill would do. */
  readonly plan: readonly string[];
  /** The pass criteria this drill was judged by (defaults, then config, then the run's overrides). */
  readonly criteria: PassCriteria;
  /** Each criterion judged against the drill's own failover; empty when no failover was made. */
  readonly criteriaResults: readonly CriterionResult[];
}
