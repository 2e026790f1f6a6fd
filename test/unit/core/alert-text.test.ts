import { compactDuration, MAX_SUBJECT_LENGTH, renderAlert } from '../../../lambdas/core/alert-text';
import { detect, emptyDetectionState } from '../../../lambdas/core/detect';
import { advanceIncidents, emptyIncidentState, type Notification } from '../../../lambdas/core/incidents';
import type { Snapshot } from '../../../lambdas/core/types';
import { healthySnapshot, MINUTE, NOW, testSettings } from '../helpers/snapshot-factory';

/** The MASTER_CHANGED notification the poller would produce for a failover from .61 to .63. */
function masterChanged(): Notification {
  const previous = healthySnapshot({ at: NOW - MINUTE }) as Snapshot;
  const current = healthySnapshot({ at: NOW, masterIndex: 2, configEpoch: 2 }) as Snapshot;
  const { findings } = detect({
    current,
    previous,
    state: emptyDetectionState(),
    settings: testSettings(),
    now: NOW,
  });
  const { notifications } = advanceIncidents({
    incidents: emptyIncidentState(),
    findings,
    deployment: 'prod-cache',
    now: NOW,
    reminderMinutes: 60,
  });
  const n = notifications.find((x) => x.code === 'MASTER_CHANGED');
  if (!n) throw new Error('no MASTER_CHANGED notification');
  return n;
}

const lagging = (patch: Partial<Notification> = {}): Notification => ({
  type: 'opened',
  code: 'REPLICA_LAGGING',
  severity: 'warning',
  subject: 'node 10.0.1.62:6379',
  message: 'Replica 10.0.1.62:6379 is 3.2 MiB behind its master (threshold 1 MiB).',
  deployment: 'prod-cache',
  at: '2026-05-01T10:00:00.000Z',
  incidentId: 'prod-cache:REPLICA_LAGGING node 10.0.1.62:6379@2026-05-01T10:00:00.000Z',
  openedAt: '2026-05-01T10:00:00.000Z',
  details: { lagBytes: 3_355_443 },
  ...patch,
});

