import { renderAlert } from '../../../lambdas/core/alert-text';
import type { Notification } from '../../../lambdas/core/incidents';
import { SLACK_COLORS, type SlackBlock, slackMessage } from '../../../lambdas/core/slack-message';

const switchNotification: Notification = {
  type: 'event',
  code: 'MASTER_CHANGED',
  severity: 'critical',
  subject: 'deployment',
  message:
    'The sentinels switched the master of mymaster from 10.0.1.61:6379 to 10.0.1.63:6379. Check clients <now> & later.',
  deployment: 'prod-cache',
  at: '2026-05-01T10:00:00.000Z',
  incidentId: 'prod-cache:MASTER_CHANGED deployment@2026-05-01T10:00:00.000Z',
  openedAt: '2026-05-01T10:00:00.000Z',
  details: {
    previous: { host: '10.0.1.61', port: 6379 },
    current: { host: '10.0.1.63', port: 6379 },
    timeline: [
      {
        at: '2026-05-01T09:59:57.100Z',
        sentinel: '10.0.1.62:26379',
        type: '+sdown',
        detail: 'master mymaster 10.0.1.61 6379',
      },
    ],
  },
};

/** The SNS record's view of an alert: what the Slack Lambda receives. */
const asReceived = (n: Notification) => {
  const alert = renderAlert(n);
  return { subject: alert.subject, body: alert.body, attributes: alert.attributes };
};

const fieldTexts = (blocks: readonly SlackBlock[]): string[] =>
  ((blocks.find((b) => Array.isArray(b.fields))?.fields ?? []) as { text: string }[]).map((f) => f.text);

describe('Function: slackMessage', () => {
  it('renders a master switch: red bar, header, message, deployment and old/new master fields, timeline', () => {
    // Act
    const payload = slackMessage(asReceived(switchNotification));

    // Assess
    expect(payload.text).toBe('[CRITICAL] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379');
    const [attachment] = payload.attachments;
    expect(attachment.color).toBe(SLACK_COLORS.critical);
    expect(attachment.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: payload.text, emoji: false },
    });
    expect(attachment.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'The sentinels switched the master of mymaster from 10.0.1.61:6379 to 10.0.1.63:6379. Check clients &lt;now&gt; &amp; later.',
      },
    });
    expect(fieldTexts(attachment.blocks)).toEqual([
      '*Deployment*\nprod-cache',
      '*Subject*\ndeployment',
      '*Severity*\ncritical',
      '*Alert*\nMASTER_CHANGED (event)',
      '*Old master*\n10.0.1.61:6379',
      '*New master*\n10.0.1.63:6379',
    ]);
    expect(attachment.blocks[3]).toMatchObject({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: expect.stringMatching(/^\*Failover timeline\*\n```09:59:57\.100 +10\.0\.1\.62:26379 +\+sdown/),
      },
    });
    expect(attachment.blocks[4]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'sentinel-watch · MASTER_CHANGED · event' }],
    });
  });

  it('shows the server the alert is about as a field', () => {
    // Act
    const payload = slackMessage(
      asReceived({
        ...switchNotification,
        details: { ...switchNotification.details, serverVersions: 'valkey 8.0.1' },
      }),
    );

    // Assess
    expect(fieldTexts(payload.attachments[0].blocks)).toContain('*Server*\nvalkey 8.0.1');
  });

  it('renders a resolved incident green, saying how long it lasted', () => {
    // Act
    const payload = slackMessage(
      asReceived({
        type: 'resolved',
        code: 'REPLICA_LAGGING',
        severity: 'warning',
        subject: 'node 10.0.1.62:6379',
        message: 'Resolved after 12 min: REPLICA_LAGGING on node 10.0.1.62:6379 is no longer reported.',
        deployment: 'prod-cache',
        at: '2026-05-01T10:12:00.000Z',
        incidentId: 'i',
        openedAt: '2026-05-01T10:00:00.000Z',
        durationMs: 12 * 60_000,
      }),
    );

    // Assess
    const [attachment] = payload.attachments;
    expect(attachment.color).toBe(SLACK_COLORS.resolved);
    expect(payload.text).toBe('[RESOLVED] prod-cache: REPLICA_LAGGING node 10.0.1.62:6379 (lasted 12m)');
    expect((attachment.blocks[1].text as { text: string }).text).toMatch(
      /^:white_check_mark: Resolved after 12 min\. /,
    );
    expect(fieldTexts(attachment.blocks)).toContain('*Lasted*\n12 min');
    expect(
      attachment.blocks.some((b) =>
        String((b.text as { text?: string } | undefined)?.text).includes('timeline'),
      ),
    ).toBe(false);
  });

  it.each([
    ['warning', SLACK_COLORS.warning],
    ['info', SLACK_COLORS.info],
    ['unknown', SLACK_COLORS.warning],
  ])('colours severity %s as %s', (severity, color) => {
    expect(
      slackMessage({ subject: 's', body: 'b', attributes: { severity, type: 'opened' } }).attachments[0]
        .color,
    ).toBe(color);
  });

  it('stays within Block Kit limits for very long text', () => {
    // Act
    const payload = slackMessage({
      subject: 'x'.repeat(300),
      body: 'y'.repeat(5000),
      attributes: { severity: 'critical', type: 'opened', deployment: 'd' },
    });

    // Assess
    const [header, message] = payload.attachments[0].blocks;
    expect((header.text as { text: string }).text.length).toBeLessThanOrEqual(150);
    expect((message.text as { text: string }).text.length).toBeLessThanOrEqual(3000);
  });
});
