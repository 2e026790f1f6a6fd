// Assembles the drill report from what the orchestration recorded: the verdict, the headline numbers
// (taken from the drill's own failover, not the failback), why Sentinel aborted if it did, and advice
// that follows from the measurements.

import { isFailoverAbort, type SentinelEvent } from '../sentinel-event';
import { type Address, formatAddress } from '../types';
import {
  type CriterionResult,
  criteriaText,
  DEFAULT_CRITERIA,
  DRILL_REPORT_SCHEMA_VERSION,
  judgeCriteria,
  type PassCriteria,
} from './criteria';
import type {
  DrillCheck,
  DrillMode,
  DrillOutcome,
  DrillReport,
  FailoverLeg,
  FinalState,
  TimelineEntry,
} from './types';

export interface DrillReportInput {
  readonly id: string;
  readonly deployment: string;
  readonly masterName: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly dryRun: boolean;
  readonly failbackRequested: boolean;
  readonly previousMaster: Address | null;
  readonly checks: readonly DrillCheck[];
  readonly legs: readonly FailoverLeg[];
  /** Sentinel events and the drill's own actions, already relative to the start. */
  readonly timeline: readonly TimelineEntry[];
  readonly finalState: FinalState | null;
  readonly error: string | null;
  readonly canary: DrillReport['canary'];
  readonly plan?: readonly string[];
  /** Default DEFAULT_CRITERIA. */
  readonly criteria?: PassCriteria;
  /** Default `failover`. */
  readonly mode?: DrillMode;
}

const ABORT_MEANING: Readonly<Record<string, string>> = {
  '-failover-abort-not-elected': 'the sentinel asked to fail over was not elected leader by a majority',
  '-failover-abort-no-good-slave':
    'no replica was fit to promote (replica-priority 0, link down, disconnected too long, or not answering)',
  '-failover-abort-slave-timeout':
    'the chosen replica did not turn into a master within failover-timeout (frozen, overloaded, or unreachable)',
};

/** Channels a drill records in its timeline: Sentinel's events, not its hello traffic. */
export const isTimelineEvent = (e: SentinelEvent): boolean => !e.type.startsWith('__');

export function timelineEntry(e: SentinelEvent, origin: number): TimelineEntry {
  return { atMs: e.at - origin, source: 'sentinel', sentinel: e.sentinel, type: e.type, detail: e.payload };
}

/** The first abort Sentinel announced, explained, e.g. for `-failover-abort-slave-timeout`. */
export function abortReasonFromEvents(events: readonly SentinelEvent[]): string | null {
  const abort = events.find(isFailoverAbort);
  if (!abort) return null;
  const meaning = ABORT_MEANING[abort.type];
  return `${abort.type} from sentinel ${abort.sentinel}${meaning ? `: ${meaning}` : ''}`;
}

/** Sentinel refused `SENTINEL FAILOVER` outright (`-NOGOODSLAVE`, `-INPROG`). */
export function abortReasonFromReply(sentinel: string, message: string): string {
  const hint = message.startsWith('NOGOODSLAVE')
    ? ': no replica was fit to promote (replica-priority 0, link down, or disconnected too long)'
    : message.startsWith('INPROG')
      ? ': a failover of this master is already running'
      : '';
  return `SENTINEL FAILOVER refused by ${sentinel}: ${message}${hint}`;
}

export function buildDrillReport(input: DrillReportInput): DrillReport {
  const drillLeg = input.legs.find((l) => l.purpose === 'drill') ?? null;
  const failedCheck = input.checks.find((c) => !c.passed) ?? null;
  const allPassed = input.error === null && failedCheck === null;
  const criteria = input.criteria ?? DEFAULT_CRITERIA;
  const abortReason = input.legs.find((l) => l.abortReason !== null)?.abortReason ?? null;
  const clientWrites = drillLeg?.clientWrites ?? null;
  const oldMasterWrites = drillLeg?.oldMasterWrites ?? null;
  const measured = {
    timeToSwitchMs: drillLeg?.timeToSwitchMs ?? null,
    timeToVerifiedMs: drillLeg?.timeToVerifiedMs ?? null,
    writeOutageMs: clientWrites?.outageMs ?? null,
    clientWritesLost: clientWrites?.lost ?? null,
    splitBrainWindowMs: drillLeg?.to && oldMasterWrites ? oldMasterWrites.windowMs : null,
    acknowledgedWritesLost: oldMasterWrites?.lost ?? null,
  };
  // Judged only on a failover that happened: a refusal or a dry run measured nothing.
  const criteriaResults: CriterionResult[] =
    !input.dryRun && drillLeg?.to ? judgeCriteria(measured, criteria) : [];
  const passed = input.dryRun
    ? allPassed
    : allPassed &&
      input.legs.length > 0 &&
      input.legs.every((l) => l.verified) &&
      criteriaResults.every((c) => c.passed);
  const outcome: DrillOutcome = passed
    ? input.dryRun
      ? 'dry-run'
      : 'passed'
    : input.legs.length === 0 && input.error === null
      ? 'refused'
      : 'failed';
  const report: Omit<DrillReport, 'summary' | 'advice'> = {
    schemaVersion: DRILL_REPORT_SCHEMA_VERSION,
    id: input.id,
    mode: input.mode ?? 'failover',
    deployment: input.deployment,
    masterName: input.masterName,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    durationMs: input.finishedAt - input.startedAt,
    dryRun: input.dryRun,
    failbackRequested: input.failbackRequested,
    passed,
    outcome,
    previousMaster: input.previousMaster,
    newMaster: drillLeg?.to ?? null,
    finalState: input.finalState,
    timeToSwitchMs: measured.timeToSwitchMs,
    timeToVerifiedMs: measured.timeToVerifiedMs,
    writeOutageMs: measured.writeOutageMs,
    failedWrites: clientWrites?.failed ?? null,
    clientWritesLost: measured.clientWritesLost,
    splitBrainWindowMs: measured.splitBrainWindowMs,
    acknowledgedWritesLost: measured.acknowledgedWritesLost,
    abortReason,
    error: input.error,
    canary: input.canary,
    checks: input.checks,
    legs: input.legs,
    timeline: [...input.timeline].sort((a, b) => a.atMs - b.atMs),
    plan: input.plan ?? [],
    criteria,
    criteriaResults,
  };
  return { ...report, summary: summarize(report, failedCheck), advice: advise(report) };
}

