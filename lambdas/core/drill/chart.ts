// The picture of one failover leg as inline SVG: writes per bucket for each writer (acknowledged and
// kept, acknowledged but later lost, failed), the sentinel events as markers, the split-brain window
// and the client's outage shaded, and bars for the time to +switch-master and to verification.
// Time runs from SENTINEL FAILOVER (t = 0). Pure: text in, text out, every string escaped.

import { formatAddress } from '../types';
import type { WriterBuckets, WriteSeries } from './series';
import type { FailoverLeg, TimelineEntry } from './types';

export const CHART_WIDTH = 1100;

/** Events that get a labelled marker (first of each kind in the leg); the rest are small ticks. */
const LABELLED = new Set([
  '+sdown',
  '+odown',
  '+try-failover',
  '+elected-leader',
  '+selected-slave',
  '+promoted-slave',
  '+switch-master',
  '+failover-end',
  '+failover-end-for-timeout',
  '+convert-to-slave',
  '+tilt',
  'drill:failover',
  'drill:verified',
]);

export const COLOURS = {
  kept: '#2e7d32',
  lost: '#c62828',
  failed: '#f9a825',
  splitBrain: '#ef9a9a',
  outage: '#ffe082',
  switch: '#1565c0',
  convert: '#6a1b9a',
  marker: '#757575',
  axis: '#424242',
  grid: '#e0e0e0',
} as const;

export const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);

const secondsText = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const round = (n: number): number => Math.round(n * 10) / 10;

const LEFT = 78;
const RIGHT = 24;
const PANEL_HEIGHT = 120;
const PANEL_GAP = 34;
const LABEL_ROW = 14;
const MAX_LABEL_ROWS = 6;
const CHAR_WIDTH = 6.6;

interface Scale {
  readonly x: (msFromFailover: number) => number;
  readonly from: number;
  readonly to: number;
}

interface Marker {
  readonly atMs: number;
  readonly type: string;
  readonly detail: string;
  readonly labelled: boolean;
}

/** The leg's markers: each labelled kind once (its first occurrence), every other event a tick. */
export function legMarkers(leg: FailoverLeg, timeline: readonly TimelineEntry[], scale: Scale): Marker[] {
  const seen = new Set<string>();
  const markers: Marker[] = [];
  for (const e of timeline) {
    const atMs = e.atMs - leg.startedAtMs;
    if (atMs < scale.from || atMs > scale.to) continue;
    if (e.source === 'drill' && !LABELLED.has(e.type)) continue;
    const labelled = LABELLED.has(e.type) && !seen.has(e.type);
    seen.add(e.type);
    markers.push({
      atMs,
      type: e.type,
      detail: `${e.sentinel ? `${e.sentinel} ` : ''}${e.type} ${e.detail}`,
      labelled,
    });
  }
  return markers;
}

const markerLabel = (type: string): string => (type === 'drill:failover' ? 'SENTINEL FAILOVER' : type);

const markerColour = (type: string): string =>
  type === '+switch-master'
    ? COLOURS.switch
    : type === '+convert-to-slave'
      ? COLOURS.convert
      : type.startsWith('-failover-abort')
        ? COLOURS.lost
        : COLOURS.marker;

/** Greedy rows so labels do not overlap; returns each labelled marker's row and the row count. */
function labelRows(markers: readonly Marker[], scale: Scale): { rows: Map<Marker, number>; count: number } {
  const ends: number[] = [];
  const rows = new Map<Marker, number>();
  for (const m of markers.filter((m) => m.labelled)) {
    const x = scale.x(m.atMs);
    const width = markerLabel(m.type).length * CHAR_WIDTH + 6;
    let row = ends.findIndex((end) => end < x);
    if (row < 0) row = ends.length < MAX_LABEL_ROWS ? ends.length : MAX_LABEL_ROWS - 1;
    ends[row] = x + width;
    rows.set(m, row);
  }
  return { rows, count: Math.max(1, ends.length) };
}

function niceStep(spanMs: number): number {
  const steps = [500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000];
  return steps.find((s) => spanMs / s <= 14) ?? 600_000;
}

interface PanelSpec {
  readonly title: string;
  readonly buckets: WriterBuckets;
  readonly top: number;
  readonly yMax: number;
  readonly shades: readonly { fromMs: number; toMs: number; colour: string; label: string }[];
}

