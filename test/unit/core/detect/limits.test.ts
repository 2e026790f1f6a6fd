import type { Snapshot } from '../../../../lambdas/core/types';
import { fail, healthySnapshot, node, run, sentinelAt, withCode } from '../../helpers/snapshot-factory';

describe('Detector: PROBE_LIMIT_REACHED', () => {
  it('reports servers left unprobed by the caps on the deployment', () => {
    // Prepare
    const s = healthySnapshot();
    (s as { unprobed?: Snapshot['unprobed'] }).unprobed = {
      sentinels: 4,
      nodes: 0,
      examples: ['10.9.0.1:26379', '10.9.0.2:26379'],
    };

    // Act
    const found = withCode(run(s), 'PROBE_LIMIT_REACHED');

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', subject: 'deployment' });
    expect(found[0].message).toContain('4 more sentinels than the watcher probes');
    expect(found[0].message).toContain('10.9.0.1:26379');
    expect(found[0].message).toContain('SENTINEL RESET mymaster');
  });

  it('reports a sentinel that answered and was then cut off at its byte budget', () => {
    // Prepare: its master view arrived, INFO was cut
    const s = healthySnapshot();
    const x = sentinelAt(s, 1);
    x.error = { class: 'reply-too-large', message: 'sent more than 1 MiB', command: 'INFO' };

    // Act
    const found = withCode(run(s), 'PROBE_LIMIT_REACHED');

    // Assess
    expect(found.map((f) => f.subject)).toEqual(['sentinel 10.0.1.62:26379']);
    expect(found[0].message).toMatch(/more than the watcher reads from one server/);
  });

  it('leaves a server cut off before any answer to *_UNREACHABLE', () => {
    // Prepare
    const s = healthySnapshot();
    fail(node(s, 2), 'reply-too-large');

    // Act
    const result = run(s);

    // Assess
    expect(withCode(result, 'PROBE_LIMIT_REACHED')).toEqual([]);
    const unreachable = withCode(result, 'REPLICA_UNREACHABLE');
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0].message).toMatch(/more than the watcher reads from one server/);
  });

  it('says nothing about a healthy deployment', () => {
    expect(withCode(run(healthySnapshot()), 'PROBE_LIMIT_REACHED')).toEqual([]);
  });
});
