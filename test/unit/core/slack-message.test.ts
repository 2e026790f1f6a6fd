import type { MrkdwnElement, SectionBlock } from '@slack/types';
import { renderAlert } from '../../../lambdas/core/alert-text';
import type { Notification } from '../../../lambdas/core/incidents';
import type { Notice } from '../../../lambdas/core/notify/notice';
import { slackPayloadProblems } from '../../../lambdas/core/notify/slack-limits';
import {
  parseSlackMention,
  SLACK_COLORS,
  type SlackWebhookPayload,
  slackFallback,
  slackMessage,
} from '../../../lambdas/core/slack-message';
import {
  alarmFixtures,
  alarmNotice,
  laggingOpened,
  laggingResolved,
  masterDownOpened,
  PRESENTATION,
  switchNotification,
} from '../../helpers/notify';

const OPTIONS = { mention: '<!here>', timeZone: 'Europe/Berlin' };

const noticeOf = (n: Notification): Notice => renderAlert(n, PRESENTATION).notice as Notice;

const blocksOf = (p: SlackWebhookPayload) => p.attachments?.[0]?.blocks ?? [];
const fieldTexts = (p: SlackWebhookPayload): string[] =>
  blocksOf(p).flatMap((b) => ((b as SectionBlock).fields ?? []).map((f) => (f as MrkdwnElement).text));
const allText = (p: SlackWebhookPayload): string => JSON.stringify(p);

describe('Function: slackMessage', () => {
  it('renders a master switch: one headline with the severity once, the facts, the timeline as a list', () => {
    // Act
    const payload = slackMessage(noticeOf(switchNotification), OPTIONS);

    // Assess
    expect(payload.text).toBe(
      '<!here> :red_circle: *CRITICAL* prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379',
    );
    expect(payload.attachments?.[0]?.color).toBe(SLACK_COLORS.critical);
    // What Slack shows: the text line and the blocks (the attachment's fallback is for old clients).
    const shown = JSON.stringify({ text: payload.text, blocks: blocksOf(payload) });
    expect(shown.match(/critical/gi)).toHaveLength(1);
    expect(fieldTexts(payload)).toEqual([
      '*Deployment*\nprod-cache',
      '*Old master*\n10.0.1.61:6379',
      '*New master*\n10.0.1.63:6379',
      '*When*\n2026-05-01 03:12:04 Europe/Berlin (01:12:04 UTC)',
    ]);
    const timeline = (blocksOf(payload)[2] as SectionBlock).text?.text ?? '';
    expect(timeline).toContain('led by sentinel 10.0.1.62:26379');
    expect(timeline).toContain(
      '• +1.22 s · 01:12:01.620 · +switch-master mymaster 10.0.1.61 6379 10.0.1.63 6379',
    );
    expect(timeline).not.toContain('```');
    expect(slackPayloadProblems(payload)).toEqual([]);
  });

  it('links the runbook section and the dashboard, and names the incident so opened and resolved match', () => {
    // Act
    const opened = slackMessage(noticeOf(laggingOpened), OPTIONS);
    const resolved = slackMessage(noticeOf(laggingResolved), OPTIONS);

    // Assess
    const footer = (p: SlackWebhookPayload) => JSON.stringify(blocksOf(p).at(-1));
    expect(footer(opened)).toContain(
      `<${PRESENTATION.runbookBaseUrl}#replica-lagging|Runbook: REPLICA_LAGGING>`,
    );
    expect(footer(opened)).toContain('|Dashboard>');
    const ref = noticeOf(laggingOpened).ref;
    expect(footer(opened)).toContain(`Incident \`${ref}\` · opened`);
    expect(footer(resolved)).toContain(`Incident \`${ref}\` · resolved`);
  });

  it('shows the server the alert is about as a field', () => {
    // Act
    const payload = slackMessage(
      noticeOf({
        ...switchNotification,
        details: { ...switchNotification.details, serverVersions: 'valkey 8.0.1' },
      }),
      OPTIONS,
    );

    // Assess
    expect(fieldTexts(payload)).toContain('*Server*\nvalkey 8.0.1');
  });

  it('renders a resolved incident green, with how long it lasted, and without a mention', () => {
    // Act
    const payload = slackMessage(noticeOf({ ...laggingResolved, severity: 'critical' }), OPTIONS);

    // Assess
    expect(payload.text).toBe(
      ':large_green_circle: *RESOLVED* prod-cache: REPLICA_LAGGING node 10.0.1.62:6379 (lasted 12m)',
    );
    expect(payload.attachments?.[0]?.color).toBe(SLACK_COLORS.resolved);
    expect(fieldTexts(payload)).toContain('*Lasted*\n12 min');
  });

  it('mentions only for critical pages: not warnings, not routine reminders, yes escalations', () => {
    // Act
    const warning = slackMessage(noticeOf(laggingOpened), OPTIONS);
    const critical = slackMessage(noticeOf(masterDownOpened), OPTIONS);
    const reminder = slackMessage(
      noticeOf({ ...masterDownOpened, type: 'reminder', durationMs: 3_600_000 }),
      OPTIONS,
    );
    const escalation = slackMessage(
      noticeOf({ ...masterDownOpened, type: 'reminder', details: { escalatedFrom: 'warning' } }),
      OPTIONS,
    );
    const nobody = slackMessage(noticeOf(masterDownOpened), { ...OPTIONS, mention: null });

    // Assess
    expect(warning.text).not.toContain('<!here>');
    expect(critical.text.startsWith('<!here> ')).toBe(true);
    expect(reminder.text).not.toContain('<!here>');
    expect(reminder.text).toContain('*REMINDER*');
    expect(escalation.text.startsWith('<!here> ')).toBe(true);
    expect(nobody.text).not.toContain('<!');
  });

  it.each(alarmFixtures())('renders the recorded CloudWatch alarm %s within Block Kit limits', (file) => {
    // Act
    const payload = slackMessage(alarmNotice(file), OPTIONS);

    // Assess
    expect(slackPayloadProblems(payload)).toEqual([]);
    for (const block of blocksOf(payload)) {
      const fields = (block as SectionBlock).fields;
      if (fields !== undefined) expect(fields.length).toBeGreaterThan(0);
    }
  });

  it('renders ALARM in red with the reason and a mention, OK in green without one', () => {
    // Act
    const alarm = slackMessage(alarmNotice('poller-errors-alarm.json'), OPTIONS);
    const ok = slackMessage(alarmNotice('poller-errors-ok.json'), OPTIONS);

    // Assess
    expect(alarm.text).toBe('<!here> :red_circle: *ALARM* SentinelWatch-poller-errors is in ALARM');
    expect(alarm.attachments?.[0]?.color).toBe(SLACK_COLORS.critical);
    expect(allText(alarm)).toContain(
      '*Reason:* Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/05/26 10:00:00)] was greater than or equal to the threshold (1.0)',
    );
    expect(fieldTexts(alarm)).toEqual([
      '*State*\nOK → ALARM',
      '*Changed*\n2026-05-01 12:05:12 Europe/Berlin (10:05:12 UTC)',
      '*Metric*\nAWS/Lambda Errors (FunctionName=SentinelWatch-PollerFunctionB4B5A4E1-Xy12AbCdEf34), sum over 300 s',
      '*Account*\n123456789012 (us-east-1)',
    ]);
    expect(allText(alarm)).toContain('#alarmsV2:alarm/SentinelWatch-poller-errors|Alarm in CloudWatch>');
    expect(ok.text).toBe(':large_green_circle: *OK* SentinelWatch-poller-errors is OK (was ALARM)');
    expect(ok.attachments?.[0]?.color).toBe(SLACK_COLORS.resolved);
  });

  it('stays within Block Kit limits for very long text, many timeline entries and odd characters', () => {
    // Prepare
    const entries = Array.from({ length: 100 }, (_, i) => ({
      at: new Date(Date.parse('2026-05-01T01:12:00Z') + i * 10).toISOString(),
      sentinel: '10.0.1.62:26379',
      type: '+sdown',
      detail: `slave 10.0.1.${i}:6379 ${'x'.repeat(80)} <&>`,
    }));
    const n: Notification = {
      ...switchNotification,
      deployment: 'd'.repeat(64),
      message: `<script>&${'m'.repeat(5000)}`,
      details: { ...switchNotification.details, timeline: { leader: null, entries } },
    };

    // Act
    const payload = slackMessage(noticeOf(n), OPTIONS);

    // Assess
    expect(slackPayloadProblems(payload)).toEqual([]);
    expect(allText(payload)).not.toContain('<script>');
    expect(allText(payload)).toMatch(/… \d+ more/);
  });
});

