// The drill report as one self-contained HTML file, for a CI artefact, an email or a browser: verdict,
// headline numbers, the picture of each failover (chart.ts), then the checks, the advice and the whole
// timeline. No script, no font, no image or stylesheet from anywhere: the page's own Content Security
// Policy forbids loading anything, so it renders the same offline, in a sandboxed CI viewer, or from an
// archive years later. The element `#picture` (verdict, numbers, charts) is what a PNG shows.

import { type Address, formatAddress } from '../types';
import { CHART_WIDTH, COLOURS, esc, legChart } from './chart';
import { criteriaOf, criterionValue, drillKind, headline, msText, VERDICT_LABEL } from './headline';
import { finalMasterText } from './report';
import type { DrillReport, FailoverLeg } from './types';

/** Width of the page's content in CSS pixels: a PNG of `#picture` is this wide. */
export const PAGE_WIDTH = CHART_WIDTH + 40;

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const VERDICT_COLOUR: Readonly<Record<DrillReport['outcome'], string>> = {
  passed: COLOURS.kept,
  failed: COLOURS.lost,
  refused: '#e65100',
  'dry-run': COLOURS.switch,
};

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#fff;color:#212121;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
main{width:${PAGE_WIDTH}px;padding:8px}
#picture{background:#fff;padding:12px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:16px;margin:22px 0 8px}
.verdict{display:inline-block;color:#fff;font-weight:700;padding:2px 10px;border-radius:4px;margin-right:8px}
.summary{margin:6px 0 12px}
.meta{color:#616161;font-size:13px}
.numbers{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0 14px}
.number{border:1px solid #e0e0e0;border-radius:6px;padding:6px 10px;min-width:140px}
.number .label{color:#616161;font-size:12px}
.number .value{font-size:18px;font-weight:600}
.number.bad .value{color:${COLOURS.lost}}
.leg-title{font-weight:600;margin:10px 0 2px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;border-bottom:1px solid #eeeeee;padding:3px 6px;vertical-align:top}
td.failed{color:${COLOURS.lost};font-weight:700}
tr.failed td{background:#ffebee}
code,td.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
svg text{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
svg .panel-title{font-size:13px;font-weight:600;fill:#212121}
svg .tick,svg .bar-label{font-size:11px;fill:#424242}
svg .marker{font-size:11px;font-weight:600}
svg .shade-label{font-size:11px;fill:#b71c1c}
.none{color:#616161;font-style:italic}
.criteria-failed{margin:0 0 12px;padding-left:20px;color:${COLOURS.lost};font-weight:600}
.criteria-failed .fix{color:#424242;font-weight:400}
`;

const at = (a: Address | null): string => (a ? formatAddress(a) : '-');

function legTitle(leg: FailoverLeg): string {
  const what = leg.purpose === 'drill' ? "The drill's failover" : `Failback, attempt ${leg.attempt}`;
  return `${what}: ${at(leg.from)} → ${at(leg.to)}${leg.verified ? '' : ' (not verified)'}`;
}

function pictureOf(r: DrillReport): string {
  const out: string[] = [];
  out.push(
    `<h1><span class="verdict" style="background:${VERDICT_COLOUR[r.outcome]}">${VERDICT_LABEL[r.outcome]}</span>${esc(`${drillKind(r)} of ${r.deployment}`)}</h1>`,
    `<div class="meta">${esc(`master name "${r.masterName}" · started ${r.startedAt} · took ${msText(r.durationMs)} · id ${r.id}`)}</div>`,
    `<p class="summary">${esc(r.summary)}</p>`,
  );
  const numbers = headline(r);
  if (numbers.length > 0) {
    out.push('<div class="numbers">');
    for (const n of numbers) {
      out.push(
        `<div class="number${n.bad ? ' bad' : ''}"><div class="label">${esc(n.label)}</div><div class="value">${esc(n.value)}</div></div>`,
      );
    }
    out.push('</div>');
  }
  // The criteria that failed belong in the picture: they are the verdict's reason.
  const failedCriteria = criteriaOf(r).filter((c) => !c.passed);
  if (failedCriteria.length > 0) {
    out.push('<ul class="criteria-failed">');
    for (const c of failedCriteria) {
      out.push(
        `<li>${esc(`${c.criterion}: measured ${criterionValue(c.criterion, c.measured)}, limit ${criterionValue(c.criterion, c.limit)}`)}${c.fix ? `<span class="fix">${esc(` Fix: ${c.fix}`)}</span>` : ''}</li>`,
      );
    }
    out.push('</ul>');
  }
  const charts = r.legs
    .map((leg) => ({ leg, svg: legChart(leg, r.timeline) }))
    .filter((c) => c.svg !== null || c.leg.purpose === 'drill');
  for (const { leg, svg } of charts) {
    out.push(`<div class="leg-title">${esc(legTitle(leg))}</div>`);
    out.push(
      svg ??
        `<p class="none">${esc(leg.abortReason ? `No switch: ${leg.abortReason}` : 'This report keeps no per-100 ms write timings (made before they were recorded).')}</p>`,
    );
  }
  if (r.legs.length === 0 && !r.dryRun) {
    out.push('<p class="none">No failover was started: nothing to draw.</p>');
  }
  return out.join('\n');
}

function checksTable(r: DrillReport): string {
  const rows = r.checks.map(
    (c) =>
      `<tr${c.passed ? '' : ' class="failed"'}><td>${esc(c.phase)}</td><td class="mono">${esc(c.name)}</td><td${c.passed ? '' : ' class="failed"'}>${c.passed ? 'ok' : 'FAILED'}</td><td>${c.elapsedMs} ms</td><td>${esc(c.detail)}</td></tr>`,
  );
  return `<table><thead><tr><th>Phase</th><th>Check</th><th>Result</th><th>At</th><th>Detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function criteriaTable(r: DrillReport): string {
  const rows = criteriaOf(r).map(
    (c) =>
      `<tr${c.passed ? '' : ' class="failed"'}><td class="mono">${esc(c.criterion)}</td><td>${esc(criterionValue(c.criterion, c.limit))}</td><td>${esc(criterionValue(c.criterion, c.measured))}</td><td${c.passed ? '' : ' class="failed"'}>${c.passed ? 'ok' : 'FAILED'}</td><td>${esc(c.detail)}${c.fix ? esc(`. Fix: ${c.fix}`) : ''}</td></tr>`,
  );
  return `<table><thead><tr><th>Criterion</th><th>Limit</th><th>Measured</th><th>Result</th><th>Detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function timelineTable(r: DrillReport): string {
  const rows = r.timeline.map(
    (e) =>
      `<tr><td>+${e.atMs} ms</td><td class="mono">${esc(e.sentinel ?? 'drill')}</td><td class="mono">${esc(e.type)}</td><td class="mono">${esc(e.detail)}</td></tr>`,
  );
  return `<table><thead><tr><th>At</th><th>Source</th><th>Event</th><th>Detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The whole page. Pure: the same report gives the same bytes. */
export function renderDrillHtml(r: DrillReport): string {
  const body: string[] = [`<section id="picture">${pictureOf(r)}</section>`];
  body.push(
    `<p>${esc(`Master before: ${at(r.previousMaster)} · ${r.dryRun ? '' : `drill switched to ${at(r.newMaster)} · `}at the end: ${finalMasterText(r.finalState)}`)}</p>`,
  );
  if (r.error) body.push(`<p><strong>Error:</strong> ${esc(r.error)}</p>`);
  if (r.abortReason) body.push(`<p><strong>Abort reason:</strong> ${esc(r.abortReason)}</p>`);
  if (r.advice.length > 0) {
    body.push('<h2>Advice</h2><ul>', ...r.advice.map((a) => `<li>${esc(a)}</li>`), '</ul>');
  }
  if (r.plan.length > 0) {
    body.push('<h2>Plan</h2><ul>', ...r.plan.map((p) => `<li>${esc(p)}</li>`), '</ul>');
  }
  if (criteriaOf(r).length > 0) body.push('<h2>Pass criteria</h2>', criteriaTable(r));
  body.push('<h2>Checks</h2>', checksTable(r));
  if (r.timeline.length > 0) body.push('<h2>Timeline (ms since the drill started)</h2>', timelineTable(r));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`${VERDICT_LABEL[r.outcome]}: failover drill of ${r.deployment} (${r.id})`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