const seconds = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const at = (a: Address | null): string => (a ? formatAddress(a) : 'unknown');

export function finalMasterText(state: FinalState | null): string {
  if (!state) return 'master unknown (no final poll)';
  if (!state.master) return `NO AGREED MASTER: ${state.detail}`;
  return `master now ${formatAddress(state.master)}${state.role === 'master' && state.unanimous ? '' : ` (${state.detail})`}`;
}

function summarize(r: Omit<DrillReport, 'summary' | 'advice'>, failedCheck: DrillCheck | null): string {
  const final = finalMasterText(r.finalState);
  switch (r.outcome) {
    case 'dry-run':
      return `DRY RUN: preflight passed; a drill would fail over ${at(r.previousMaster)}${r.failbackRequested ? ' and fail back' : ''}`;
    case 'refused':
      return `REFUSED: ${failedCheck ? `${failedCheck.name}: ${failedCheck.detail}` : 'preflight failed'}; nothing was changed, ${final}`;
    case 'passed': {
      const lost = r.acknowledgedWritesLost ?? 0;
      const clientLost = r.clientWritesLost ?? 0;
      return (
        `PASSED: ${at(r.previousMaster)} -> ${at(r.newMaster)}, switched in ${seconds(r.timeToSwitchMs ?? 0)}, ` +
        `verified in ${seconds(r.timeToVerifiedMs ?? 0)}; writes stopped for ${seconds(r.writeOutageMs ?? 0)}` +
        `${clientLost > 0 ? ` and ${clientLost} acknowledged to the client were lost` : ''}` +
        `${lost > 0 ? `; the old master acknowledged ${lost} writes that were lost` : ''}; ${final}`
      );
    }
    default: {
      const criteriaFailed = criteriaText(r.criteriaResults);
      const reason =
        r.error ??
        r.abortReason ??
        (failedCheck
          ? `${failedCheck.name}: ${failedCheck.detail}`
          : criteriaFailed
            ? `pass criteria not met: ${criteriaFailed}`
            : 'not verified');
      return `FAILED: ${reason}; ${final}`;
    }
  }
}

function advise(r: Omit<DrillReport, 'summary' | 'advice'>): string[] {
  const advice: string[] = [];
  if (r.finalState && (!r.finalState.master || r.finalState.role !== 'master' || !r.finalState.unanimous)) {
    advice.push(
      `Act now: the drill ended without one agreed, working master (${r.finalState.detail}). Check the sentinels with "sentinel-watch check" and SENTINEL MASTER ${r.masterName}.`,
    );
  }
  const splitLost = sum(r.legs.map((l) => l.oldMasterWrites?.lost ?? 0));
  const afterSwitch = sum(r.legs.map((l) => l.oldMasterWrites?.acknowledgedAfterSwitch ?? 0));
  const window = Math.max(0, ...r.legs.map((l) => (l.to ? (l.oldMasterWrites?.windowMs ?? 0) : 0)));
  if (splitLost > 0 || afterSwitch > 0) {
    advice.push(
      `The old master kept acknowledging writes for ${seconds(window)} after +switch-master (${afterSwitch} writes) ` +
        `and ${splitLost} acknowledged writes were lost when it rejoined. Set min-replicas-to-write 1 and a short ` +
        'min-replicas-max-lag (e.g. 2) on every data node, so a master that has lost its replicas refuses writes ' +
        'instead of acknowledging writes that will be discarded.',
    );
  }
  const clientLost = sum(r.legs.map((l) => l.clientWrites?.lost ?? 0));
  if (clientLost > 0) {
    advice.push(
      `${clientLost} writes acknowledged to the sentinel-aware client were lost: clients must follow +switch-master ` +
        '(ioredis failoverDetector: true, or the equivalent in your client) and reconnect on READONLY, instead of ' +
        'asking Sentinel only when their connection breaks.',
    );
  }
  const failed = sum(r.legs.map((l) => l.clientWrites?.failed ?? 0));
  if (failed > 0) {
    const outage = Math.max(0, ...r.legs.map((l) => l.clientWrites?.outageMs ?? 0));
    advice.push(
      `Writes failed for up to ${seconds(outage)} during a switch (${failed} failed attempts): let clients retry ` +
        'writes with backoff for at least that long.',
    );
  }
  const abort = r.abortReason ?? '';
  if (/NOGOODSLAVE|no-good-slave/.test(abort)) {
    advice.push(
      "Sentinel found no replica to promote: check replica-priority (0 means never promote), each replica's " +
        'master_link_status and how long it has been disconnected, then run the drill again.',
    );
  } else if (abort.includes('slave-timeout')) {
    advice.push(
      'The replica Sentinel chose did not become master in time: check it is not frozen or overloaded, or raise ' +
        'failover-timeout, then run the drill again.',
    );
  } else if (abort.includes('not-elected')) {
    advice.push(
      'Sentinel could not win a leader election: check that a majority of sentinels can reach each other.',
    );
  }
  return advice;
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
