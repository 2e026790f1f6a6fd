import {
  drillContext,
  drillContextOf,
  drillLockFromSnapshot,
  drillOwnsSwitch,
  loadRememberedDrill,
} from '../../../lambdas/core/drill-context';
import { type DrillLockClaims, encodeDrillLock } from '../../../lambdas/core/drill-lock';
import { parseSentinelEvent } from '../../../lambdas/core/sentinel-event';
import { DATA, healthySnapshot, NOW } from '../helpers/snapshot-factory';

const KEY = 'k'.repeat(48);
const claims: DrillLockClaims = {
  deployment: 'prod-cache',
  id: 'drill-1',
  from: DATA[0],
  startedAt: NOW - 10_000,
  windowEndsAt: NOW + 120_000,
  failoverAt: NOW - 2_000,
  beatAt: NOW - 1_000,
  ttlMs: 15_000,
};
const trusted = { trusted: true as const, claims };
const verifiedDrill = {
  id: 'drill-1',
  startedAt: NOW - 10_000,
  from: DATA[0],
  failoverAt: NOW - 2_000,
  windowEndsAt: NOW + 120_000,
  endedAt: null,
  verified: true,
};

describe('Function: drillLockFromSnapshot', () => {
  it('reads the key on the master, else a replica copy, with its PTTL', () => {
    const s = healthySnapshot({ at: NOW });
    expect(drillLockFromSnapshot(s)).toBeNull();
    s.nodes[2].drillLock = { owner: 'copy', ttlMs: -1 };
    expect(drillLockFromSnapshot(s)).toEqual({ value: 'copy', ttlMs: -1 });
    s.nodes[0].drillLock = { owner: 'on-master', ttlMs: 9000 };
    expect(drillLockFromSnapshot(s)).toEqual({ value: 'on-master', ttlMs: 9000 });
  });
});

describe('Function: drillContext', () => {
  it('reports a trusted lock as a verified drill and remembers its claims', () => {
    expect(drillContext(trusted, null, NOW)).toEqual({
      context: { drill: verifiedDrill },
      remember: {
        id: 'drill-1',
        startedAt: NOW - 10_000,
        from: DATA[0],
        failoverAt: NOW - 2_000,
        windowEndsAt: NOW + 120_000,
      },
    });
  });

  it('reports an untrusted lock with the reason, and forgets any remembered drill', () => {
    const verdict = {
      trusted: false as const,
      id: 'forged',
      reason: 'its value is not a signed sentinel-watch drill lock',
      claims: null,
    };
    expect(drillContext(verdict, { id: 'drill-1', startedAt: 1 }, NOW)).toEqual({
      context: {
        drill: {
          id: 'forged',
          startedAt: NOW,
          endedAt: null,
          verified: false,
          untrustedReason: verdict.reason,
        },
      },
      remember: null,
    });
  });

  it('attributes the poll after a trusted lock was released to that drill, then forgets it', () => {
    const remembered = drillContext(trusted, null, NOW).remember;
    expect(drillContext(null, remembered, NOW + 5000)).toEqual({
      context: { drill: { ...verifiedDrill, endedAt: NOW + 5000 } },
      remember: null,
    });
    expect(drillContext(null, null, NOW)).toEqual({ context: null, remember: null });
  });

  it('verifies the lock a poll read with the given key (drillContextOf)', () => {
    const s = healthySnapshot({ at: NOW });
    s.nodes[0].drillLock = {
      owner: encodeDrillLock({ ...claims, deployment: 'prod-cache' }, KEY),
      ttlMs: 14_000,
    };
    const options = { deployment: 'prod-cache', now: NOW, remembered: null };
    expect(drillContextOf(s, { ...options, key: KEY }).context?.drill?.verified).toBe(true);
    expect(drillContextOf(s, { ...options, key: null }).context?.drill).toMatchObject({
      verified: false,
      untrustedReason: 'this watcher has no drill key configured, so it trusts no drill lock',
    });
  });

  it('loads a stored remembered drill, dropping what is not one', () => {
    expect(
      loadRememberedDrill({ id: 'd', startedAt: 1, from: DATA[0], failoverAt: null, windowEndsAt: 9 }),
    ).toEqual({
      id: 'd',
      startedAt: 1,
      from: DATA[0],
      failoverAt: null,
      windowEndsAt: 9,
    });
    expect(loadRememberedDrill({ id: 'd', startedAt: 1, from: 'x' })).toEqual({ id: 'd', startedAt: 1 });
    expect(loadRememberedDrill({ id: 3 })).toBeNull();
    expect(loadRememberedDrill(null)).toBeNull();
  });
});

describe('Function: drillOwnsSwitch', () => {
  const sw = { from: DATA[0], to: DATA[1], at: NOW, oldMasterAnswering: true };
  const odown = parseSentinelEvent(
    '+odown',
    'master mymaster 10.0.1.61 6379 #quorum 2/2',
    '10.0.1.62:26379',
    NOW - 1500,
  );

  it('owns the switch it asked for: from its master, after its SENTINEL FAILOVER, old master up', () => {
    expect(drillOwnsSwitch(verifiedDrill, sw)).toEqual({ owned: true });
  });

  it.each([
    [
      'an unverified lock',
      { ...verifiedDrill, verified: false, untrustedReason: 'forged' },
      sw,
      [],
      'forged',
    ],
    [
      'a switch from another master',
      verifiedDrill,
      { ...sw, from: DATA[2] },
      [],
      'drill drill-1 fails over 10.0.1.61:6379, but the master switched from 10.0.1.63:6379',
    ],
    [
      'a switch before its SENTINEL FAILOVER was sent',
      { ...verifiedDrill, failoverAt: null },
      sw,
      [],
      'drill drill-1 had not sent SENTINEL FAILOVER when the master switched',
    ],
    [
      'a switch long before its SENTINEL FAILOVER',
      { ...verifiedDrill, failoverAt: NOW + 60_000 },
      sw,
      [],
      'the master switched before drill drill-1 sent SENTINEL FAILOVER',
    ],
    [
      'a switch after its window',
      { ...verifiedDrill, windowEndsAt: NOW - 60_000 },
      sw,
      [],
      "the master switched after drill drill-1's window",
    ],
    [
      'a switch Sentinel started with +odown (a crash)',
      verifiedDrill,
      sw,
      [odown],
      "Sentinel saw 10.0.1.61:6379 objectively down (+odown from 10.0.1.62:26379 at 2026-05-01T09:59:58.500Z): a failure, not the drill's SENTINEL FAILOVER",
    ],
    [
      'a switch whose old master does not answer',
      verifiedDrill,
      { ...sw, oldMasterAnswering: false },
      [],
      '10.0.1.61:6379 does not answer: it failed, whatever drill drill-1 asked for',
    ],
  ])('does not own %s', (_label, drill, seen, events, reason) => {
    expect(drillOwnsSwitch(drill, seen, events)).toEqual({ owned: false, reason });
  });

  it('reads the events the context carries', () => {
    expect(drillOwnsSwitch({ ...verifiedDrill, events: [odown] }, sw).owned).toBe(false);
  });
});