describe('Function: renderAlert', () => {
  it('renders a master switch: subject with old → new, readable body, filterable attributes', () => {
    // Act
    const alert = renderAlert(masterChanged());

    // Assess
    expect(alert.subject).toBe('[CRITICAL] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379');
    expect(alert.attributes).toEqual({
      severity: 'critical',
      code: 'MASTER_CHANGED',
      deployment: 'prod-cache',
      type: 'event',
      subject: 'deployment',
      oldMaster: '10.0.1.61:6379',
      newMaster: '10.0.1.63:6379',
    });
    const [message, ...rest] = alert.body.split('\n\n');
    expect(message).toMatch(
      /^The sentinels switched the master of mymaster from 10\.0\.1\.61:6379 to 10\.0\.1\.63:6379\./,
    );
    expect(rest.join('\n\n')).toBe(
      [
        'Deployment:  prod-cache',
        'About:       deployment',
        'Alert:       MASTER_CHANGED (critical, event)',
        'Old master:  10.0.1.61:6379',
        'New master:  10.0.1.63:6379',
        'When:        2026-05-01T10:00:00.000Z',
        '',
        'What to do:',
        '  Check that clients reconnected to the new master (through Sentinel), find out why the old one failed, and check that it rejoins as a replica.',
        '',
        'Incident: prod-cache:MASTER_CHANGED deployment@2026-05-01T10:00:00.000Z',
        '-- sentinel-watch',
      ].join('\n'),
    );
    expect(alert.dedupeKey).toBe(
      'prod-cache:MASTER_CHANGED deployment@2026-05-01T10:00:00.000Z|event|2026-05-01T10:00:00.000Z',
    );
  });

  it('adds the failover timeline when the details carry one', () => {
    // Prepare
    const n = masterChanged();
    const timeline = [
      {
        at: '2026-05-01T09:59:57.100Z',
        sentinel: '10.0.1.62:26379',
        type: '+sdown',
        detail: 'master mymaster 10.0.1.61 6379',
      },
      {
        at: Date.parse('2026-05-01T09:59:58.300Z'),
        sentinel: '10.0.1.63:26379',
        type: '+switch-master',
        epoch: 2,
      },
    ];

    // Act
    const alert = renderAlert({ ...n, details: { ...n.details, timeline } });

    // Assess
    expect(alert.body).toContain(
      [
        'Failover timeline (sentinel events, UTC):',
        '  09:59:57.100  10.0.1.62:26379       +sdown             master mymaster 10.0.1.61 6379',
        '  09:59:58.300  10.0.1.63:26379       +switch-master     epoch=2',
      ].join('\n'),
    );
  });

  it('renders a drill switch as info and says nothing needs doing', () => {
    // Prepare
    const n = masterChanged();

    // Act
    const alert = renderAlert({ ...n, severity: 'info', details: { ...n.details, drillId: 'drill-42' } });

    // Assess
    expect(alert.subject).toBe('[INFO] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379 (drill)');
    expect(alert.attributes).toMatchObject({ severity: 'info', drillId: 'drill-42' });
    expect(alert.body).toContain('Drill:       drill-42');
    expect(alert.body).toContain('Nothing: this is the planned failover of a drill');
  });

  it('names the server the alert is about, for Slack and for SNS filters too', () => {
    // Act
    const alert = renderAlert(lagging({ details: { lagBytes: 3_355_443, serverVersion: 'valkey 8.0.1' } }));

    // Assess
    expect(alert.body).toContain('About:       node 10.0.1.62:6379\nServer:      valkey 8.0.1\n');
    expect(alert.attributes.server).toBe('valkey 8.0.1');
    expect(renderAlert(lagging()).body).not.toContain('Server');
  });

  it('renders a new condition with what, where and since when', () => {
    // Act
    const alert = renderAlert(lagging());

    // Assess
    expect(alert.subject).toBe('[WARNING] prod-cache: REPLICA_LAGGING node 10.0.1.62:6379');
    expect(alert.body).toContain('About:       node 10.0.1.62:6379');
    expect(alert.body).toContain('Since:       2026-05-01T10:00:00.000Z\n');
    expect(alert.body).toContain("Check the replica's CPU, disk and network");
  });

  it('renders a resolved incident with how long it lasted', () => {
    // Act
    const alert = renderAlert(
      lagging({
        type: 'resolved',
        at: '2026-05-01T10:13:00.000Z',
        durationMs: 12 * MINUTE,
        message: 'Resolved after 12 min: REPLICA_LAGGING on node 10.0.1.62:6379 is no longer reported.',
      }),
    );

    // Assess
    expect(alert.subject).toBe('[RESOLVED] prod-cache: REPLICA_LAGGING node 10.0.1.62:6379 (lasted 12m)');
    expect(alert.attributes).toMatchObject({ type: 'resolved', severity: 'warning', lasted: '12 min' });
    expect(alert.body).toContain(
      [
        'Opened:      2026-05-01T10:00:00.000Z',
        'Resolved:    2026-05-01T10:13:00.000Z',
        'Lasted:      12 min',
      ].join('\n'),
    );
    expect(alert.body).toContain('Nothing now.');
  });

  it('renders reminders, and escalations with the severity they had', () => {
    // Act
    const reminder = renderAlert(lagging({ type: 'reminder', durationMs: 65 * MINUTE }));
    const escalated = renderAlert(
      lagging({
        type: 'reminder',
        code: 'REPLICA_COUNT_LOW',
        subject: 'deployment',
        severity: 'critical',
        durationMs: 5 * MINUTE,
        details: { escalatedFrom: 'warning' },
      }),
    );

    // Assess
    expect(reminder.subject).toBe('[REMINDER] prod-cache: REPLICA_LAGGING node 10.0.1.62:6379 (open 65m)');
    expect(reminder.body).toContain('(warning, still open)');
    expect(reminder.body).toContain('Since:       2026-05-01T10:00:00.000Z (open 65 min)');
    expect(escalated.subject).toBe('[CRITICAL] prod-cache: REPLICA_COUNT_LOW (was warning)');
    expect(escalated.body).toContain('(critical, now more severe, was warning)');
  });

  it('keeps the subject under 100 characters, on one line, keeping the tag and the duration', () => {
    // Act
    const alert = renderAlert(
      lagging({
        type: 'resolved',
        deployment: 'a-very-long-deployment-name-for-the-orders-cache-in-eu-west-1-xx',
        subject: 'node [2001:db8:85a3:1234:5678:8a2e:370:7334]:6379\nsecond line',
        durationMs: 3 * 3600_000,
      }),
    );

    // Assess
    expect(alert.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(alert.subject).toBe(
      '[RESOLVED] a-very-long-deployment-name-for-the-orders-cach...: REPLICA_LAGGING node ... (lasted 3h)',
    );
    expect(alert.subject).not.toMatch(/[\r\n]/);
  });

  it('shows only named details, never a dump of the rest', () => {
    // Act
    const alert = renderAlert(lagging({ details: { lagBytes: 1, anything: 'must-not-appear' } }));

    // Assess
    expect(alert.body).not.toContain('must-not-appear');
    expect(JSON.stringify(alert.attributes)).not.toContain('must-not-appear');
  });
});

describe('Function: compactDuration', () => {
  it.each([
    [850, '1s'],
    [45_000, '45s'],
    [12 * MINUTE, '12m'],
    [125 * MINUTE, '2h5m'],
    [3 * 86_400_000 + 4 * 3600_000, '3d4h'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(compactDuration(ms)).toBe(text);
  });
});
