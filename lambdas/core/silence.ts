// A silence: planned quiet for one deployment, or for one code or one subject of it, from a start to an
// end, with the reason and who set it. Plain JSON (ISO times), the same in the DynamoDB table and in the
// CLI's local file. Every field is validated here, once, for both: a silence read back from storage
// that does not validate is ignored (and counted), never trusted half-way, because a silence too broad
// hides pages and one too narrow pages people who planned the work.
//
// What a silence does to notifications is silence-policy.ts; who may write one is the table's IAM
// policy (docs/aws.md), never anything in Redis.

import { describe } from './address';
import { FINDING_CODES } from './detect/codes';
import { ConfigError } from './errors';

export interface Silence {
  /** `s-` and 10 lowercase hex digits (the CLI draws them); stable across list / remove. */
  readonly id: string;
  readonly deployment: string;
  /** Only this finding code; null: every code of the deployment. */
  readonly code: string | null;
  /** Only this subject (`deployment`, `node 10.0.1.61:6379`, `sentinel ...`); null: every subject. */
  readonly subject: string | null;
  /** ISO-8601; the silence holds from `startsAt` (inclusive) to `endsAt` (exclusive). */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly reason: string;
  /** Who set it (the CLI's `--by`, default user@host). */
  readonly createdBy: string;
  readonly createdAt: string;
  /** Set by `silence remove`: the silence ended early, at `endsAt`. */
  readonly endedBy?: string | null;
}

/** The longest silence: a forgotten silence is the worst one, so it cannot outlast a week. */
export const MAX_SILENCE_MS = 7 * 86_400_000;
export const MIN_SILENCE_MS = 60_000;
/** A silence may be scheduled ahead, at most this far. */
export const MAX_SILENCE_LEAD_MS = 30 * 86_400_000;
export const MAX_REASON_LENGTH = 500;
const MAX_BY_LENGTH = 128;

export const SILENCE_ID = /^s-[0-9a-f]{10}$/;
/** The deployment name rule of config.ts. */
const DEPLOYMENT = /^[A-Za-z0-9._-]{1,64}$/;
/** `deployment`, or `node`/`sentinel` and one address (no spaces inside). */
const SUBJECT = /^(deployment|(node|sentinel) [^\s]{3,300})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;

export interface SilenceRequest {
  readonly id: string;
  readonly deployment: string;
  readonly code?: string | null;
  readonly subject?: string | null;
  /** Epoch ms. */
  readonly startsAt: number;
  readonly durationMs: number;
  readonly reason: string;
  readonly createdBy: string;
  /** Epoch ms: the clock of whoever creates it. */
  readonly now: number;
}

/**
 * A new silence from what a person asked for. Throws ConfigError naming the field (the CLI maps fields
 * to flags): unknown code, malformed subject, a duration out of range, an empty reason.
 */
export function newSilence(request: SilenceRequest): Silence {
  const { now } = request;
  if (!Number.isFinite(request.durationMs) || request.durationMs < MIN_SILENCE_MS) {
    throw new ConfigError('for', `must be at least ${MIN_SILENCE_MS / 60_000} minute`);
  }
  if (request.durationMs > MAX_SILENCE_MS) {
    throw new ConfigError('for', 'must be at most 7 days: a longer silence is usually a forgotten one');
  }
  if (request.startsAt > now + MAX_SILENCE_LEAD_MS) {
    throw new ConfigError('start', 'must be within 30 days from now');
  }
  if (request.startsAt + request.durationMs <= now) {
    throw new ConfigError('start', 'the silence would already be over');
  }
  return parseSilence(
    {
      id: request.id,
      deployment: request.deployment,
      code: request.code ?? null,
      subject: request.subject ?? null,
      startsAt: new Date(request.startsAt).toISOString(),
      endsAt: new Date(request.startsAt + request.durationMs).toISOString(),
      reason: request.reason,
      createdBy: request.createdBy,
      createdAt: new Date(now).toISOString(),
    },
    '',
  );
}

