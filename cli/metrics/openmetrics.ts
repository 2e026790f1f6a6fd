// The OpenMetrics 1.0 text format, written by hand (one small function, no client library): metric
// families with `# TYPE`, `# HELP` and `# UNIT`, samples with escaped label values, `# EOF` at the end.
// Names are checked here so that a typo in a metric or label name is a test failure, not a scrape
// error in someone's Prometheus at night.

export type MetricType = 'gauge' | 'counter' | 'info';

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Counters: when counting started, epoch seconds (the `_created` sample). */
  readonly created?: number;
}

export interface MetricFamily {
  /** Without the type's suffix (`_total` for a counter, `_info` for info). */
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** OpenMetrics requires the family name to end with `_<unit>`. */
  readonly unit?: 'bytes' | 'seconds';
  readonly samples: readonly Sample[];
}

export const CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIX: Readonly<Record<MetricType, string>> = { gauge: '', counter: '_total', info: '_info' };
/** Sample names a family name must not end with: OpenMetrics reserves them for other types. */
const RESERVED_ENDINGS = ['_total', '_created', '_count', '_sum', '_bucket', '_gcount', '_gsum', '_info'];

/** A programming error: the exposition would be invalid. */
export class ExpositionError extends Error {}

export function renderOpenMetrics(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const f of families) {
    checkFamily(f);
    if (seen.has(f.name)) throw new ExpositionError(`metric family ${f.name} is given twice`);
    seen.add(f.name);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    if (f.unit) lines.push(`# UNIT ${f.name} ${f.unit}`);
    // HELP is an escaped-string like a label value (OpenMetrics ABNF): the same three escapes.
    lines.push(`# HELP ${f.name} ${escapeLabelValue(f.help)}`);
    const labelSets = new Set<string>();
    for (const s of f.samples) {
      const labels = renderLabels(s.labels, f.name);
      if (labelSets.has(labels)) throw new ExpositionError(`${f.name}: label set ${labels} twice`);
      labelSets.add(labels);
      lines.push(`${f.name}${SUFFIX[f.type]}${labels} ${renderValue(s.value, f)}`);
      if (f.type === 'counter' && s.created !== undefined) {
        lines.push(`${f.name}_created${labels} ${renderValue(s.created, f)}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function checkFamily(f: MetricFamily): void {
  if (!METRIC_NAME.test(f.name)) throw new ExpositionError(`"${f.name}" is not a metric name`);
  if (RESERVED_ENDINGS.some((e) => f.name.endsWith(e))) {
    throw new ExpositionError(`${f.name}: a family name must not end with a reserved suffix`);
  }
  if (f.unit && !f.name.endsWith(`_${f.unit}`)) {
    throw new ExpositionError(`${f.name}: a family with unit ${f.unit} must end with _${f.unit}`);
  }
}

function renderLabels(labels: Readonly<Record<string, string>>, family: string): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  for (const [name] of entries) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new ExpositionError(`${family}: "${name}" is not a label name`);
    }
  }
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function renderValue(value: number, f: MetricFamily): string {
  if (f.type === 'counter' && !(value >= 0 && Number.isFinite(value))) {
    throw new ExpositionError(`${f.name}: a counter must be finite and >= 0`);
  }
  if (f.type === 'info' && value !== 1) throw new ExpositionError(`${f.name}: an info sample must be 1`);
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** Backslash, double quote and line feed are escaped; everything else is UTF-8 as is. */
export const escapeLabelValue = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
