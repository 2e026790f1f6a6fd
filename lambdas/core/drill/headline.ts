// The few facts every rendering of a drill report leads with (the HTML page, the Markdown summary,
// the history list): the verdict's label and the headline measurements, in one place so they read the
// same everywhere.

import type { CriterionResult } from './criteria';
import type { DrillReport } from './types';

export const VERDICT_LABEL: Readonly<Record<DrillReport['outcome'], string>> = {
  passed: 'PASSED',
  failed: 'FAILED',
  refused: 'REFUSED',
  'dry-run': 'DRY RUN',
};

export const msText = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;

export const countText = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : String(n);

export interface Headline {
  readonly label: string;
  readonly value: string;
  /** The value is a problem worth a colour (lost writes, a split brain). */
  readonly bad: boolean;
}

/** The drill's own failover in numbers; empty for dry runs and refusals. */
export function headline(r: DrillReport): Headline[] {
  if (r.dryRun || r.legs.length === 0) return [];
  const positive = (n: number | null) => n !== null && n > 0;
  return [
    { label: 'Time to +switch-master', value: msText(r.timeToSwitchMs), bad: r.timeToSwitchMs === null },
    {
      label: 'Time until every check passed',
      value: msText(r.timeToVerifiedMs),
      bad: r.timeToVerifiedMs === null,
    },
    { label: 'Client write outage', value: msText(r.writeOutageMs), bad: false },
    { label: 'Client failed writes', value: countText(r.failedWrites), bad: false },
    {
      label: 'Client acknowledged writes lost',
      value: countText(r.clientWritesLost),
      bad: positive(r.clientWritesLost),
    },
    {
      label: 'Split-brain window (old master)',
      value: msText(r.splitBrainWindowMs),
      bad: positive(r.splitBrainWindowMs),
    },
    {
      label: 'Old master acknowledged writes lost',
      value: countText(r.acknowledgedWritesLost),
      bad: positive(r.acknowledgedWritesLost),
    },
  ];
}

/** The report's judged criteria (none for a dry run, a refusal, or a report made before criteria). */
export const criteriaOf = (r: DrillReport): readonly CriterionResult[] => r.criteriaResults ?? [];

/** A criterion's limit or measurement in its unit: milliseconds for `...Ms`, else a count. */
export const criterionValue = (criterion: string, n: number | null): string =>
  criterion.endsWith('Ms') ? msText(n) : countText(n);

/** What the drill was: a crash rehearsal or a planned switchover (older reports: the former). */
export const drillKind = (r: DrillReport): string => {
  const name = r.mode === 'switchover' ? 'Planned switchover drill' : 'Failover drill';
  return r.dryRun ? `${name} (dry run)` : name;
};
