// A strict parser of the OpenMetrics 1.0 text format, written against the spec's ABNF and rules (not
// against our writer), so that tests can reject anything a Prometheus scrape would reject or misread:
//   - lines end with LF, no CR; the exposition ends with `# EOF` (and a final LF);
//   - descriptors are `# TYPE`, `# UNIT`, `# HELP` only, at most one of each per family, TYPE first,
//     before the family's samples; no other `#` lines; no blank lines;
//   - metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*` (not `__`-prefixed),
//     unique within a label set; label values and HELP are escaped-strings (only \\, \", \n escapes,
//     no raw LF or `"`);
//   - sample names carry exactly the suffixes their type allows (counter: _total/_created; info: _info;
//     gauge: none); a UNIT must be the family name's suffix; families unique and not interleaved;
//     one sample per name and label set; numbers per the ABNF (ints, floats, exponents, NaN, ±Inf);
//   - counters are >= 0 and not NaN; info samples are 1;
//   - stricter than the spec where an exposition of ours never needs the latitude: every sample
//     belongs to a family with a TYPE line, and a backslash escapes only \\, \" and n.

export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly unit: string | null;
  readonly help: string | null;
  readonly samples: ParsedSample[];
}

export class OpenMetricsSyntaxError extends Error {
  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const NUMBER = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity)|nan)$/i;
const TYPES = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown'];
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
  summary: ['_count', '_sum', '_created', ''],
  histogram: ['_count', '_sum', '_bucket', '_created'],
  gaugehistogram: ['_gcount', '_gsum', '_bucket'],
};

export function parseOpenMetrics(text: string): ParsedFamily[] {
  if (text.includes('\r')) throw new OpenMetricsSyntaxError(0, 'carriage return');
  if (!text.endsWith('# EOF\n') && !text.endsWith('# EOF'))
    throw new OpenMetricsSyntaxError(0, 'no # EOF at the end');
  const lines = text.replace(/\n$/, '').split('\n');
  const eof = lines.pop();
  if (eof !== '# EOF') throw new OpenMetricsSyntaxError(lines.length + 1, 'the last line must be # EOF');
  const families: ParsedFamily[] = [];
  const closed = new Set<string>();
  type OpenFamily = ParsedFamily & { seen: Set<string>; descriptors: Set<string> };
  let current: OpenFamily | null = null;

  const open = (name: string, n: number): OpenFamily => {
    if (current?.name === name) return current;
    if (current) closed.add(current.name);
    if (closed.has(name)) throw new OpenMetricsSyntaxError(n, `family ${name} is interleaved or repeated`);
    current = {
      name,
      type: 'unknown',
      unit: null,
      help: null,
      samples: [],
      seen: new Set(),
      descriptors: new Set(),
    };
    families.push(current);
    return current;
  };

  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === '') throw new OpenMetricsSyntaxError(n, 'blank line');
    if (line.startsWith('#')) {
      const m = /^# (TYPE|UNIT|HELP) ([^ ]+)(?: (.*))?$/.exec(line);
      if (!m) throw new OpenMetricsSyntaxError(n, `not a descriptor: ${line}`);
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)?.[0] !== name) {
        throw new OpenMetricsSyntaxError(n, `bad metric name ${name}`);
      }
      const f = open(name, n);
      if (f.samples.length > 0) throw new OpenMetricsSyntaxError(n, `${kind} of ${name} after its samples`);
      if (f.descriptors.has(kind)) throw new OpenMetricsSyntaxError(n, `second ${kind} for ${name}`);
      if (kind !== 'TYPE' && !f.descriptors.has('TYPE')) {
        throw new OpenMetricsSyntaxError(n, `${kind} of ${name} before its TYPE`);
      }
      f.descriptors.add(kind);
      if (kind === 'TYPE') {
        if (!TYPES.includes(rest)) throw new OpenMetricsSyntaxError(n, `unknown type ${rest}`);
        Object.assign(f, { type: rest });
      } else if (kind === 'UNIT') {
        if (rest !== '' && !name.endsWith(`_${rest}`)) {
          throw new OpenMetricsSyntaxError(n, `unit ${rest} is not the suffix of ${name}`);
        }
        if (rest !== '' && (f.type === 'info' || f.type === 'stateset')) {
          throw new OpenMetricsSyntaxError(n, `${f.type} must have no unit`);
        }
        Object.assign(f, { unit: rest });
      } else {
        Object.assign(f, { help: unescapeString(rest, n) });
      }
      return;
    }
    const sample = parseSample(line, n);
    // The spec lets a sample with no TYPE start an "unknown" family; an exposition of ours never has
    // one, so here it is an error (and so is a sample of an earlier, closed family: interleaving).
    const f = familyOf(sample.name, current);
    if (!f)
      throw new OpenMetricsSyntaxError(n, `${sample.name} is not a sample of the family declared before it`);
    const suffix = sample.name.slice(f.name.length);
    if (!SUFFIXES[f.type].includes(suffix)) {
      throw new OpenMetricsSyntaxError(n, `${sample.name}: a ${f.type} sample cannot end with "${suffix}"`);
    }
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (f.seen.has(key)) throw new OpenMetricsSyntaxError(n, `${sample.name}: the same label set twice`);
    f.seen.add(key);
    if (f.type === 'counter' && (Number.isNaN(sample.value) || sample.value < 0)) {
      throw new OpenMetricsSyntaxError(n, `${sample.name}: a counter value must be >= 0`);
    }
    if (f.type === 'info' && sample.value !== 1)
      throw new OpenMetricsSyntaxError(n, `${sample.name}: info must be 1`);
    f.samples.push(sample);
  });
  return families.map(({ name, type, unit, help, samples }) => ({ name, type, unit, help, samples }));
}

