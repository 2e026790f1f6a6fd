import { drillLine } from '../../../cli/commands/check';

const claims = {
  deployment: 'prod-cache',
  id: 'drill-1',
  from: { host: '10.0.1.61', port: 6379 },
  startedAt: 0,
  windowEndsAt: 1,
  failoverAt: null,
  beatAt: 0,
  ttlMs: 15_000,
};

describe('Function: drillLine (check)', () => {
  it('says when no drill key is set that a drill would be paged, and nothing when one is set', () => {
    expect(drillLine(null, false)).toBe(
      "Drill key: not set (SENTINEL_WATCH_DRILL_KEY): watch and the poller would report a drill's switch as critical, like any other.",
    );
    expect(drillLine(null, true)).toBeNull();
  });

  it('names a trusted drill, and an untrusted lock with the reason', () => {
    expect(drillLine({ trusted: true, claims }, true)).toBe(
      'Drill: drill-1 runs (signed lock, fails over 10.0.1.61:6379, not yet asked): its own switch is reported as info',
    );
    expect(drillLine({ trusted: false, id: 'x', reason: 'the lock is not signed', claims: null }, true)).toBe(
      'Drill lock "x" is present but NOT trusted: the lock is not signed. A switch now is reported as critical.',
    );
  });
});
