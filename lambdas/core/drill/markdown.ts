// The drill report as GitHub-flavoured Markdown, short enough for a CI job summary
// ($GITHUB_STEP_SUMMARY) or a merge-request comment: the verdict and why, the headline numbers, what
// failed, the advice; every check and the key sentinel events folded away below.

import { type Address, formatAddress } from '../types';
import { criteriaOf, criterionValue, drillKind, headline, VERDICT_LABEL } from './headline';
import { finalMasterText } from './report';
import type { DrillReport } from './types';

const ICON: Readonly<Record<DrillReport['outcome'], string>> = {
  passed: '✅',
  failed: '❌',
  refused: '⛔',
  'dry-run': '🔎',
};

/** Table cells and inline text: no pipe, newline or HTML may break the Markdown around them. */
const cell = (text: string): string =>
  text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const at = (a: Address | null): string => (a ? formatAddress(a) : '-');

/** Sentinel events worth a line in a summary (the rest are in the HTML report and the JSON). */
const KEY_EVENTS = new Set([
  '+sdown',
  '+odown',
  '+try-failover',
  '+elected-leader',
  '+promoted-slave',
  '+switch-master',
  '+failover-end',
  '+convert-to-slave',
  'drill:failover',
  'drill:verified',
]);

export function renderDrillMarkdown(r: DrillReport): string {
  const out: string[] = [];
  out.push(
    `## ${ICON[r.outcome]} ${VERDICT_LABEL[r.outcome]}: ${cell(`${drillKind(r)} of ${r.deployment}`)}`,
    '',
  );
  out.push(cell(r.summary), '');
  out.push(
    `Master before \`${at(r.previousMaster)}\`${r.dryRun ? '' : `, switched to \`${at(r.newMaster)}\``}; at the end: ${cell(finalMasterText(r.finalState))}. ` +
      `Started ${r.startedAt}, took ${(r.durationMs / 1000).toFixed(1)} s, id \`${r.id}\`.`,
    '',
  );
  const numbers = headline(r);
  if (numbers.length > 0) {
    out.push('| Measurement | Value |', '| --- | ---: |');
    for (const n of numbers)
      out.push(`| ${cell(n.label)} | ${n.bad ? `**${cell(n.value)}**` : cell(n.value)} |`);
    out.push('');
  }
  const criteria = criteriaOf(r);
  if (criteria.length > 0) {
    out.push('| Pass criterion | Limit | Measured | Result |', '| --- | ---: | ---: | --- |');
    for (const c of criteria) {
      out.push(
        `| \`${c.criterion}\` | ${criterionValue(c.criterion, c.limit)} | ${criterionValue(c.criterion, c.measured)} | ${c.passed ? 'ok' : '**FAILED**'} |`,
      );
    }
    out.push('');
    for (const c of criteria.filter((x) => !x.passed && x.fix))
      out.push(`- \`${c.criterion}\`: ${cell(`${c.detail}. Fix: ${c.fix}`)}`);
    if (criteria.some((x) => !x.passed && x.fix)) out.push('');
  }
  const failed = r.checks.filter((c) => !c.passed);
  if (failed.length > 0) {
    out.push('**Failed checks**', '');
    for (const c of failed) out.push(`- \`${c.name}\` (${c.phase}, +${c.elapsedMs} ms): ${cell(c.detail)}`);
    out.push('');
  }
  if (r.error) out.push(`**Error:** ${cell(r.error)}`, '');
  if (r.advice.length > 0) {
    out.push('**Advice**', '');
    for (const a of r.advice) out.push(`- ${cell(a)}`);
    out.push('');
  }
  out.push(
    `<details><summary>All ${r.checks.length} checks</summary>`,
    '',
    '| Phase | Check | Result | At | Detail |',
    '| --- | --- | --- | ---: | --- |',
  );
  for (const c of r.checks) {
    out.push(
      `| ${c.phase} | \`${c.name}\` | ${c.passed ? 'ok' : '**FAILED**'} | ${c.elapsedMs} ms | ${cell(c.detail)} |`,
    );
  }
  out.push('', '</details>', '');
  const events = r.timeline.filter((e) => KEY_EVENTS.has(e.type));
  if (events.length > 0) {
    out.push('<details><summary>Key events (ms since the drill started)</summary>', '');
    out.push('| At | Source | Event | Detail |', '| ---: | --- | --- | --- |');
    for (const e of events) {
      out.push(`| +${e.atMs} | ${cell(e.sentinel ?? 'drill')} | \`${e.type}\` | ${cell(e.detail)} |`);
    }
    out.push('', '</details>', '');
  }
  return out.join('\n');
}
