// The drill lock's value, signed. A drill holds `sentinel-watch:drill-lock:<deployment>` on the master
// while it runs, and watchers report the switch it causes as planned (`info`). Anyone who can write
// to the data nodes can write that key too, so its mere presence must never silence a page: the value
// carries the drill's claims (which deployment, which drill, which master it fails over from, when it
// asked for the failover, until when it can run, when its heartbeat last wrote it), signed with
// HMAC-SHA256 under a key only the watchers and the drills share (the "drill key"). A watcher trusts a
// lock only if the signature matches its own key, the claims name this deployment, and the heartbeat
// is fresh; whether the switch is the drill's own is then decided by `drillOwnsSwitch`.
//
// Value: `<drill id>.<base64url(JSON claims)>.<base64url(HMAC)>` (an empty signature when the drill
// had no key). The id comes first so the drill's Lua scripts can recognise their own lock by prefix.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from './errors';
import type { SecretSource } from './ports';
import { type Address, formatAddress } from './types';

/** The drill's claims, all times epoch ms. */
export interface DrillLockClaims {
  readonly deployment: string;
  readonly id: string;
  /** The master the drill fails over from now (the preflight master, then each failback leg's). */
  readonly from: Address;
  readonly startedAt: number;
  /** The drill cannot be running after this (its longest possible duration). */
  readonly windowEndsAt: number;
  /** When the drill sent SENTINEL FAILOVER for `from`; null before it has. */
  readonly failoverAt: number | null;
  /** When the heartbeat wrote this value. */
  readonly beatAt: number;
  /** The key's expiry as the drill sets it: a value older than this means the heartbeat stopped. */
  readonly ttlMs: number;
}

/** The heartbeat: the drill rewrites the lock this often, with this expiry. */
export const DRILL_HEARTBEAT = { everyMs: 5_000, ttlMs: 15_000 } as const;
/** A lock claiming a longer expiry than this is not a drill's heartbeat. */
export const MAX_DRILL_LOCK_TTL_MS = 60_000;
/** Clocks of the drill's host and the watcher's may differ by this much. */
export const DRILL_CLOCK_SKEW_MS = 5_000;
/** A drill key shorter than this is refused: it could be guessed. */
export const MIN_DRILL_KEY_LENGTH = 32;
/**
 * The longest lock value kept from a server: a signed lock is ~400 characters with a long host name
 * (base64 claims + signature), far above the probe's usual 256-character cut, which would break the
 * signature. Longer values are cut and fail verification like any forged one.
 */
export const MAX_DRILL_LOCK_LENGTH = 2048;

/** The environment variable that holds the drill key for the CLI (`watch`, `check`, `drill`). */
export const DRILL_KEY_ENV = 'SENTINEL_WATCH_DRILL_KEY';

/**
 * A configured drill key, checked; null when none is configured (`field` names where it came from).
 * A short key is refused rather than used: it could be guessed offline from any signed lock.
 */
export function drillKeyFrom(value: string | undefined | null, field: string): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  if (value.length < MIN_DRILL_KEY_LENGTH) {
    throw new ConfigError(
      field,
      `the drill key must be at least ${MIN_DRILL_KEY_LENGTH} characters (e.g. openssl rand -base64 48)`,
    );
  }
  return value;
}

/** The environment variable that names the drill key's Secrets Manager secret (the Lambdas). */
export const DRILL_KEY_SECRET_ENV = 'DRILL_KEY_SECRET_ARN';

/**
 * The drill key as a Lambda (or a local run of its code) gets it: the secret named by
 * `DRILL_KEY_SECRET_ARN`, else `SENTINEL_WATCH_DRILL_KEY`, else none.
 */
export async function drillKeyFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  secrets: SecretSource,
): Promise<string | null> {
  const arn = env[DRILL_KEY_SECRET_ENV]?.trim();
  if (arn) return drillKeyFrom(await secrets.getSecret(arn), `${DRILL_KEY_SECRET_ENV} (${arn})`);
  return drillKeyFrom(env[DRILL_KEY_ENV], DRILL_KEY_ENV);
}

const DOMAIN = 'sentinel-watch drill-lock v1';
const ID = /^[A-Za-z0-9_:-]{1,100}$/;

const b64 = (data: string | Buffer): string => Buffer.from(data).toString('base64url');
const sign = (key: string, payload: string): string =>
  createHmac('sha256', key).update(`${DOMAIN}.${payload}`).digest('base64url');