/** The current family when the sample belongs to it (name plus an allowed suffix), else null. */
function familyOf<F extends ParsedFamily>(sampleName: string, current: F | null): F | null {
  if (!current || !sampleName.startsWith(current.name)) return null;
  return SUFFIXES[current.type].includes(sampleName.slice(current.name.length)) ? current : null;
}

function parseSample(line: string, n: number): ParsedSample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) throw new OpenMetricsSyntaxError(n, `not a sample: ${line}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = LABEL_NAME.exec(rest)?.[0];
      if (!label || label.startsWith('__')) throw new OpenMetricsSyntaxError(n, `bad label name in ${line}`);
      if (label in labels) throw new OpenMetricsSyntaxError(n, `label ${label} twice`);
      rest = rest.slice(label.length);
      if (!rest.startsWith('="')) throw new OpenMetricsSyntaxError(n, `expected ="..." after ${label}`);
      rest = rest.slice(2);
      let raw = '';
      for (;;) {
        const c = rest[0];
        if (c === undefined) throw new OpenMetricsSyntaxError(n, 'unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          raw += rest.slice(0, 2);
          rest = rest.slice(2);
          continue;
        }
        raw += c;
        rest = rest.slice(1);
      }
      labels[label] = unescapeString(raw, n);
      rest = rest.slice(1);
      if (rest.startsWith(',')) {
        rest = rest.slice(1);
        if (rest.startsWith('}')) throw new OpenMetricsSyntaxError(n, 'trailing comma in labels');
      } else if (!rest.startsWith('}')) {
        throw new OpenMetricsSyntaxError(n, `expected , or } in ${line}`);
      }
    }
    rest = rest.slice(1);
  }
  const m = /^ ([^ ]+)( [^ ]+)?$/.exec(rest);
  if (!m || !NUMBER.test(m[1]) || (m[2] !== undefined && !NUMBER.test(m[2].trim()))) {
    throw new OpenMetricsSyntaxError(n, `bad value or timestamp in ${line}`);
  }
  return { name, labels, value: toNumber(m[1]) };
}

function toNumber(text: string): number {
  const t = text.toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (/^[+]?inf(inity)?$/.test(t)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/.test(t)) return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * An escaped-string: `\\`, `\"`, `\n`; a raw `"` is an error. The ABNF also lets a backslash precede
 * any other character, which the spec says SHOULD NOT be used: stricter here, it is rejected.
 */
function unescapeString(raw: string, n: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') throw new OpenMetricsSyntaxError(n, 'unescaped double quote');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i];
    if (next === 'n') out += '\n';
    else if (next === '"' || next === '\\') out += next;
    else throw new OpenMetricsSyntaxError(n, `undefined escape \\${next ?? ''}`);
  }
  return out;
}
