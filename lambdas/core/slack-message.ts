// A notice (an alert, a drill, or one of the watcher's own CloudWatch alarms) as a Slack incoming-webhook
// payload: one line that pages (the mention, the severity once, the headline), then a coloured
// attachment with the message, the facts as fields, the failover timeline as a list, and the runbook,
// dashboard and incident reference. Typed with Slack's own Block Kit types and checked against the
// documented limits (notify/slack-limits.ts) before posting. Pure.

import type { ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { formatDuration } from './detect/text';
import { ConfigError } from './errors';
import { formatWhen } from './notify/local-time';
import type { Notice } from './notify/notice';
import { SLACK_LIMITS, type SlackWebhookPayload } from './notify/slack-limits';
import { timelineHeading, timelineLine } from './notify/timeline-text';

export type { SlackWebhookPayload } from './notify/slack-limits';

/** Attachment bar colours: red critical / ALARM, amber warning, blue info, green resolved / OK. */
export const SLACK_COLORS = {
  critical: '#D72B3F',
  warning: '#F2A900',
  info: '#3B82F6',
  resolved: '#2EB67D',
  unknown: '#9E9EA6',
} as const;

const EMOJI = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  resolved: ':large_green_circle:',
  unknown: ':white_circle:',
} as const;

/** Who a page notifies: `<!here>`, `<!channel>`, a user `<@U123>`, a user group `<!subteam^S123>`, or nobody. */
export type SlackMention = string | null;

/**
 * `slackMention` of the config: `@here` (the default), `@channel`, `none`, a user (`<@U0123ABCD>`) or a
 * user group (`<!subteam^S0123ABCD>`), as Slack's mrkdwn needs it.
 */
export function parseSlackMention(value: string, field: string): SlackMention {
  const v = value.trim();
  if (v === 'none') return null;
  if (v === '@here' || v === '@channel') return `<!${v.slice(1)}>`;
  if (/^<@[UW][A-Z0-9]+>$/.test(v) || /^<!subteam\^S[A-Z0-9]+>$/.test(v)) return v;
  throw new ConfigError(
    field,
    `"${v}" is not "@here", "@channel", "none", a user "<@U0123ABCD>" or a group "<!subteam^S0123ABCD>"`,
  );
}

export interface SlackOptions {
  /** Mentioned on critical alerts that open or escalate, and on watcher alarms going to ALARM. */
  readonly mention: SlackMention;
  readonly timeZone: string | null;
}

type Tone = keyof typeof SLACK_COLORS;

