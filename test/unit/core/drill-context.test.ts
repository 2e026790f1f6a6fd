import { drillContext, drillIdStartedAt, drillLockFromSnapshot } from '../../../lambdas/core/drill-context';
import { healthySnapshot, NOW } from '../helpers/snapshot-factory';

describe('Function: drillIdStartedAt', () => {
  it('reads the start time a drill id names', () => {
    expect(drillIdStartedAt('drill-20261125T064808Z-7d11b8')).toBe(Date.UTC(2026, 10, 25, 6, 48, 8));
    expect(drillIdStartedAt('someone-else')).toBeNull();
  });
});

describe('Function: drillLockFromSnapshot', () => {
  it('finds the lock key on the master, with its expiry from PTTL', () => {
    // Prepare
    const s = healthySnapshot({ at: NOW });
    s.nodes[0].drillLock = { owner: 'drill-20260501T095950Z-abcdef', ttlMs: 120_000 };

    // Act / Assess
    expect(drillLockFromSnapshot(s)).toEqual({
      owner: 'drill-20260501T095950Z-abcdef',
      acquiredAt: NOW - 10_000,
      expiresAt: NOW + 120_000,
    });
  });

  it('falls back to a replica copy, and is null when no node reports the key', () => {
    const s = healthySnapshot({ at: NOW });
    expect(drillLockFromSnapshot(s)).toBeNull();
    s.nodes[2].drillLock = { owner: 'cli-drill', ttlMs: 5000 };
    expect(drillLockFromSnapshot(s)).toMatchObject({ owner: 'cli-drill', acquiredAt: NOW });
  });
});

describe('Function: drillContext', () => {
  const lock = { owner: 'd1', acquiredAt: NOW - 5000, expiresAt: NOW + 60_000 };

  it('reports a held lock as a running drill and remembers it', () => {
    expect(drillContext(lock, null, NOW)).toEqual({
      context: { drill: { id: 'd1', startedAt: NOW - 5000, endedAt: null } },
      remember: { id: 'd1', startedAt: NOW - 5000 },
    });
  });

  it('attributes the poll after the lock is gone to the drill that just ended', () => {
    expect(drillContext(null, { id: 'd1', startedAt: NOW - 5000 }, NOW)).toEqual({
      context: { drill: { id: 'd1', startedAt: NOW - 5000, endedAt: NOW } },
      remember: null,
    });
    expect(drillContext(null, null, NOW)).toEqual({ context: null, remember: null });
  });

  it('ends an expired lock at its expiry (a crashed drill)', () => {
    expect(drillContext({ ...lock, expiresAt: NOW - 1 }, null, NOW).context?.drill?.endedAt).toBe(NOW - 1);
  });
});
