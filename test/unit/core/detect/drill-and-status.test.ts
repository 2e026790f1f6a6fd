import { exitCodeFor, overallStatus } from '../../../../lambdas/core/status';
import { healthySnapshot, MINUTE, NOW, node, run, trustedDrill } from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Context: drill', () => {
    it('reports a drill failover and its turbulence as info, so nothing pages', () => {
      // Prepare: the drill switched .61 to .62; .61 still claims master, .63 is resyncing
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });
      const old = node(current, 0);
      old.role = 'master';
      old.replication = { ...old.replication!, role: 'master', masterLinkStatus: null };
      node(current, 2).replication!.masterLinkStatus = 'down';
      const drill = trustedDrill('drill-2026-05-01', NOW - 20_000);

      // Act
      const { findings } = run(current, { previous, drill });

      // Assess
      expect(findings.map((f) => [f.code, f.severity])).toEqual([
        ['MASTER_CHANGED', 'info'],
        ['NO_FAILOVER_TARGET', 'info'],
        ['REPLICA_LINK_DOWN', 'info'],
        ['MULTIPLE_MASTERS', 'info'],
      ]);
      expect(overallStatus(findings)).toBe('ok');
    });

    it('keeps an unplanned switch critical', () => {
      // Prepare
      const previous = healthySnapshot({ at: NOW - MINUTE });
      const current = healthySnapshot({ masterIndex: 1, configEpoch: 2 });

      // Act
      const { findings } = run(current, { previous });

      // Assess
      expect(findings.map((f) => [f.code, f.severity])).toEqual([['MASTER_CHANGED', 'critical']]);
      expect(overallStatus(findings)).toBe('critical');
    });

    it('does not soften problems a drill does not cause', () => {
      // Prepare
      const current = healthySnapshot();
      current.sentinels[0].tilt = true;

      // Act
      const { findings } = run(current, { drill: trustedDrill('d', NOW - 1000) });

      // Assess
      expect(findings.map((f) => [f.code, f.severity])).toEqual([['SENTINEL_TILT', 'warning']]);
    });
  });
});

describe('Function: overallStatus', () => {
  const finding = (severity: 'critical' | 'warning' | 'info') => ({ severity });

  it('is the worst severity, with info counting as ok', () => {
    // Assess
    expect(overallStatus([])).toBe('ok');
    expect(overallStatus([finding('info')])).toBe('ok');
    expect(overallStatus([finding('info'), finding('warning')])).toBe('warning');
    expect(overallStatus([finding('warning'), finding('critical'), finding('info')])).toBe('critical');
  });
});

describe('Function: exitCodeFor', () => {
  it('maps ok, warning and critical to 0, 1 and 2', () => {
    // Assess
    expect([exitCodeFor('ok'), exitCodeFor('warning'), exitCodeFor('critical')]).toEqual([0, 1, 2]);
  });
});