export function slackMessage(notice: Notice, options: SlackOptions): SlackWebhookPayload {
  const tone = toneOf(notice);
  const mention = pages(notice) && options.mention ? `${options.mention} ` : '';
  const text = clip(
    `${mention}${EMOJI[tone]} *${tagOf(notice)}* ${mrkdwn(notice.title)}`,
    SLACK_LIMITS.messageText,
  );
  const blocks: KnownBlock[] = [section(messageText(notice))];
  const fields = factFields(notice, options.timeZone);
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  if (notice.timeline && notice.timeline.entries.length > 0) {
    const heading = `*${mrkdwn(timelineHeading(notice.timeline))}*`;
    const lines = notice.timeline.entries.map((e) => `• ${mrkdwn(timelineLine(e))}`);
    blocks.push(section(fitLines(heading, lines, notice.timeline.omitted, SLACK_LIMITS.sectionText)));
  }
  blocks.push(footer(notice));
  return {
    text,
    attachments: [{ color: SLACK_COLORS[tone], fallback: plainSummary(notice), blocks }],
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** What is posted when Slack rejects the formatted message: plain text, nothing that can be invalid. */
export function slackFallback(notice: Notice, rejection: string): SlackWebhookPayload {
  const links = [notice.links.runbook, notice.links.dashboard, notice.links.alarm].filter((l) => l !== null);
  const text = [
    `*${tagOf(notice)}* ${mrkdwn(notice.title)}`,
    mrkdwn(notice.message),
    ...links.map((l) => mrkdwn(l)),
    `_Incident ${notice.ref}. Slack refused the formatted message (${mrkdwn(rejection)}); this is its plain form._`,
  ].join('\n');
  return { text: clip(text, SLACK_LIMITS.messageText) };
}

function toneOf(n: Notice): Tone {
  if (n.status === 'resolved') return 'resolved';
  if (n.alarm) return n.alarm.state === 'ALARM' ? 'critical' : 'unknown';
  return n.severity;
}

function tagOf(n: Notice): string {
  if (n.alarm) return n.alarm.state === 'INSUFFICIENT_DATA' ? 'INSUFFICIENT DATA' : n.alarm.state;
  if (n.status === 'resolved') return 'RESOLVED';
  if (n.type === 'reminder' && n.escalatedFrom === null) return 'REMINDER';
  return n.severity.toUpperCase();
}

/** A mention wakes people: only for what needs a human now, never for a routine reminder. */
function pages(n: Notice): boolean {
  // A test of the alert path must arrive, not wake the channel.
  if (n.test) return false;
  if (n.alarm) return n.alarm.state === 'ALARM';
  if (n.status !== 'firing' || n.severity !== 'critical') return false;
  return n.type !== 'reminder' || n.escalatedFrom !== null;
}

function messageText(n: Notice): string {
  if (!n.alarm) return clip(mrkdwn(n.message), SLACK_LIMITS.sectionText);
  const reason = `*Reason:* ${mrkdwn(n.alarm.reason)}`;
  return clip(`${mrkdwn(n.message)}\n${reason}`, SLACK_LIMITS.sectionText);
}

function factFields(n: Notice, timeZone: string | null): MrkdwnElement[] {
  const when = (iso: string) => formatWhen(iso, timeZone);
  const facts: [string, string | null][] = n.alarm
    ? [
        ['State', n.alarm.previousState ? `${n.alarm.previousState} → ${n.alarm.state}` : n.alarm.state],
        ['Changed', when(n.at)],
        ['Deployment', n.deployment],
        ['Metric', n.alarm.metric],
        ['Account', n.alarm.account && n.alarm.region ? `${n.alarm.account} (${n.alarm.region})` : null],
      ]
    : [
        ['Deployment', n.deployment],
        // "deployment" says nothing the deployment field does not.
        ['About', n.subject === 'deployment' ? null : n.subject],
        ['Server', n.server],
        ['Old master', n.master?.previous ?? null],
        ['New master', n.master?.current ?? null],
        ...timeFacts(n, when),
        ['Drill', n.drillId],
      ];
  return facts
    .filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].trim() !== '')
    .slice(0, SLACK_LIMITS.fields)
    .map(([label, value]) => ({
      type: 'mrkdwn',
      text: clip(`*${label}*\n${mrkdwn(value)}`, SLACK_LIMITS.fieldText),
    }));
}

function timeFacts(n: Notice, when: (iso: string) => string): [string, string | null][] {
  const lasted = n.durationMs === null ? null : formatDuration(n.durationMs);
  switch (n.type) {
    case 'resolved':
      return [
        ['Opened', n.openedAt ? when(n.openedAt) : null],
        ['Lasted', lasted],
      ];
    case 'opened':
      return [['Since', n.openedAt ? when(n.openedAt) : when(n.at)]];
    case 'reminder':
      return [
        ['Since', n.openedAt ? when(n.openedAt) : null],
        ['Open for', lasted],
      ];
    default:
      return [['When', when(n.at)]];
  }
}

function footer(n: Notice): ContextBlock {
  const links = [
    n.links.runbook ? link(n.links.runbook, `Runbook: ${n.code}`) : null,
    n.links.dashboard ? link(n.links.dashboard, 'Dashboard') : null,
    n.links.alarm ? link(n.links.alarm, 'Alarm in CloudWatch') : null,
  ].filter((l) => l !== null);
  const elements: MrkdwnElement[] = [];
  if (links.length > 0) elements.push({ type: 'mrkdwn', text: links.join('  ·  ') });
  elements.push({
    type: 'mrkdwn',
    text: clip(`Incident \`${n.ref}\` · ${n.type} · sentinel-watch`, SLACK_LIMITS.sectionText),
  });
  return { type: 'context', elements };
}

const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** `<url|text>`, escaped: a `|` or `>` in either would end the link early. */
const link = (url: string, text: string): string =>
  `<${mrkdwn(url).replace(/\|/g, '%7C')}|${mrkdwn(text).replace(/\|/g, '/')}>`;

/** Heading and as many whole lines as fit, then how many were left out. */
function fitLines(heading: string, lines: readonly string[], omitted: number, max: number): string {
  const kept: string[] = [];
  let length = heading.length;
  for (const line of lines) {
    if (length + 1 + line.length > max - 40) break;
    kept.push(line);
    length += 1 + line.length;
  }
  const more = lines.length - kept.length + omitted;
  return [heading, ...kept, ...(more > 0 ? [`… ${more} more`] : [])].join('\n');
}

function plainSummary(n: Notice): string {
  return clip(`${tagOf(n)} ${n.title}`, 300);
}

/** Slack mrkdwn needs only these three escaped. */
const mrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