/** Validates a stored or typed-in silence; throws ConfigError naming the field under `path`. */
export function parseSilence(raw: unknown, path: string): Silence {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(path || 'silence', `must be an object, got ${describe(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  const text = (key: string, max: number, required = true): string | null => {
    const value = r[key];
    if (value === undefined || value === null || value === '') {
      if (required) throw new ConfigError(at(key), 'is required');
      return null;
    }
    if (typeof value !== 'string') throw new ConfigError(at(key), `must be a string, got ${describe(value)}`);
    const trimmed = value.trim();
    if (trimmed === '' && required) throw new ConfigError(at(key), 'is required');
    if (trimmed.length > max) throw new ConfigError(at(key), `is longer than ${max} characters`);
    if (CONTROL.test(trimmed)) throw new ConfigError(at(key), 'must be one line of printable text');
    return trimmed;
  };
  const time = (key: string): string => {
    const value = text(key, 40) as string;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new ConfigError(at(key), `"${value}" is not an ISO-8601 time`);
    return new Date(ms).toISOString();
  };

  const id = text('id', 40) as string;
  if (!SILENCE_ID.test(id)) throw new ConfigError(at('id'), `"${id}" is not a silence id (s-0123456789)`);
  const deployment = text('deployment', 64) as string;
  if (!DEPLOYMENT.test(deployment)) {
    throw new ConfigError(at('deployment'), `"${deployment}" must be 1-64 letters, digits, ".", "_" or "-"`);
  }
  const codeText = text('code', 64, false);
  const code = codeText === null ? null : codeText.toUpperCase();
  if (code !== null && !(FINDING_CODES as readonly string[]).includes(code)) {
    throw new ConfigError(at('code'), `"${codeText}" is not an alert code (see docs/alert-catalogue.md)`);
  }
  const subject = text('subject', 310, false);
  if (subject !== null && !SUBJECT.test(subject)) {
    throw new ConfigError(
      at('subject'),
      `"${subject}" is not a subject: "deployment", "node HOST:PORT" or "sentinel HOST:PORT"`,
    );
  }
  const startsAt = time('startsAt');
  const endsAt = time('endsAt');
  const endedBy = text('endedBy', MAX_BY_LENGTH, false);
  // A scheduled silence removed before it started ends before its start: valid, and never active.
  if (Date.parse(endsAt) <= Date.parse(startsAt) && endedBy === null) {
    throw new ConfigError(at('endsAt'), 'must be after startsAt');
  }
  const reason = text('reason', MAX_REASON_LENGTH) as string;
  const createdBy = text('createdBy', MAX_BY_LENGTH) as string;
  const createdAt = time('createdAt');
  return {
    id,
    deployment,
    code,
    subject,
    startsAt,
    endsAt,
    reason,
    createdBy,
    createdAt,
    ...(endedBy ? { endedBy } : {}),
  };
}

/** Reads a list of stored silences: the valid ones, and how many were not (never a throw). */
export function readSilences(items: readonly unknown[]): { silences: Silence[]; invalid: number } {
  const silences: Silence[] = [];
  let invalid = 0;
  for (const item of items) {
    try {
      silences.push(parseSilence(item, ''));
    } catch {
      invalid++;
    }
  }
  return { silences, invalid };
}

export type SilenceStatus = 'scheduled' | 'active' | 'ended';

export function silenceStatus(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceStatus {
  if (now >= Date.parse(s.endsAt)) return 'ended';
  return now < Date.parse(s.startsAt) ? 'scheduled' : 'active';
}

/** What a silence is matched against: a notification or a finding of one deployment. */
export interface Silenceable {
  readonly deployment: string;
  readonly code: string;
  readonly subject: string;
}

/** The first silence in force at `now` that covers this alert, or null. */
export function coveringSilence(
  silences: readonly Silence[],
  alert: Silenceable,
  now: number,
): Silence | null {
  return (
    silences.find(
      (s) =>
        s.deployment === alert.deployment &&
        (s.code === null || s.code === alert.code) &&
        (s.subject === null || s.subject === alert.subject) &&
        silenceStatus(s, now) === 'active',
    ) ?? null
  );
}

/** What a silence covers, in words: `every alert of orders-cache`, `REPLICA_LAGGING on node 10.0.1.62:6379`. */
export function describeScope(s: Pick<Silence, 'deployment' | 'code' | 'subject'>): string {
  if (s.code === null && s.subject === null) return `every alert of ${s.deployment}`;
  const what = s.code ?? 'every alert';
  return s.subject === null ? `${what} of ${s.deployment}` : `${what} on ${s.subject} of ${s.deployment}`;
}
