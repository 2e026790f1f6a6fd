// An alert as it arrives from SNS (subject, plain-text body, message attributes) turned into a Slack
// incoming-webhook payload: a coloured attachment with Block Kit blocks. Pure.
//
// The body is the one alert-text.ts renders: its first paragraph is the finding's message, and an
// optional "Failover timeline" section lists the sentinels' events. Everything structured (deployment,
// old/new master, how long it lasted) comes from the message attributes.

/** What the Slack notifier reads of one SNS record. */
export interface SlackAlertInput {
  readonly subject: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface SlackBlock {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface SlackPayload {
  /** Shown in notifications and by clients that cannot render blocks. */
  readonly text: string;
  readonly attachments: readonly {
    readonly color: string;
    readonly fallback: string;
    readonly blocks: readonly SlackBlock[];
  }[];
}

/** Attachment bar colours: red critical, amber warning, blue info, green resolved. */
export const SLACK_COLORS = {
  critical: '#D72B3F',
  warning: '#F2A900',
  info: '#3B82F6',
  resolved: '#2EB67D',
} as const;

// Block Kit limits: header text 150, section text 3000, field text 2000, 10 fields.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

export function slackMessage(input: SlackAlertInput): SlackPayload {
  const a = input.attributes;
  const resolved = a.type === 'resolved';
  const color = resolved
    ? SLACK_COLORS.resolved
    : (SLACK_COLORS[a.severity as keyof typeof SLACK_COLORS] ?? SLACK_COLORS.warning);
  const subject = input.subject.trim() || `${a.code ?? 'Alert'} on ${a.deployment ?? 'a deployment'}`;
  const { message, timeline } = splitBody(input.body);

  const fields: [string, string | undefined][] = [
    ['Deployment', a.deployment],
    ['Subject', a.subject],
    ['Server', a.server],
    ['Severity', a.severity],
    ['Alert', a.code ? `${a.code} (${a.type ?? 'alert'})` : undefined],
    ['Old master', a.oldMaster],
    ['New master', a.newMaster],
    ['Lasted', resolved ? a.lasted : undefined],
    ['Drill', a.drillId],
  ];
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(subject, HEADER_MAX), emoji: false } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          resolved && a.lasted ? `:white_check_mark: Resolved after ${a.lasted}. ${message}` : message,
          SECTION_MAX,
        ),
      },
    },
    {
      type: 'section',
      fields: fields
        .filter((f): f is [string, string] => typeof f[1] === 'string' && f[1] !== '')
        .slice(0, 10)
        .map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${mrkdwn(value)}`, FIELD_MAX) })),
    },
  ];
  if (timeline.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`*Failover timeline*\n\`\`\`${timeline.join('\n')}\`\`\``, SECTION_MAX, '```'),
      },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: mrkdwn(`sentinel-watch · ${a.code ?? 'alert'} · ${a.type ?? ''}`.trim()) },
    ],
  });

  return { text: subject, attachments: [{ color, fallback: subject, blocks }] };
}

/** The message paragraph (escaped for mrkdwn) and the timeline lines, from an alert body. */
function splitBody(body: string): { message: string; timeline: string[] } {
  const paragraphs = body.replace(/\r\n/g, '\n').split(/\n\s*\n/);
  const message = mrkdwn((paragraphs[0] ?? '').trim()) || '(no message)';
  const section = paragraphs.find((p) => p.startsWith('Failover timeline'));
  const timeline = section
    ? section
        .split('\n')
        .slice(1)
        .map((l) => mrkdwn(l.trim()))
        .filter((l) => l !== '')
    : [];
  return { message, timeline };
}

/** Slack mrkdwn needs only these three escaped. */
const mrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function clip(text: string, max: number, closing = ''): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1 - closing.length)}…${closing}`;
}
