// sentinel-watch test-alert through every notifier's rendering: marked as a test wherever a person
// looks (title, Slack, PagerDuty's summary, the webhook's `test` field), mentioning nobody in Slack,
// and opened and resolved as one incident so the test proves the resolve path too.

import { renderAlert } from '../../../../lambdas/core/alert-text';
import { decodeSnsMessage } from '../../../../lambdas/core/notify/decode';
import type { Notice } from '../../../../lambdas/core/notify/notice';
import { pagerDutyEvent } from '../../../../lambdas/core/notify/pagerduty';
import { NO_PRESENTATION } from '../../../../lambdas/core/notify/presentation';
import { slackMessage } from '../../../../lambdas/core/slack-message';
import { TEST_ALERT_CODE, testAlertPair } from '../../../../lambdas/core/test-alert';
import { laggingOpened, PRESENTATION } from '../../../helpers/notify';

const OPENED_AT = Date.parse('2026-05-01T10:00:00.000Z');
const [opened, resolved] = testAlertPair(
  {
    deployment: 'orders-cache',
    stackName: 'SentinelWatch',
    severity: 'critical',
    by: 'alice',
    openedAt: OPENED_AT,
  },
  OPENED_AT + 10_000,
).map((n) => renderAlert(n, PRESENTATION).notice as Notice);

describe('Notice of sentinel-watch test-alert', () => {
  it('is marked as a test in its title and its test field; a finding is not', () => {
    // Assess
    expect([opened.test, opened.code, opened.title]).toEqual([
      true,
      TEST_ALERT_CODE,
      '[TEST] orders-cache: TEST_ALERT',
    ]);
    expect(resolved.incidentKey).toBe(opened.incidentKey);
    expect((renderAlert(laggingOpened, PRESENTATION).notice as Notice).test).toBe(false);
  });

  it('reaches Slack red then green, marked, and mentions nobody even at critical', () => {
    // Act
    const [first, second] = [opened, resolved].map((n) =>
      slackMessage(n, { mention: '<!here>', timeZone: null }),
    );

    // Assess
    expect(first.text).toBe(':red_circle: *CRITICAL* [TEST] orders-cache: TEST_ALERT');
    expect(second.text).toMatch(/^:large_green_circle: \*RESOLVED\* \[TEST\] orders-cache: TEST_ALERT/);
    expect(first.text).not.toContain('<!here>');
  });

  it('triggers and then resolves one PagerDuty incident whose summary says it is a test', () => {
    // Act
    const trigger = pagerDutyEvent(opened, 'KEY', null);
    const resolve = pagerDutyEvent(resolved, 'KEY', null);

    // Assess
    expect(trigger.payload?.summary).toMatch(
      /^\[TEST\] orders-cache: TEST_ALERT: TEST ALERT, nothing is wrong/,
    );
    expect([trigger.event_action, resolve.event_action]).toEqual(['trigger', 'resolve']);
    expect(resolve.dedup_key).toBe(trigger.dedup_key);
  });

  it('reads a notice published before `server` and `test` existed with their defaults', () => {
    // Prepare
    const { server: _s, test: _t, ...older } = opened;

    // Act
    const notice = decodeSnsMessage(
      {
        messageId: 'm-1',
        subject: null,
        message: JSON.stringify(older),
        timestamp: '2026-05-01T10:00:01.000Z',
        attributes: {},
      },
      NO_PRESENTATION,
    );

    // Assess
    expect([notice.kind, notice.server, notice.test]).toEqual(['alert', null, false]);
  });

  it('marks a plain-text message that carries the test attribute', () => {
    // Act
    const notice = decodeSnsMessage(
      {
        messageId: 'm-2',
        subject: '[TEST] [CRITICAL] orders-cache: TEST_ALERT',
        message: 'TEST ALERT, nothing is wrong.',
        timestamp: '2026-05-01T10:00:01.000Z',
        attributes: { test: 'true', severity: 'critical', type: 'opened' },
      },
      NO_PRESENTATION,
    );

    // Assess
    expect([notice.kind, notice.test]).toEqual(['message', true]);
  });
});
