import {
  type DrillLockClaims,
  drillKeyFrom,
  drillLockOwner,
  encodeDrillLock,
  verifyDrillLock,
} from '../../../lambdas/core/drill-lock';
import { ConfigError } from '../../../lambdas/core/errors';
import { NOW } from '../helpers/snapshot-factory';

const KEY = 'k'.repeat(48);
const claims: DrillLockClaims = {
  deployment: 'prod-cache',
  id: 'drill-20260501T095950Z-abcdef',
  from: { host: '10.0.1.61', port: 6379 },
  startedAt: NOW - 10_000,
  windowEndsAt: NOW + 120_000,
  failoverAt: NOW - 2_000,
  beatAt: NOW - 1_000,
  ttlMs: 15_000,
};
const verify = (value: string, ttlMs = 14_000, key: string | null = KEY, now = NOW) =>
  verifyDrillLock({ value, ttlMs }, { deployment: 'prod-cache', key, now });

describe('Function: verifyDrillLock', () => {
  it('trusts a lock signed with the same key, for this deployment, with a fresh heartbeat', () => {
    // Act
    const verdict = verify(encodeDrillLock(claims, KEY));

    // Assess
    expect(verdict).toEqual({ trusted: true, claims });
  });

  it.each([
    [
      'a plain drill id (any string)',
      'drill-20260501T095950Z-abcdef',
      14_000,
      'its value is not a signed sentinel-watch drill lock',
    ],
    ['garbage with dots', 'a.b.c', 14_000, 'its value is not a signed sentinel-watch drill lock'],
    [
      'an unsigned lock',
      encodeDrillLock(claims, null),
      14_000,
      'the lock is not signed (the drill ran without a drill key)',
    ],
    [
      'a lock signed with another key',
      encodeDrillLock(claims, 'x'.repeat(48)),
      14_000,
      "its signature does not match this watcher's drill key",
    ],
    [
      'a lock for another deployment',
      encodeDrillLock({ ...claims, deployment: 'other' }, KEY),
      14_000,
      'it was signed for deployment "other"',
    ],
    [
      'a key with no expiry',
      encodeDrillLock(claims, KEY),
      -1,
      'the key has no expiry, and a drill always sets one',
    ],
    [
      'a key that outlives a heartbeat',
      encodeDrillLock(claims, KEY),
      150_000,
      'the key expires in 150000 ms, later than a drill heartbeat sets (15000 ms)',
    ],
    [
      'a dead drill (heartbeat stopped)',
      encodeDrillLock({ ...claims, beatAt: NOW - 25_000 }, KEY),
      1_000,
      'its heartbeat stopped 25 s ago: the drill died or hangs',
    ],
    [
      'a heartbeat from the future',
      encodeDrillLock({ ...claims, beatAt: NOW + 60_000 }, KEY),
      14_000,
      'its heartbeat is 60000 ms in the future (clock skew?)',
    ],
    [
      'a drill past its window',
      encodeDrillLock({ ...claims, windowEndsAt: NOW - 10_000 }, KEY),
      14_000,
      'its window ended at 2026-05-01T09:59:50.000Z',
    ],
  ])('does not trust %s', (_label, value, ttlMs, reason) => {
    expect(verify(value, ttlMs)).toMatchObject({ trusted: false, reason });
  });

  it('does not trust a correctly signed lock whose claims were edited (e.g. another master)', () => {
    // Prepare: keep the signature, swap in claims that name another master
    const [id, , sig] = encodeDrillLock(claims, KEY).split('.');
    const [, payload] = encodeDrillLock({ ...claims, from: { host: '10.0.1.62', port: 6379 } }, null).split(
      '.',
    );

    // Act / Assess
    expect(verify(`${id}.${payload}.${sig}`)).toMatchObject({
      trusted: false,
      reason: "its signature does not match this watcher's drill key",
    });
  });

  it('trusts nothing without a key of its own, and says so', () => {
    expect(verify(encodeDrillLock(claims, KEY), 14_000, null)).toMatchObject({
      trusted: false,
      id: claims.id,
      reason: 'this watcher has no drill key configured, so it trusts no drill lock',
    });
  });

  it('names the drill id of any value, without trusting it', () => {
    expect(drillLockOwner(encodeDrillLock(claims, KEY))).toBe(claims.id);
    expect(verify('anything-at-all')).toMatchObject({ trusted: false, id: 'anything-at-all' });
  });
});

describe('Function: drillKeyFrom', () => {
  it('reads a configured key, none when unset, and refuses a short one naming the field', () => {
    expect(drillKeyFrom(KEY, 'SENTINEL_WATCH_DRILL_KEY')).toBe(KEY);
    expect(drillKeyFrom(undefined, 'SENTINEL_WATCH_DRILL_KEY')).toBeNull();
    expect(drillKeyFrom('  ', 'SENTINEL_WATCH_DRILL_KEY')).toBeNull();
    expect(() => drillKeyFrom('short', 'SENTINEL_WATCH_DRILL_KEY')).toThrow(
      new ConfigError(
        'SENTINEL_WATCH_DRILL_KEY',
        'the drill key must be at least 32 characters (e.g. openssl rand -base64 48)',
      ),
    );
  });
});
