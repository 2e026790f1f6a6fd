// Field readers for hand-written JSON config: each checks one value and throws a ConfigError that names
// the field. Shared by the deployment schema (config.ts) and the CDK stack's schema (lib/stack-config/).

import { describe } from './address';
import { ConfigError } from './errors';

export function parseJson(text: string, source: string): unknown {
  try {
    // Editors on Windows start UTF-8 files with a byte order mark, which JSON.parse rejects.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigError(source, `is not valid JSON (${(error as Error).message})`);
  }
}

export function objectAt(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(field, `must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A typo must not fall back to a default silently: unknown keys are errors, with a "did you mean". */
export function rejectUnknownKeys(
  obj: Record<string, unknown>,
  known: readonly string[],
  path: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      const hint =
        known.find((k) => k.toLowerCase() === key.toLowerCase()) ??
        known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
      const field = path ? `${path}.${key}` : key;
      throw new ConfigError(field, `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
}

/** Levenshtein distance, for "did you mean" on typos. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ConfigError(field, `must be a string, got ${describe(value)}`);
  const text = value.trim();
  return text === '' ? null : text;
}

export function requiredString(value: unknown, field: string): string {
  if (value === undefined) throw new ConfigError(field, 'is required');
  const text = optionalString(value, field);
  if (text === null) throw new ConfigError(field, 'must not be empty');
  return text;
}

export function boolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new ConfigError(field, `must be true or false, got ${describe(value)}`);
  return value;
}

export function number(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(field, `must be a number, got ${describe(value)}`);
  }
  if (value < min || value > max)
    throw new ConfigError(field, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function integer(value: unknown, field: string, fallback: number, min: number, max: number): number {
  const n = number(value, field, fallback, min, max);
  if (!Number.isInteger(n)) throw new ConfigError(field, `must be a whole number, got ${n}`);
  return n;
}