function panel(spec: PanelSpec, series: WriteSeries, leg: FailoverLeg, scale: Scale, width: number): string {
  const { top, yMax, buckets } = spec;
  const bottom = top + PANEL_HEIGHT;
  const y = (n: number) => bottom - (n / yMax) * PANEL_HEIGHT;
  const out: string[] = [];
  out.push(`<text x="${LEFT}" y="${top - 6}" class="panel-title">${esc(spec.title)}</text>`);
  for (const s of spec.shades) {
    const x1 = Math.max(LEFT, scale.x(s.fromMs));
    const x2 = Math.min(width - RIGHT, scale.x(s.toMs));
    if (x2 <= x1) continue;
    out.push(
      `<rect x="${round(x1)}" y="${top}" width="${round(x2 - x1)}" height="${PANEL_HEIGHT}" fill="${s.colour}" opacity="0.45"><title>${esc(s.label)}</title></rect>`,
    );
    // Named in the panel only where the words fit; otherwise the legend and the tooltip name it.
    if (x1 + s.label.length * CHAR_WIDTH < width - RIGHT) {
      out.push(`<text x="${round(x1 + 4)}" y="${top + 13}" class="shade-label">${esc(s.label)}</text>`);
    }
  }
  for (const n of [0, yMax / 2, yMax]) {
    out.push(
      `<line x1="${LEFT}" x2="${width - RIGHT}" y1="${round(y(n))}" y2="${round(y(n))}" stroke="${COLOURS.grid}"/>`,
      `<text x="${LEFT - 6}" y="${round(y(n) + 4)}" class="tick" text-anchor="end">${Number.isInteger(n) ? n : n.toFixed(1)}</text>`,
    );
  }
  const offset = series.fromMs - leg.startedAtMs;
  const barWidth = Math.max(0.6, scale.x(series.bucketMs) - scale.x(0) - 0.6);
  buckets.acknowledged.forEach((acked, i) => {
    const lost = buckets.lost?.[i] ?? 0;
    const failed = buckets.failed[i] ?? 0;
    const x = round(scale.x(offset + i * series.bucketMs));
    let level = 0;
    for (const [n, colour, what] of [
      [acked - lost, COLOURS.kept, 'acknowledged'],
      [lost, COLOURS.lost, 'acknowledged, later lost'],
      [failed, COLOURS.failed, 'failed'],
    ] as const) {
      if (n <= 0) continue;
      const y1 = y(level + n);
      out.push(
        `<rect x="${x}" y="${round(y1)}" width="${round(barWidth)}" height="${round(y(level) - y1)}" fill="${colour}"><title>${esc(`${secondsText(offset + i * series.bucketMs)}: ${n} ${what}`)}</title></rect>`,
      );
      level += n;
    }
  });
  out.push(
    `<line x1="${LEFT}" x2="${width - RIGHT}" y1="${bottom}" y2="${bottom}" stroke="${COLOURS.axis}"/>`,
    `<line x1="${LEFT}" x2="${LEFT}" y1="${top}" y2="${bottom}" stroke="${COLOURS.axis}"/>`,
  );
  return out.join('\n');
}

const writerTotals = (b: WriterBuckets): string => {
  const sum = (a: readonly number[] | null) => (a === null ? '?' : String(a.reduce((x, y) => x + y, 0)));
  return `${sum(b.acknowledged)} acknowledged, ${sum(b.lost)} later lost, ${sum(b.failed)} failed`;
};