describe('Function: slackPayloadProblems', () => {
  it('finds what Slack rejects: an empty fields array, empty text, a header over 150 characters', () => {
    // Act
    const problems = slackPayloadProblems({
      text: 'x',
      attachments: [
        {
          blocks: [
            { type: 'section', fields: [] },
            { type: 'section', text: { type: 'mrkdwn', text: '' } },
            { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
            { type: 'context', elements: [] },
          ],
        },
      ],
    });

    // Assess
    expect(problems).toEqual([
      'attachments[0].blocks[0].fields: 0 fields (1 to 10)',
      'attachments[0].blocks[1].text: empty text',
      'attachments[0].blocks[2].text: 151 characters (max 150)',
      'attachments[0].blocks[3].elements: 0 elements (1 to 10)',
    ]);
  });
});

describe('Function: slackFallback', () => {
  it('is plain text with the headline, the message, the links and why it is plain', () => {
    // Act
    const payload = slackFallback(noticeOf(laggingOpened), 'HTTP 400 invalid_blocks');

    // Assess
    expect(Object.keys(payload)).toEqual(['text']);
    expect(payload.text).toContain('*WARNING* prod-cache: REPLICA_LAGGING node 10.0.1.62:6379');
    expect(payload.text).toContain('#replica-lagging');
    expect(payload.text).toContain('HTTP 400 invalid_blocks');
    expect(slackPayloadProblems(payload)).toEqual([]);
  });
});

describe('Function: parseSlackMention', () => {
  it.each([
    ['@here', '<!here>'],
    ['@channel', '<!channel>'],
    ['none', null],
    ['<@U0123ABCD>', '<@U0123ABCD>'],
    ['<!subteam^S0123ABCD>', '<!subteam^S0123ABCD>'],
  ])('reads %s', (value, expected) => {
    expect(parseSlackMention(value, 'slackMention')).toBe(expected);
  });

  it('refuses anything else, naming the field', () => {
    expect(() => parseSlackMention('here', 'slackMention')).toThrow(
      'slackMention: "here" is not "@here", "@channel", "none", a user "<@U0123ABCD>" or a group "<!subteam^S0123ABCD>"',
    );
  });
});
