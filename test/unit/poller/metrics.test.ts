// The poller's EMF lines at fleet scale: fleet-wide metrics on every poll, per-deployment ones only
// when non-zero (or for detailedMetrics), per-replica lag as log fields for Contributor Insights.

import type { NodeRecord, SnapshotRecord } from '../../../lambdas/core/snapshot-record';
import { pollMetricLines } from '../../../lambdas/poller/metrics';
import type { PollReport } from '../../../lambdas/poller/types';

const node = (address: string, role: 'master' | 'replica', lagBytes: number | null): NodeRecord => ({
  address,
  role,
  reachable: true,
  error: null,
  offset: 1000,
  lagBytes,
  ackAgeSeconds: lagBytes === null ? null : 1,
  link: role === 'replica' ? 'up' : null,
  follows: role === 'replica' ? '10.0.0.1:6379' : null,
});

const record: SnapshotRecord = {
  deployment: 'orders',
  takenAt: '2026-11-30T06:00:00.000Z',
  expiresAt: 0,
  durationMs: 40,
  master: '10.0.0.1:6379',
  unanimous: true,
  truncated: false,
  nodes: [node('10.0.0.1:6379', 'master', null), node('10.0.0.2:6379', 'replica', 512)],
  sentinels: [],
  findings: [],
};

const report = (patch: Partial<PollReport> = {}): PollReport => ({
  deployment: 'orders',
  takenAt: record.takenAt,
  pollDurationMs: 40,
  reachableNodes: 2,
  reachableSentinels: 0,
  maxReplicaLagBytes: 512,
  maxReplicaLagSeconds: 1,
  openIncidents: 0,
  findings: 0,
  notifications: 0,
  published: 0,
  pending: 0,
  dropped: 0,
  rejected: 0,
  failovers: 0,
  record,
  ...patch,
});

type Directive = { Dimensions: string[][]; Metrics: { Name: string }[] };
const directives = (line: string): Directive[] =>
  (JSON.parse(line) as { _aws: { CloudWatchMetrics: Directive[] } })._aws.CloudWatchMetrics;

describe('Function: pollMetricLines', () => {
  it('counts an alert SNS rejected in the fleet metric and, that once, for its deployment', () => {
    // Act
    const [quiet] = pollMetricLines(report(), { shard: 2, detailed: new Set() }, 0);
    const [rejected] = pollMetricLines(report({ rejected: 1 }), { shard: 2, detailed: new Set() }, 0);

    // Assess
    expect(directives(quiet)[1].Metrics.map((m) => m.Name)).toContain('AlertsRejected');
    expect(directives(quiet)).toHaveLength(2);
    expect(directives(rejected)[2]).toEqual({
      Namespace: 'SentinelWatch',
      Dimensions: [['deployment']],
      Metrics: [{ Name: 'AlertsRejected', Unit: 'Count' }],
    });
    expect(JSON.parse(rejected)).toMatchObject({
      sw: 'poll',
      shard: '2',
      deployment: 'orders',
      AlertsRejected: 1,
    });
  });

  it('gives a detailed deployment its own metrics, and its replicas theirs', () => {
    // Act
    const [poll, replica, ...rest] = pollMetricLines(
      report(),
      { shard: 0, detailed: new Set(['orders']) },
      0,
    );

    // Assess
    expect(rest).toEqual([]);
    expect(directives(poll)[2].Metrics.map((m) => m.Name)).toEqual(
      expect.arrayContaining(['PollDurationMs', 'AlertsRejected', 'AlertsPending', 'Failovers']),
    );
    expect(directives(replica)).toEqual([
      expect.objectContaining({ Dimensions: [['deployment', 'replica']] }),
    ]);
    expect(JSON.parse(replica)).toMatchObject({
      sw: 'replica',
      replica: '10.0.0.2:6379',
      ReplicaLagBytes: 512,
    });
  });
});