/** The SVG for one leg; null when the leg kept no write timings (older report, no switch). */
export function legChart(
  leg: FailoverLeg,
  timeline: readonly TimelineEntry[],
  width = CHART_WIDTH,
): string | null {
  const series = leg.writeSeries;
  if (!series) return null;
  const n = series.client.acknowledged.length;
  const seriesFrom = series.fromMs - leg.startedAtMs;
  const seriesTo = seriesFrom + n * series.bucketMs;
  const from = Math.min(0, seriesFrom);
  const to = Math.max(seriesTo, leg.timeToVerifiedMs ?? 0, leg.timeToSwitchMs ?? 0, from + 1000);
  const plotWidth = width - LEFT - RIGHT;
  const scale: Scale = { from, to, x: (ms) => LEFT + ((ms - from) / (to - from)) * plotWidth };

  const markers = legMarkers(leg, timeline, scale);
  const { rows, count } = labelRows(markers, scale);
  const labelTop = 8;
  const panel1 = labelTop + count * LABEL_ROW + 34;
  const panel2 = panel1 + PANEL_HEIGHT + PANEL_GAP;
  const axisY = panel2 + PANEL_HEIGHT;
  const barsTop = axisY + 40;
  const height = barsTop + 2 * 22 + 34;

  const perBucket = (b: WriterBuckets) => b.acknowledged.map((a, i) => a + (b.failed[i] ?? 0));
  const peak = Math.max(1, ...perBucket(series.client), ...perBucket(series.oldMaster));
  const yMax = peak <= 2 ? peak : Math.ceil(peak / 2) * 2;

  const switchMs = leg.timeToSwitchMs;
  const split = leg.oldMasterWrites;
  const splitShade =
    switchMs !== null && split && split.windowMs > 0
      ? [
          {
            fromMs: switchMs,
            toMs: switchMs + split.windowMs,
            colour: COLOURS.splitBrain,
            label: `split brain: old master acknowledged writes for ${secondsText(split.windowMs)} after +switch-master`,
          },
        ]
      : [];
  const outageShades = (leg.clientWrites?.windows ?? []).map((w) => ({
    fromMs: w.fromMs - leg.startedAtMs,
    toMs: w.toMs - leg.startedAtMs,
    colour: COLOURS.outage,
    label: `no write completed for ${w.toMs - w.fromMs} ms${w.failedWrites ? ` (${w.failedWrites} failed)` : ''}`,
  }));

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`Failover ${formatAddress(leg.from)} to ${leg.to ? formatAddress(leg.to) : 'none'}: writes per ${series.bucketMs} ms`)}">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    panel(
      {
        title: `Sentinel-aware client (the application's view): ${writerTotals(series.client)}`,
        buckets: series.client,
        top: panel1,
        yMax,
        shades: outageShades,
      },
      series,
      leg,
      scale,
      width,
    ),
    panel(
      {
        title: `Plain connection to the old master ${formatAddress(leg.from)}: ${writerTotals(series.oldMaster)}`,
        buckets: series.oldMaster,
        top: panel2,
        yMax,
        shades: splitShade,
      },
      series,
      leg,
      scale,
      width,
    ),
  );
  out.push(
    `<text x="16" y="${panel1 + PANEL_HEIGHT / 2}" class="tick" transform="rotate(-90 16 ${panel1 + PANEL_HEIGHT / 2})" text-anchor="middle">writes / ${series.bucketMs} ms</text>`,
    `<text x="16" y="${panel2 + PANEL_HEIGHT / 2}" class="tick" transform="rotate(-90 16 ${panel2 + PANEL_HEIGHT / 2})" text-anchor="middle">writes / ${series.bucketMs} ms</text>`,
  );

  const step = niceStep(to - from);
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    const x = round(scale.x(t));
    out.push(
      `<line x1="${x}" x2="${x}" y1="${axisY}" y2="${axisY + 5}" stroke="${COLOURS.axis}"/>`,
      `<text x="${x}" y="${axisY + 17}" class="tick" text-anchor="middle">${t / 1000}</text>`,
    );
  }
  out.push(
    `<text x="${LEFT + plotWidth / 2}" y="${axisY + 32}" class="tick" text-anchor="middle">seconds after SENTINEL FAILOVER</text>`,
  );

  for (const m of markers) {
    const x = round(scale.x(m.atMs));
    const colour = markerColour(m.type);
    if (!m.labelled) {
      out.push(
        `<line x1="${x}" x2="${x}" y1="${panel1 - 8}" y2="${panel1}" stroke="${colour}" opacity="0.6"><title>${esc(`${secondsText(m.atMs)} ${m.detail}`)}</title></line>`,
      );
      continue;
    }
    const row = rows.get(m) ?? 0;
    const labelY = labelTop + (row + 1) * LABEL_ROW;
    const rightAligned = x + markerLabel(m.type).length * CHAR_WIDTH > width - RIGHT;
    out.push(
      `<line x1="${x}" x2="${x}" y1="${labelY + 3}" y2="${axisY}" stroke="${colour}" stroke-dasharray="4 3" stroke-width="${m.type === '+switch-master' ? 2 : 1}"><title>${esc(`${secondsText(m.atMs)} ${m.detail}`)}</title></line>`,
      `<text x="${rightAligned ? x - 3 : x + 3}" y="${labelY}" class="marker" fill="${colour}"${rightAligned ? ' text-anchor="end"' : ''}>${esc(markerLabel(m.type))}</text>`,
    );
  }

  const bar = (index: number, label: string, ms: number | null, colour: string) => {
    const y = barsTop + index * 22;
    if (ms === null) {
      return `<text x="${LEFT}" y="${y + 12}" class="bar-label">${esc(label)}: not reached</text>`;
    }
    const x1 = scale.x(0);
    const x2 = scale.x(ms);
    const text = `${label}: ${secondsText(ms)}`;
    // Beside the bar when it fits, else inside its end, in white.
    const inside = x2 + 6 + text.length * CHAR_WIDTH > width - RIGHT;
    return [
      `<rect x="${round(x1)}" y="${y}" width="${round(Math.max(1, x2 - x1))}" height="14" fill="${colour}"/>`,
      inside
        ? `<text x="${round(x2 - 6)}" y="${y + 11}" class="bar-label" text-anchor="end" style="fill:#fff">${esc(text)}</text>`
        : `<text x="${round(x2 + 6)}" y="${y + 11}" class="bar-label">${esc(text)}</text>`,
    ].join('\n');
  };
  out.push(
    bar(0, 'SENTINEL FAILOVER to +switch-master', switchMs, COLOURS.switch),
    bar(1, 'SENTINEL FAILOVER to every check passed', leg.timeToVerifiedMs, COLOURS.kept),
  );
  out.push(legend(height - 12));
  out.push('</svg>');
  return out.join('\n');
}

function legend(y: number): string {
  const items: [string, string][] = [
    [COLOURS.kept, 'acknowledged, kept'],
    [COLOURS.lost, 'acknowledged, later lost'],
    [COLOURS.failed, 'failed'],
    [COLOURS.splitBrain, 'split brain (old master still acknowledging)'],
    [COLOURS.outage, 'client outage'],
  ];
  let x = LEFT;
  const out: string[] = [];
  for (const [colour, label] of items) {
    out.push(
      `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${x + 16}" y="${y}" class="tick">${esc(label)}</text>`,
    );
    x += 16 + label.length * CHAR_WIDTH + 18;
  }
  return out.join('\n');
}