/** The lock value for `claims`; unsigned (an empty signature) when `key` is null. */
export function encodeDrillLock(claims: DrillLockClaims, key: string | null): string {
  if (!ID.test(claims.id)) throw new TypeError(`drill id "${claims.id}" must match ${ID}`);
  const payload = b64(
    JSON.stringify({
      v: 1,
      deployment: claims.deployment,
      id: claims.id,
      from: formatAddress(claims.from),
      startedAt: claims.startedAt,
      windowEndsAt: claims.windowEndsAt,
      failoverAt: claims.failoverAt,
      beatAt: claims.beatAt,
      ttlMs: claims.ttlMs,
    }),
  );
  return `${claims.id}.${payload}.${key === null ? '' : sign(key, payload)}`;
}

/** The drill id a lock value names (its first part); the whole value when it has another shape. */
export const drillLockOwner = (value: string): string => value.split('.', 1)[0];

/** The lock as the data nodes report it: the key's value and PTTL (-1: no expiry). */
export interface RawDrillLock {
  readonly value: string;
  readonly ttlMs: number;
}

export type DrillLockVerdict =
  | { readonly trusted: true; readonly claims: DrillLockClaims }
  | {
      readonly trusted: false;
      /** The drill id the value names, for messages (attacker-controlled: shown, never trusted). */
      readonly id: string;
      readonly reason: string;
      readonly claims: DrillLockClaims | null;
    };

export interface VerifyOptions {
  readonly deployment: string;
  /** The watcher's drill key; null when none is configured (then no lock is trusted). */
  readonly key: string | null;
  readonly now: number;
}

/** Whether a watcher may trust a drill lock it read. Pure: the key is given. */
export function verifyDrillLock(raw: RawDrillLock, options: VerifyOptions): DrillLockVerdict {
  const id = drillLockOwner(raw.value).slice(0, 100);
  const untrusted = (reason: string, claims: DrillLockClaims | null = null): DrillLockVerdict => ({
    trusted: false,
    id,
    reason,
    claims,
  });
  const parts = raw.value.split('.');
  const claims = parts.length === 3 ? decodeClaims(parts[1]) : null;
  if (!claims || claims.id !== parts[0]) {
    return untrusted('its value is not a signed sentinel-watch drill lock');
  }
  if (options.key === null) {
    return untrusted('this watcher has no drill key configured, so it trusts no drill lock', claims);
  }
  if (parts[2] === '') return untrusted('the lock is not signed (the drill ran without a drill key)', claims);
  if (!sameText(parts[2], sign(options.key, parts[1]))) {
    return untrusted("its signature does not match this watcher's drill key", claims);
  }
  if (claims.deployment !== options.deployment) {
    return untrusted(`it was signed for deployment "${claims.deployment}"`, claims);
  }
  if (raw.ttlMs < 0) return untrusted('the key has no expiry, and a drill always sets one', claims);
  const ttl = Math.min(claims.ttlMs, MAX_DRILL_LOCK_TTL_MS);
  if (raw.ttlMs > ttl + DRILL_CLOCK_SKEW_MS) {
    return untrusted(
      `the key expires in ${raw.ttlMs} ms, later than a drill heartbeat sets (${ttl} ms)`,
      claims,
    );
  }
  const now = options.now;
  if (claims.beatAt > now + DRILL_CLOCK_SKEW_MS) {
    return untrusted(`its heartbeat is ${claims.beatAt - now} ms in the future (clock skew?)`, claims);
  }
  if (now - claims.beatAt > ttl + DRILL_CLOCK_SKEW_MS) {
    return untrusted(
      `its heartbeat stopped ${Math.round((now - claims.beatAt) / 1000)} s ago: the drill died or hangs`,
      claims,
    );
  }
  if (now > claims.windowEndsAt + DRILL_CLOCK_SKEW_MS) {
    return untrusted(`its window ended at ${new Date(claims.windowEndsAt).toISOString()}`, claims);
  }
  return { trusted: true, claims };
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const time = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;

function decodeClaims(payload: string): DrillLockClaims | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const c = parsed as Record<string, unknown>;
  const from = typeof c.from === 'string' ? /^(.+):(\d{1,5})$/.exec(c.from) : null;
  const startedAt = time(c.startedAt);
  const windowEndsAt = time(c.windowEndsAt);
  const beatAt = time(c.beatAt);
  const ttlMs = time(c.ttlMs);
  const failoverAt = c.failoverAt === null ? null : time(c.failoverAt);
  if (
    c.v !== 1 ||
    typeof c.deployment !== 'string' ||
    typeof c.id !== 'string' ||
    !from ||
    startedAt === null ||
    windowEndsAt === null ||
    beatAt === null ||
    ttlMs === null ||
    (c.failoverAt !== null && failoverAt === null)
  ) {
    return null;
  }
  return {
    deployment: c.deployment,
    id: c.id,
    from: { host: from[1], port: Number(from[2]) },
    startedAt,
    windowEndsAt,
    failoverAt,
    beatAt,
    ttlMs,
  };
}
