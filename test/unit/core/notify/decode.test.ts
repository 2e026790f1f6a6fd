import { renderAlert } from '../../../../lambdas/core/alert-text';
import { isoTime } from '../../../../lambdas/core/notify/alarm';
import { decodeSnsMessage } from '../../../../lambdas/core/notify/decode';
import { alarmConsoleUrl, catalogueAnchor, runbookUrl } from '../../../../lambdas/core/notify/links';
import { checkTimeZone, formatWhen } from '../../../../lambdas/core/notify/local-time';
import { loadPresentation, NO_PRESENTATION } from '../../../../lambdas/core/notify/presentation';
import { alarmNotice, laggingOpened, PRESENTATION, snsEventFor } from '../../../helpers/notify';

describe('Function: decodeSnsMessage', () => {
  it('reads back the notice the poller published, as Lambda receives it', () => {
    // Prepare
    const sns = snsEventFor(laggingOpened).Records[0].Sns;

    // Act
    const notice = decodeSnsMessage(
      {
        messageId: sns.MessageId,
        subject: sns.Subject ?? null,
        message: sns.Message,
        timestamp: sns.Timestamp,
        attributes: {},
      },
      NO_PRESENTATION,
    );

    // Assess
    expect(notice).toEqual(renderAlert(laggingOpened, PRESENTATION).notice);
  });

  it('turns a recorded CloudWatch alarm into a firing, then a resolved notice with the same key', () => {
    // Act
    const alarm = alarmNotice('poller-errors-alarm.json');
    const ok = alarmNotice('poller-errors-ok.json');

    // Assess
    expect(alarm).toMatchObject({
      kind: 'watcher-alarm',
      type: 'alarm',
      status: 'firing',
      severity: 'critical',
      code: 'WATCHER_ALARM',
      title: 'SentinelWatch-poller-errors is in ALARM',
      at: '2026-05-01T10:05:12.345Z',
      alarm: {
        name: 'SentinelWatch-poller-errors',
        state: 'ALARM',
        previousState: 'OK',
        region: 'us-east-1',
      },
      links: { runbook: `${PRESENTATION.runbookBaseUrl}#watcher-alarm` },
    });
    expect(ok).toMatchObject({ status: 'resolved', severity: 'info', incidentKey: alarm.incidentKey });
    expect(ok.id).not.toBe(alarm.id);
  });

  it('takes the deployment from an alarm on a per-deployment metric', () => {
    expect(alarmNotice('alerts-dropped-insufficient-data.json')).toMatchObject({
      deployment: 'orders-cache',
      status: 'firing',
      severity: 'warning',
      title: 'SentinelWatch-alerts-dropped-orders-cache has insufficient data',
    });
  });

  it('delivers any other message as plain text with what its attributes say, never drops it', () => {
    // Act
    const notice = decodeSnsMessage(
      {
        messageId: 'm-9',
        subject: '[sentinel-watch] orders-cache: failover drill PASSED',
        message: 'Failover drill of orders-cache ...\nPASSED',
        timestamp: '2026-05-01T10:00:00.000Z',
        attributes: {
          severity: 'info',
          code: 'DRILL_PASSED',
          deployment: 'orders-cache',
          type: 'drill',
          dedupeKey: 'drill:orders-cache:d1',
        },
      },
      PRESENTATION,
    );

    // Assess
    expect(notice).toMatchObject({
      kind: 'message',
      id: 'drill:orders-cache:d1',
      severity: 'info',
      code: 'DRILL_PASSED',
      deployment: 'orders-cache',
      title: '[sentinel-watch] orders-cache: failover drill PASSED',
      status: 'firing',
    });
  });

  it('treats a JSON object that is neither a notice nor an alarm as text', () => {
    const notice = decodeSnsMessage(
      { messageId: 'm', subject: null, message: '{"hello": 1}', timestamp: 'x', attributes: {} },
      NO_PRESENTATION,
    );
    expect(notice).toMatchObject({
      kind: 'message',
      message: '{"hello": 1}',
      severity: 'info',
      code: 'MESSAGE',
    });
  });
});

describe('Links and times', () => {
  it('links each code to its catalogue anchor, or fills a {code} template', () => {
    expect(catalogueAnchor('MASTER_CHANGED')).toBe('master-changed');
    expect(runbookUrl('https://x.example/docs/alert-catalogue.md#old', 'NO_QUORUM')).toBe(
      'https://x.example/docs/alert-catalogue.md#no-quorum',
    );
    expect(runbookUrl('https://wiki.example.com/redis/{code}', 'NO_QUORUM')).toBe(
      'https://wiki.example.com/redis/NO_QUORUM',
    );
    expect(runbookUrl(null, 'NO_QUORUM')).toBeNull();
    expect(alarmConsoleUrl('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a b')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%20b',
    );
  });

  it('shows local time beside UTC, with the UTC date when it differs', () => {
    expect(formatWhen('2026-05-01T22:30:00.000Z', 'Europe/Berlin')).toBe(
      '2026-05-02 00:30:00 Europe/Berlin (2026-05-01 22:30:00 UTC)',
    );
    expect(formatWhen('2026-01-15T10:00:00Z', 'America/New_York')).toBe(
      '2026-01-15 05:00:00 America/New_York (10:00:00 UTC)',
    );
    expect(formatWhen('2026-05-01T10:00:00Z', null)).toBe('2026-05-01 10:00:00 UTC');
    expect(formatWhen('2026-05-01T10:00:00Z', 'UTC')).toBe('2026-05-01 10:00:00 UTC');
  });

  it("reads CloudWatch's +0000 offsets", () => {
    expect(isoTime('2026-05-01T10:05:12.345+0000')).toBe('2026-05-01T10:05:12.345Z');
    expect(isoTime('not a time')).toBeNull();
  });

  it('validates the zone and the URLs of the environment, naming the variable', () => {
    expect(checkTimeZone('europe/berlin', 'alertTimeZone')).toBe('Europe/Berlin');
    expect(() => checkTimeZone('Mars/Olympus', 'alertTimeZone')).toThrow(
      'alertTimeZone: "Mars/Olympus" is not an IANA time zone name',
    );
    expect(() => loadPresentation({ DASHBOARD_URL: 'ftp://x' })).toThrow(
      'DASHBOARD_URL: "ftp://x" is not an http(s) URL',
    );
    expect(loadPresentation({ ALERT_TIME_ZONE: ' ' })).toEqual(NO_PRESENTATION);
  });
});
