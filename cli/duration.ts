// The one parser for times given on the command line: `500ms`, `10s`, `2m`, `1h`, `2d`, or a plain
// number in the flag's own unit (so `--interval 10` and `--timeout-ms 500` keep meaning what they
// always meant). Errors are UsageErrors that name the flag.

import { UsageError } from '../lambdas/core/errors';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)?$/;

export interface DurationFlag {
  /** As the user typed it, e.g. `--interval`. */
  readonly flag: string;
  /** What a plain number means; null when a unit is required (`--since 90` is ambiguous). */
  readonly plainUnit: 'ms' | 's' | null;
  readonly minMs: number;
  /** Infinity for no upper bound. */
  readonly maxMs: number;
  /** Reject values that are not a whole number of milliseconds (e.g. `1.5ms`). Default true. */
  readonly wholeMs?: boolean;
}

/** Whether the text has the shape of a duration with a unit (`90s`, `1h`), whatever its range. */
export function isDurationWithUnit(text: string): boolean {
  return DURATION.exec(text.trim())?.[2] !== undefined;
}

/** A duration in milliseconds. */
export function parseDuration(text: string, spec: DurationFlag): number {
  const trimmed = text.trim();
  const match = DURATION.exec(trimmed);
  const unit = (match?.[2] ?? spec.plainUnit) as Unit | null;
  if (!match || unit === null) throw new UsageError(`${spec.flag}: "${text}" is not ${expected(spec)}`);
  const ms = Number(match[1]) * UNIT_MS[unit];
  if ((spec.wholeMs ?? true) && !Number.isInteger(ms)) {
    throw new UsageError(`${spec.flag}: "${text}" is not a whole number of milliseconds`);
  }
  if (ms < spec.minMs || ms > spec.maxMs) {
    const range = Number.isFinite(spec.maxMs)
      ? `from ${formatDuration(spec.minMs)} to ${formatDuration(spec.maxMs)}`
      : `at least ${formatDuration(spec.minMs)}`;
    throw new UsageError(`${spec.flag}: "${text}" is out of range: ${range}`);
  }
  return ms;
}

function expected(spec: DurationFlag): string {
  const units = 'a duration such as 500ms, 10s, 2m, 1h or 2d';
  if (spec.plainUnit === null) return `${units} (the unit is required)`;
  return `${units}, or a number of ${spec.plainUnit === 'ms' ? 'milliseconds' : 'seconds'}`;
}

/** `1500` → `1.5s`, `3600000` → `1h`: the largest unit that divides evenly-ish, for messages. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const value = ms / UNIT_MS[unit];
    if (value >= 1 && Number.isInteger(value * 10)) return `${value}${unit}`;
  }
  return `${ms}ms`;
}
