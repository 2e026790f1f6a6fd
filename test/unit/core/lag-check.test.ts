import { sampleLag } from '../../../lambdas/core/lag-check';
import type { ReplicationInfo } from '../../../lambdas/core/types';

const master = (
  replicas: { port: number; offset: number; lag: number }[],
  offset = 10_000_000,
): ReplicationInfo => ({
  role: 'master',
  replId: null,
  masterReplOffset: offset,
  connectedReplicas: replicas.length,
  replicas: replicas.map((r) => ({
    host: '10.0.1.62',
    port: r.port,
    state: 'online',
    offset: r.offset,
    lagSeconds: r.lag,
  })),
  masterHost: null,
  masterPort: null,
  masterLinkStatus: null,
  masterLastIoSecondsAgo: null,
  masterSyncInProgress: null,
  replicaReplOffset: null,
  replicaPriority: null,
  replicaReadOnly: null,
  masterLinkDownSinceSeconds: null,
  minReplicasGood: null,
});

const limits = { maxLagBytes: 1_048_576, maxLagSeconds: 10 };

describe('Function: sampleLag', () => {
  it('names the replica furthest behind in bytes or past the ACK age limit', () => {
    // Act
    const sample = sampleLag(
      master([
        { port: 6379, offset: 10_000_000, lag: 0 },
        { port: 6380, offset: 7_000_000, lag: 1 },
        { port: 6381, offset: 8_500_000, lag: 0 },
      ]),
      limits,
    );

    // Assess
    expect(sample.behind).toEqual({ host: '10.0.1.62', port: 6380, bytes: 3_000_000, seconds: 1 });
  });

  it('trips on seconds since the last ACK alone', () => {
    expect(sampleLag(master([{ port: 6379, offset: 10_000_000, lag: 11 }]), limits).behind?.seconds).toBe(11);
  });

  it('says nothing for replicas within the limits, or for a node that is not a master', () => {
    // Prepare
    const within = master([{ port: 6379, offset: 9_500_000, lag: 1 }]);
    const replica: ReplicationInfo = { ...within, role: 'replica' };

    // Assess
    expect(sampleLag(within, limits).behind).toBeNull();
    expect(sampleLag(replica, limits).behind).toBeNull();
    expect(sampleLag({ ...within, masterReplOffset: null }, limits).behind).toBeNull();
  });
});
