// `tags`: key/value pairs put on every resource of the stack(s) that can carry tags (cost allocation,
// ownership). Checked against the rules AWS applies to tags, so a bad one fails synth with its key
// named rather than half-way through a deploy.

import { describe } from '../../lambdas/core/address';
import { ConfigError } from '../../lambdas/core/errors';
import { objectAt } from '../../lambdas/core/fields';

/** AWS allows 50 tags per resource; a few are left for tags added outside this config. */
export const MAX_TAGS = 45;
/** Letters, digits, white space and `_ . : / = + - @` (the characters every AWS service accepts). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function parseTags(value: unknown, field = 'tags'): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  const raw = objectAt(value, field);
  const entries = Object.entries(raw);
  if (entries.length > MAX_TAGS) {
    throw new ConfigError(
      field,
      `has ${entries.length} tags, at most ${MAX_TAGS} (AWS allows 50 per resource)`,
    );
  }
  const seen = new Map<string, string>();
  for (const [key, v] of entries) {
    const at = `${field}.${key}`;
    if (key.length < 1 || key.length > 128) throw new ConfigError(at, 'a tag key has 1-128 characters');
    if (key.toLowerCase().startsWith('aws:'))
      throw new ConfigError(at, 'tag keys starting with "aws:" are reserved by AWS');
    if (!TAG_TEXT.test(key)) {
      throw new ConfigError(at, 'a tag key may hold letters, digits, spaces and _ . : / = + - @ only');
    }
    // Tag keys are case-sensitive in most services but not all (e.g. EC2 console filters): refuse twins.
    const twin = seen.get(key.toLowerCase());
    if (twin !== undefined) throw new ConfigError(at, `differs from "${twin}" only in case`);
    seen.set(key.toLowerCase(), key);
    if (typeof v !== 'string') throw new ConfigError(at, `must be a string, got ${describe(v)}`);
    if (v.length > 256) throw new ConfigError(at, 'a tag value has at most 256 characters');
    if (!TAG_TEXT.test(v)) {
      throw new ConfigError(at, 'a tag value may hold letters, digits, spaces and _ . : / = + - @ only');
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
