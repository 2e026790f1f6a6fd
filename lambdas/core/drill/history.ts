// Past drills as the CLI lists them: one row per stored report (verdict, switch, verify, lost writes),
// and the port that reads them, so the command can be tested with a few lines of in-memory fake.

import { countText, criteriaOf, msText, VERDICT_LABEL } from './headline';
import type { DrillReport } from './types';

export interface DrillReportReader {
  /** The deployment's stored reports, newest first, at most `limit`. */
  list(deployment: string, limit: number): Promise<DrillReport[]>;
  /** One report by its id; null when the deployment has none with that id. */
  get(deployment: string, id: string): Promise<DrillReport | null>;
}

/** What `drill history --json` prints per drill: the numbers a pipeline compares, not the whole report. */
export interface DrillHistoryRow {
  readonly id: string;
  readonly startedAt: string;
  readonly outcome: DrillReport['outcome'];
  readonly passed: boolean;
  readonly timeToSwitchMs: number | null;
  readonly timeToVerifiedMs: number | null;
  readonly writeOutageMs: number | null;
  readonly clientWritesLost: number | null;
  readonly splitBrainWindowMs: number | null;
  readonly acknowledgedWritesLost: number | null;
  /** The pass criteria the drill failed (none for reports made before criteria existed). */
  readonly failedCriteria: readonly string[];
  readonly summary: string;
}

export function drillHistoryRow(r: DrillReport): DrillHistoryRow {
  return {
    id: r.id,
    startedAt: r.startedAt,
    outcome: r.outcome,
    passed: r.passed,
    timeToSwitchMs: r.timeToSwitchMs ?? null,
    timeToVerifiedMs: r.timeToVerifiedMs ?? null,
    writeOutageMs: r.writeOutageMs ?? null,
    clientWritesLost: r.clientWritesLost ?? null,
    splitBrainWindowMs: r.splitBrainWindowMs ?? null,
    acknowledgedWritesLost: r.acknowledgedWritesLost ?? null,
    failedCriteria: criteriaOf(r)
      .filter((c) => !c.passed)
      .map((c) => c.criterion),
    summary: r.summary,
  };
}

export const DRILL_HISTORY_HEADERS = [
  'STARTED',
  'ID',
  'RESULT',
  'SWITCH',
  'VERIFIED',
  'OUTAGE',
  'CLIENT LOST',
  'SPLIT-BRAIN',
  'OLD MASTER LOST',
  'FAILED CRITERIA',
] as const;

/** The row's cells for a table, in DRILL_HISTORY_HEADERS order. */
export const drillHistoryCells = (row: DrillHistoryRow): string[] => [
  row.startedAt,
  row.id,
  VERDICT_LABEL[row.outcome] ?? row.outcome,
  msText(row.timeToSwitchMs),
  msText(row.timeToVerifiedMs),
  msText(row.writeOutageMs),
  countText(row.clientWritesLost),
  msText(row.splitBrainWindowMs),
  countText(row.acknowledgedWritesLost),
  row.failedCriteria.length === 0 ? '-' : row.failedCriteria.join(','),
];

/**
 * A report as any version stored or saved it, readable by today's renderers: fields added since
 * (schema 1 had no `mode`, `criteria` or `criteriaResults`) get the value that says "not judged".
 * Stored reports are kept for a year; the code that prints them changes more often than that.
 */
export function upgradeReport(report: DrillReport): DrillReport {
  const r = report as Partial<DrillReport> & Omit<DrillReport, 'schemaVersion' | 'mode' | 'criteriaResults'>;
  return {
    ...report,
    schemaVersion: r.schemaVersion ?? 1,
    mode: r.mode ?? 'failover',
    criteriaResults: r.criteriaResults ?? [],
  };
}
