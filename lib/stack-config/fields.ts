// Small field readers for the stack config, in the style of lambdas/core/fields.ts: each checks one
// value and throws a ConfigError naming the field.

import { describe } from '../../lambdas/core/address';
import { ConfigError } from '../../lambdas/core/errors';

export function list<T>(
  value: unknown,
  field: string,
  item: (value: unknown, field: string) => T,
  nonEmpty: boolean,
  unique = false,
): T[] {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
    throw new ConfigError(field, `must be a${nonEmpty ? ' non-empty' : 'n'} array, got ${describe(value)}`);
  }
  const items = value.map((v, i) => item(v, `${field}[${i}]`));
  if (unique) {
    items.forEach((v, i) => {
      if (items.indexOf(v) !== i) throw new ConfigError(`${field}[${i}]`, `${String(v)} is listed twice`);
    });
  }
  return items;
}

export function pattern(value: unknown, field: string, re: RegExp, what: string): string | null {
  if (value === undefined || value === null) return null;
  return requiredPattern(value, field, re, what);
}

export function requiredPattern(value: unknown, field: string, re: RegExp, what: string): string {
  if (value === undefined) throw new ConfigError(field, 'is required');
  if (typeof value !== 'string') throw new ConfigError(field, `must be ${what}, got ${describe(value)}`);
  const text = value.trim();
  if (!re.test(text)) throw new ConfigError(field, `"${text}" is not ${what}`);
  return text;
}

export function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      field,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}
