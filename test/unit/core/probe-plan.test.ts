import { askWhoWrites, readonlyErrors, unavailableChecks } from '../../../lambdas/core/probe-plan';
import type { NodeSnapshot, Snapshot } from '../../../lambdas/core/types';
import {
  DATA,
  fail,
  healthySnapshot,
  legacySnapshot,
  type MutableSnapshot,
  node,
  setStats,
} from '../helpers/snapshot-factory';

const on = { writeProbe: true };

describe('Function: readonlyErrors', () => {
  it('counts READONLY errors, zero when the section has none, and null when unknown', () => {
    // Prepare
    const s = healthySnapshot();
    setStats(node(s, 1), { errorCounts: { READONLY: 12, NOAUTH: 1 } });
    setStats(node(s, 2), { errorCounts: null });

    // Act
    const counts = [node(s, 0), node(s, 1), node(s, 2), undefined].map((n) =>
      readonlyErrors(n as NodeSnapshot | undefined),
    );

    // Assess
    expect(counts).toEqual([0, 12, null, null]);
  });
});

describe('Function: askWhoWrites', () => {
  const grown = (): { previous: MutableSnapshot; current: MutableSnapshot } => {
    const previous = healthySnapshot();
    const current = healthySnapshot();
    setStats(node(previous, 1), { errorCounts: { READONLY: 3 } });
    setStats(node(current, 1), { errorCounts: { READONLY: 9 } });
    return { previous, current };
  };

  it('asks a replica whose READONLY errors grew since the previous poll who writes to it', () => {
    // Prepare
    const { previous, current } = grown();

    // Act
    const ask = askWhoWrites(node(current, 1) as NodeSnapshot, previous as Snapshot);

    // Assess
    expect(ask).toBe(true);
  });

  it('asks nobody on a first poll, without growth, on a master, or against a snapshot stored without stats', () => {
    // Prepare
    const { previous, current } = grown();
    const master = healthySnapshot();
    setStats(node(master, 0), { errorCounts: { READONLY: 50 } });

    // Act
    const asks = [
      askWhoWrites(node(current, 1) as NodeSnapshot, null),
      askWhoWrites(node(current, 2) as NodeSnapshot, previous as Snapshot),
      askWhoWrites(node(master, 0) as NodeSnapshot, healthySnapshot() as Snapshot),
      askWhoWrites(node(current, 1) as NodeSnapshot, legacySnapshot(previous) as Snapshot),
    ];

    // Assess
    expect(asks).toEqual([false, false, false, false]);
  });
});

describe('Function: unavailableChecks', () => {
  it('lists nothing when every check could be made', () => {
    // Prepare
    const s = healthySnapshot();

    // Act
    const checks = unavailableChecks(on, s.nodes as NodeSnapshot[], DATA[0]);

    // Assess
    expect(checks).toEqual([]);
  });

  it('says the write probe is off, and what is then missed', () => {
    // Prepare
    const s = healthySnapshot();

    // Act
    const checks = unavailableChecks({ writeProbe: false }, s.nodes as NodeSnapshot[], null);

    // Assess
    expect(checks).toHaveLength(1);
    expect(checks[0].check).toBe('write-probe');
    expect(checks[0].reason).toContain('writeProbe: false');
    expect(checks[0].reason).toContain('not OOM, BUSY or an ACL that blocks writers');
  });

  it('says the write probe had no master to write to when the sentinels agree on none', () => {
    // Prepare
    const s = healthySnapshot();

    // Act
    const checks = unavailableChecks(on, s.nodes as NodeSnapshot[], null);

    // Assess
    expect(checks).toEqual([
      { check: 'write-probe', reason: 'the sentinels agree on no master to write to' },
    ]);
  });

  it('says the write probe is unavailable when the watcher’s ACL refuses it (NOPERM), and which ACL it needs', () => {
    // Prepare
    const s = healthySnapshot();
    node(s, 0).writeProbe = {
      ok: false,
      errorCode: 'NOPERM',
      message: "NOPERM User watcher has no permissions to run the 'set' command",
    };

    // Act
    const checks = unavailableChecks(on, s.nodes as NodeSnapshot[], DATA[0]);

    // Assess
    expect(checks).toHaveLength(1);
    expect(checks[0].check).toBe('write-probe');
    expect(checks[0].reason).toContain('NOPERM');
    expect(checks[0].reason).toContain('+set ~sentinel-watch:*');
  });

  it('names the nodes without INFO errorstats (Redis 5), and not the ones it could not reach', () => {
    // Prepare
    const s = healthySnapshot();
    setStats(node(s, 1), { errorCounts: null });
    node(s, 1).server!.version = '5.0.14';
    fail(node(s, 2), 'refused');
    setStats(node(s, 2), { errorCounts: null }); // what it said before it went away: not a fact now

    // Act
    const checks = unavailableChecks(on, s.nodes as NodeSnapshot[], DATA[0]);

    // Assess
    expect(checks).toEqual([
      {
        check: 'clients-writing-to-replicas',
        reason: 'needs INFO errorstats (Redis 6.2 or newer): 10.0.1.62:6379 runs 5.0.14',
      },
    ]);
  });
});
