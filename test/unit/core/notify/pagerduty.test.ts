import { renderAlert } from '../../../../lambdas/core/alert-text';
import type { Notification } from '../../../../lambdas/core/incidents';
import type { Notice } from '../../../../lambdas/core/notify/notice';
import { fitDedupKey, pagerDutyEvent } from '../../../../lambdas/core/notify/pagerduty';
import {
  alarmFixtures,
  alarmNotice,
  laggingOpened,
  laggingResolved,
  PRESENTATION,
  pagerDutyProblems,
  switchNotification,
} from '../../../helpers/notify';

const KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
const noticeOf = (n: Notification): Notice => renderAlert(n, PRESENTATION).notice as Notice;
const eventOf = (n: Notice) => pagerDutyEvent(n, KEY, 'Europe/Berlin');

describe('Function: pagerDutyEvent', () => {
  it('triggers an opened incident keyed by its incident id, with the documented fields only', () => {
    // Act
    const event = eventOf(noticeOf(laggingOpened));

    // Assess
    expect(pagerDutyProblems(JSON.stringify(event))).toEqual([]);
    expect(event).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: laggingOpened.incidentId,
      payload: {
        source: '10.0.1.62:6379',
        severity: 'warning',
        timestamp: '2026-05-01T10:00:00.000Z',
        component: 'node 10.0.1.62:6379',
        group: 'prod-cache',
        class: 'REPLICA_LAGGING',
      },
      links: [
        { href: `${PRESENTATION.runbookBaseUrl}#replica-lagging`, text: 'Runbook: REPLICA_LAGGING' },
        { href: PRESENTATION.dashboardUrl, text: 'sentinel-watch dashboard' },
      ],
      client: 'sentinel-watch',
    });
    expect(event.payload?.summary).toBe(
      'prod-cache: REPLICA_LAGGING node 10.0.1.62:6379: Replica 10.0.1.62:6379 is 3.2 MiB behind its master (threshold 1 MiB). Check its CPU, disk and network.',
    );
  });

  it('resolves with the same key when the incident is resolved, and sends nothing else', () => {
    // Act
    const opened = eventOf(noticeOf(laggingOpened));
    const resolved = eventOf(noticeOf(laggingResolved));

    // Assess
    expect(resolved).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: opened.dedup_key });
    expect(pagerDutyProblems(JSON.stringify(resolved))).toEqual([]);
  });

  it('makes an event its own incident, with old and new master and the failover timeline', () => {
    // Act
    const event = eventOf(noticeOf(switchNotification));

    // Assess
    expect(event.event_action).toBe('trigger');
    expect(event.dedup_key).toBe(switchNotification.incidentId);
    expect(event.payload?.severity).toBe('critical');
    expect(event.payload?.source).toBe('prod-cache');
    expect(event.payload?.custom_details).toMatchObject({
      deployment: 'prod-cache',
      subject: 'deployment',
      old_master: '10.0.1.61:6379',
      new_master: '10.0.1.63:6379',
      when: '2026-05-01 03:12:04 Europe/Berlin (01:12:04 UTC)',
      failover_leader: '10.0.1.62:26379',
      details: { cause: 'crash' },
    });
    const timeline = event.payload?.custom_details?.failover_timeline as string[];
    expect(timeline).toHaveLength(6);
    expect(timeline[0]).toBe(
      '+0.00 s · 01:12:00.402 · +sdown master mymaster 10.0.1.61 6379 · sentinel 10.0.1.61:26379',
    );
  });

  it.each([
    ['critical', 'critical'],
    ['warning', 'warning'],
    ['info', 'info'],
  ] as const)('maps severity %s to %s', (severity, expected) => {
    expect(eventOf(noticeOf({ ...laggingOpened, severity })).payload?.severity).toBe(expected);
  });

  it.each(alarmFixtures())('turns the recorded CloudWatch alarm %s into a valid event', (file) => {
    // Act
    const notice = alarmNotice(file);
    const event = eventOf(notice);

    // Assess
    expect(pagerDutyProblems(JSON.stringify(event))).toEqual([]);
    expect(event.dedup_key).toMatch(/^alarm:arn:aws:cloudwatch:us-east-1:123456789012:alarm:SentinelWatch-/);
    expect(event.event_action).toBe(notice.alarm?.state === 'OK' ? 'resolve' : 'trigger');
  });

  it('pages a watcher alarm as "error", with the reason and the alarm link', () => {
    // Act
    const event = eventOf(alarmNotice('poller-not-running-alarm.json'));

    // Assess
    expect(event.payload?.severity).toBe('error');
    expect(event.payload?.custom_details).toMatchObject({
      alarm_reason:
        'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].',
      alarm_metric: 'Successful poller runs: FILL(invocations, 0) - FILL(errors, 0)',
    });
    expect(event.links?.map((l) => l.text)).toEqual([
      'Runbook: WATCHER_ALARM',
      'sentinel-watch dashboard',
      'The alarm in CloudWatch',
    ]);
  });

  it('keeps the summary within 1024 characters and the dedup key within 255', () => {
    // Act
    const event = eventOf(
      noticeOf({ ...laggingOpened, message: 'x'.repeat(5000), incidentId: `k${'y'.repeat(400)}` }),
    );

    // Assess
    expect(pagerDutyProblems(JSON.stringify(event))).toEqual([]);
    expect(event.payload?.summary.length).toBe(1024);
    expect(event.dedup_key.length).toBe(255);
  });
});

describe('Function: fitDedupKey', () => {
  it('keeps keys up to 255 characters, and keeps longer ones distinct', () => {
    expect(fitDedupKey('a'.repeat(255))).toBe('a'.repeat(255));
    expect(fitDedupKey(`${'a'.repeat(300)}1`)).not.toBe(fitDedupKey(`${'a'.repeat(300)}2`));
  });
});
