import {
  confirmReturnMs,
  defaultGraceMs,
  foldsInto,
  GRACE_MS,
  RETURN_CONFIRM_MS,
} from '../../../lambdas/core/incident-policy';
import type { Incident } from '../../../lambdas/core/incidents';
import type { Finding } from '../../../lambdas/core/types';
import { NOW } from '../helpers/snapshot-factory';

const finding = (
  code: string,
  severity: Finding['severity'] = 'critical',
  details?: Finding['details'],
): Finding => ({
  code,
  severity,
  subject: 'node 10.0.1.62:6379',
  message: `${code} on 10.0.1.62:6379`,
  ...(details ? { details } : {}),
});

const incident = (code: string, status: Incident['status'], subject = 'node 10.0.1.62:6379'): Incident => ({
  id: `prod-cache:${code} ${subject}@x`,
  code,
  subject,
  severity: 'warning',
  message: `${code} on ${subject}`,
  status,
  openedAt: NOW,
  lastSeenAt: NOW,
  absentSince: null,
  absentPolls: 0,
  lastPagedAt: NOW,
  notifiedSeverity: 'warning',
  reopens: 0,
  returns: 0,
  resolvedAt: null,
});

describe('Function: defaultGraceMs', () => {
  it('waits out what a normal failover causes for seconds, per cause', () => {
    // Act
    const grace = Object.fromEntries(
      ['SENTINEL_SEES_DOWN', 'NO_FAILOVER_TARGET', 'MULTIPLE_MASTERS', 'MASTER_UNREACHABLE'].map((c) => [
        c,
        defaultGraceMs(finding(c)),
      ]),
    );

    // Assess
    expect(grace).toEqual({
      SENTINEL_SEES_DOWN: 10_000,
      NO_FAILOVER_TARGET: 30_000,
      MULTIPLE_MASTERS: 20_000,
      MASTER_UNREACHABLE: 10_000,
    });
    expect(GRACE_MS.SENTINEL_SEES_DOWN).toBe(10_000);
  });

  it('pages at once for an old master that takes writes: they are being lost', () => {
    // Act
    const accepting = defaultGraceMs(finding('MULTIPLE_MASTERS', 'critical', { acceptingWrites: true }));
    const idle = defaultGraceMs(finding('MULTIPLE_MASTERS', 'critical', { acceptingWrites: false }));

    // Assess
    expect(accepting).toBe(0);
    expect(idle).toBe(20_000);
  });

  it('gives MASTER_NOT_WRITABLE a grace only for causes that pass by themselves after a failover or restart', () => {
    // Act
    const grace = ['noreplicas', 'loading', 'misconf-rdb', 'misconf-aof', 'oom', 'busy', 'other'].map(
      (cause) => defaultGraceMs(finding('MASTER_NOT_WRITABLE', 'critical', { cause })),
    );

    // Assess
    expect(grace).toEqual([15_000, 30_000, 0, 0, 0, 0, 0]);
  });

  it('pages a stuck failover and any code without a grace period at once', () => {
    // Act
    const stuck = defaultGraceMs(finding('FAILOVER_IN_PROGRESS', 'critical'));
    const running = defaultGraceMs(finding('FAILOVER_IN_PROGRESS', 'warning'));
    const others = [
      'NO_QUORUM',
      'FAILOVER_ABORTED',
      'CLIENTS_WRITING_TO_REPLICA',
      'MASTER_WRITES_AT_RISK',
    ].map((c) => defaultGraceMs(finding(c)));

    // Assess
    expect(stuck).toBe(0);
    expect(running).toBe(30_000);
    expect(others).toEqual([0, 0, 0, 0]);
  });

  it('reads a finding stored without details', () => {
    // Act
    const grace = defaultGraceMs({ code: 'MASTER_NOT_WRITABLE', severity: 'critical' });

    // Assess
    expect(grace).toBe(0);
  });
});

describe('Function: confirmReturnMs', () => {
  it('confirms a return after its grace period, and never sooner than 20 s', () => {
    // Act
    const confirm = [0, 10_000, 30_000].map(confirmReturnMs);

    // Assess
    expect(RETURN_CONFIRM_MS).toBe(20_000);
    expect(confirm).toEqual([20_000, 20_000, 30_000]);
  });
});

describe('Function: foldsInto', () => {
  it('puts a restart of a server into its open *_UNREACHABLE incident: that is it coming back', () => {
    // Prepare
    const open = [incident('REPLICA_LAGGING', 'open'), incident('REPLICA_UNREACHABLE', 'open')];

    // Act
    const host = foldsInto(finding('NODE_RESTARTED', 'warning'), open);

    // Assess
    expect(host?.code).toBe('REPLICA_UNREACHABLE');
  });

  it('lets a critical restart (a master back without failover) page on its own', () => {
    // Act
    const host = foldsInto(finding('NODE_RESTARTED', 'critical'), [incident('MASTER_UNREACHABLE', 'open')]);

    // Assess
    expect(host).toBeNull();
  });

  it('folds nothing into a pending or resolved incident, another server’s, or another kind of condition', () => {
    // Prepare
    const restart = finding('NODE_RESTARTED', 'warning');

    // Act
    const hosts = [
      [incident('REPLICA_UNREACHABLE', 'pending')],
      [incident('REPLICA_UNREACHABLE', 'resolved')],
      [incident('REPLICA_UNREACHABLE', 'open', 'node 10.0.1.63:6379')],
      [incident('REPLICA_LINK_DOWN', 'open')],
    ].map((incidents) => foldsInto(restart, incidents));

    // Assess
    expect(hosts).toEqual([null, null, null, null]);
  });

  it('folds only restarts: MASTER_CHANGED and FAILOVER_ABORTED always page', () => {
    // Prepare
    const open = [incident('REPLICA_UNREACHABLE', 'open')];

    // Act
    const hosts = ['MASTER_CHANGED', 'FAILOVER_ABORTED'].map((c) => foldsInto(finding(c, 'warning'), open));

    // Assess
    expect(hosts).toEqual([null, null]);
  });
});
