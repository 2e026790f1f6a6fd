// The drill report as text for a terminal, an email or a chat message: verdict first, then the
// numbers, the checks, each failover, the timeline and the advice.

import { textTable } from '../text-table';
import { type Address, formatAddress } from '../types';
import { finalMasterText } from './report';
import type { DrillReport, FailoverLeg } from './types';

const dash = '-';
const at = (a: Address | null): string => (a ? formatAddress(a) : dash);
const ms = (n: number | null): string => (n === null ? dash : `${n} ms`);
const count = (n: number | null): string => (n === null ? dash : String(n));

const table = (headers: readonly string[], rows: readonly (readonly string[])[]) =>
  textTable(headers, rows, { indent: '  ' });

export interface RenderOptions {
  /** Timeline entries shown at most (the rest are summarised); default 60. */
  readonly maxTimeline?: number;
}

export function renderDrillReport(r: DrillReport, options: RenderOptions = {}): string {
  const out: string[] = [];
  const name = r.mode === 'switchover' ? 'Planned switchover drill' : 'Failover drill';
  const kind = r.dryRun ? `${name} (dry run)` : name;
  out.push(`${kind} of ${r.deployment} (master name "${r.masterName}"), id ${r.id}`);
  out.push(`Started ${r.startedAt}, took ${(r.durationMs / 1000).toFixed(1)} s`);
  out.push(r.summary);
  out.push('');
  out.push(`Master before: ${at(r.previousMaster)}`);
  if (!r.dryRun) out.push(`Drill switched to: ${at(r.newMaster)}`);
  out.push(`At the end: ${finalMasterText(r.finalState)}`);
  if (r.error) out.push(`Error: ${r.error}`);
  if (r.abortReason) out.push(`Abort reason: ${r.abortReason}`);

  if (!r.dryRun && r.legs.length > 0) {
    out.push('', "Measurements (the drill's failover)");
    out.push(
      ...table(
        ['WHAT', 'VALUE'],
        [
          ['time to +switch-master', ms(r.timeToSwitchMs)],
          ['time until every check passed', ms(r.timeToVerifiedMs)],
          ['sentinel-aware client: write outage', ms(r.writeOutageMs)],
          [
            'sentinel-aware client: longest gap between writes',
            ms(r.legs.find((l) => l.purpose === 'drill')?.clientWrites?.longestGapMs ?? null),
          ],
          ['sentinel-aware client: failed writes', count(r.failedWrites)],
          ['sentinel-aware client: acknowledged writes lost', count(r.clientWritesLost)],
          ['old master: split-brain window', ms(r.splitBrainWindowMs)],
          ['old master: acknowledged writes lost', count(r.acknowledgedWritesLost)],
        ],
      ),
    );
    out.push('', 'Failovers');
    out.push(
      ...table(
        [
          '#',
          'PURPOSE',
          'FROM',
          'TO',
          'SWITCH',
          'VERIFIED',
          'OUTAGE',
          'FAILED',
          'SPLIT-BRAIN',
          'LOST',
          'RESULT',
        ],
        r.legs.map((l, i) => legRow(l, i)),
      ),
    );
  }

  if (r.criteriaResults.length > 0) {
    out.push('', 'Pass criteria');
    out.push(
      ...table(
        ['CRITERION', 'LIMIT', 'MEASURED', 'RESULT'],
        r.criteriaResults.map((c) => [
          c.criterion,
          String(c.limit),
          c.measured === null ? dash : String(c.measured),
          c.passed ? 'ok' : 'FAILED',
        ]),
      ),
    );
    for (const c of r.criteriaResults.filter((x) => !x.passed)) {
      out.push(`  - ${c.criterion}: ${c.detail}. Fix: ${c.fix}`);
    }
  }

  if (r.plan.length > 0) {
    out.push('', 'Plan');
    for (const step of r.plan) out.push(`  - ${step}`);
  }

  out.push('', 'Checks');
  out.push(
    ...table(
      ['PHASE', 'CHECK', 'RESULT', 'AT', 'DETAIL'],
      r.checks.map((c) => [c.phase, c.name, c.passed ? 'ok' : 'FAILED', `${c.elapsedMs}ms`, c.detail]),
    ),
  );

  if (r.timeline.length > 0) {
    const max = options.maxTimeline ?? 60;
    const shown = r.timeline.slice(0, max);
    out.push('', 'Timeline (ms since start)');
    out.push(
      ...table(
        ['AT', 'SOURCE', 'EVENT', 'DETAIL'],
        shown.map((e) => [`+${e.atMs}`, e.sentinel ?? 'drill', e.type, e.detail]),
      ),
    );
    if (r.timeline.length > max) out.push(`  ... ${r.timeline.length - max} more (see --json)`);
  }

  if (r.advice.length > 0) {
    out.push('', 'Advice');
    for (const a of r.advice) out.push(`  - ${a}`);
  }
  return out.join('\n');
}

function legRow(l: FailoverLeg, i: number): string[] {
  const result = l.verified ? 'verified' : l.abortReason ? 'aborted' : l.to ? 'NOT VERIFIED' : 'no switch';
  return [
    String(i + 1),
    l.purpose === 'failback' ? `failback #${l.attempt}` : 'drill',
    formatAddress(l.from),
    at(l.to),
    ms(l.timeToSwitchMs),
    ms(l.timeToVerifiedMs),
    ms(l.clientWrites?.outageMs ?? null),
    count(l.clientWrites?.failed ?? null),
    l.to ? ms(l.oldMasterWrites?.windowMs ?? null) : dash,
    count(l.oldMasterWrites?.lost ?? null),
    result,
  ];
}
