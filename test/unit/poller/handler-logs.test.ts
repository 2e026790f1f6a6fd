// The poller handler with its AWS clients mocked (handler-harness.ts): structured logs and EMF metrics.

import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import { healthy, invoke, named, PASSWORD, sns, stdout, switched } from './handler-harness';

describe('Function: handler (poller)', () => {
  it('writes structured logs and EMF metrics per deployment, never the password', async () => {
    // Prepare
    sns.on(PublishCommand).rejectsOnce(named('ThrottledException')).resolves({ MessageId: 'm-4' });
    await invoke(healthy());

    // Act
    await invoke(switched());

    // Assess: the output of every stream
    const output = stdout.join('');
    expect(output).not.toContain(PASSWORD);
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const polled = lines.filter((l) => l.message === 'polled');
    expect(polled).toHaveLength(2);
    expect(polled[1]).toMatchObject({
      level: 'INFO',
      service: 'sentinel-watch-poller',
      deployment: 'prod-cache',
      master: '10.0.1.63:6379',
      notifications: ['event MASTER_CHANGED deployment'],
    });
    expect(lines.some((l) => l.message === 'publish failed' && l.level === 'WARN')).toBe(true);
    // One EMF line per poll: fleet and per-shard metrics, and the switch counted for the deployment
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(2);
    const directives = (
      emf[1]._aws as {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      }
    ).CloudWatchMetrics;
    expect(directives.map((d) => [d.Namespace, d.Dimensions])).toEqual([
      ['SentinelWatch', [[], ['shard']]],
      ['SentinelWatch', [[]]],
      ['SentinelWatch', [['deployment']]],
    ]);
    expect(directives[0].Metrics.map((m) => m.Name)).toEqual(['PollDurationMs']);
    expect(directives[1].Metrics.map((m) => m.Name)).toEqual(
      expect.arrayContaining(['MaxReplicaLagBytes', 'UnreachableNodes', 'OpenIncidents', 'Failovers']),
    );
    expect(directives[2].Metrics.map((m) => m.Name)).toEqual(['Failovers']);
    expect(emf[1]).toMatchObject({
      sw: 'poll',
      shard: '0',
      deployment: 'prod-cache',
      ReachableNodes: 3,
      UnreachableNodes: 0,
      ReachableSentinels: 3,
      MaxReplicaLagBytes: 0,
      OpenIncidents: 0,
      PollDurationMs: 42,
      AlertsPublished: 1,
      Failovers: 1,
    });
    // The healthy poll counts no failover, so no per-deployment metric at all
    expect(JSON.stringify(emf[0]._aws)).not.toContain('"deployment"');
    // Per-replica lag as plain fields (Contributor Insights ranks them), not as metrics
    const replicas = lines.filter((l) => l.sw === 'replica');
    expect(replicas.length).toBeGreaterThan(0);
    expect(replicas[0]).toMatchObject({ deployment: 'prod-cache', replica: expect.any(String) });
    expect(replicas.every((l) => !('_aws' in l))).toBe(true);
  });
});
