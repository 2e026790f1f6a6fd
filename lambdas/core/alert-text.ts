// One notification in, one alert message out: the subject an email client shows, a plain-text body a
// person reads on a phone at night, the attributes SNS subscriptions filter on, and the structured
// notice (notify/notice.ts) that the Slack, PagerDuty and webhook notifiers render from. Pure.
//
// The text is built only from the notification (code, subject, message, times and a few named
// details) and the presentation settings: never from the rest of the config, so no password, secret
// ARN or other setting can end up in an alert.
//
// Read at 3 am: the finding's message already says what is wrong and what to do, so the body does not
// repeat advice; times are shown in the team's zone beside UTC; the failover timeline reads line by line
// in any font; the runbook (the code's catalogue section) and the dashboard are one click away.

import { formatDuration } from './detect/text';
import type { Notification } from './incidents';
import { drillIdOf, escalatedFromOf, headline, masterSwitch, type Switch } from './notify/headline';
import { formatWhen } from './notify/local-time';
import { type Notice, noticeFromNotification, notificationKey } from './notify/notice';
import { NO_PRESENTATION, type Presentation } from './notify/presentation';
import { timelineHeading, timelineLines } from './notify/timeline-text';
import type { AlertMessage } from './ports';

export { compactDuration } from './notify/headline';

/** SNS: "less than 100 characters", no line breaks or control characters. */
export const MAX_SUBJECT_LENGTH = 99;
/** Timeline lines shown in a body; the rest are counted. */
const MAX_TIMELINE_LINES = 30;

export function renderAlert(n: Notification, presentation: Presentation = NO_PRESENTATION): AlertMessage {
  const switched = masterSwitch(n);
  const notice = noticeFromNotification(n, presentation);
  const drill = drillIdOf(n);
  return {
    subject: renderSubject(n),
    body: renderBody(n, switched, presentation, notice),
    attributes: {
      severity: n.severity,
      code: n.code,
      deployment: n.deployment,
      type: n.type,
      subject: n.subject,
      ...(switched ? { oldMaster: switched.from, newMaster: switched.to } : {}),
      ...(n.type === 'resolved' && n.durationMs !== undefined
        ? { lasted: formatDuration(n.durationMs) }
        : {}),
      ...(drill ? { drillId: drill } : {}),
      ...(notice.server ? { server: notice.server } : {}),
    },
    dedupeKey: dedupeKey(n),
    notice,
  };
}

/** One notification of one incident transition: the same key means the same alert. */
export const dedupeKey = notificationKey;

function renderSubject(n: Notification): string {
  const h = headline(n);
  return fitSubject(`[${h.tag}]`, h.deployment, h.what, h.suffix);
}

/**
 * Keeps the tag and the suffix whole; when the whole is too long, shortens what it is about (to no
 * less than 24 characters) and then the deployment name, each marked with "...".
 */
function fitSubject(tag: string, deployment: string, what: string, suffix: string): string {
  const full = `${tag} ${deployment}: ${what}${suffix}`;
  if (full.length <= MAX_SUBJECT_LENGTH) return full;
  const fixed = tag.length + 3 + suffix.length;
  const whatRoom = Math.max(24, MAX_SUBJECT_LENGTH - fixed - deployment.length);
  const shortWhat = what.length > whatRoom ? `${what.slice(0, whatRoom - 3)}...` : what;
  const nameRoom = MAX_SUBJECT_LENGTH - fixed - shortWhat.length;
  const shortName =
    deployment.length > nameRoom ? `${deployment.slice(0, Math.max(1, nameRoom - 3))}...` : deployment;
  return `${tag} ${shortName}: ${shortWhat}${suffix}`.slice(0, MAX_SUBJECT_LENGTH);
}

function renderBody(
  n: Notification,
  switched: Switch | null,
  presentation: Presentation,
  notice: Notice,
): string {
  const when = (iso: string) => formatWhen(iso, presentation.timeZone);
  const lines: string[] = [n.message, ''];
  const field = (label: string, value: string) => lines.push(`${label}: ${value}`);
  field('Deployment', n.deployment);
  field('About', n.subject);
  const server = notice.server;
  if (server) field(typeof n.details?.serverVersions === 'string' ? 'Servers' : 'Server', server);
  field('Alert', `${n.code} (${n.severity}, ${describeType(n)})`);
  if (switched) {
    field('Old master', switched.from);
    field('New master', switched.to);
  }
  if (n.type === 'event') {
    field('When', when(n.at));
  } else if (n.type === 'resolved') {
    field('Opened', when(n.openedAt));
    field('Resolved', when(n.at));
    if (n.durationMs !== undefined) field('Lasted', formatDuration(n.durationMs));
  } else if (n.type === 'opened') {
    field('Since', when(n.openedAt));
  } else {
    const open = n.durationMs ?? Date.parse(n.at) - Date.parse(n.openedAt);
    field('Since', when(n.openedAt));
    if (Number.isFinite(open)) field('Open for', formatDuration(open));
    field('Checked', when(n.at));
  }
  const drill = drillIdOf(n);
  if (drill) field('Drill', drill);
  if (drill && n.severity === 'info') {
    lines.push(
      '',
      'Nothing to do: this is the planned failover of a drill (its report says whether it passed).',
    );
  }

  const { timeline, links } = notice;
  if (timeline) {
    lines.push(
      '',
      `${timelineHeading(timeline)}:`,
      ...timelineLines(timeline, MAX_TIMELINE_LINES).map((l) => `- ${l}`),
    );
  }
  lines.push('');
  if (links.runbook) field('Runbook', links.runbook);
  if (links.dashboard) field('Dashboard', links.dashboard);
  field('Incident', `${notice.ref} (${n.incidentId})`);
  lines.push('-- sentinel-watch');
  return lines.join('\n');
}

function describeType(n: Notification): string {
  switch (n.type) {
    case 'opened':
      return 'new problem';
    case 'reminder': {
      const was = escalatedFromOf(n);
      return was !== null ? `now more severe, was ${was}` : 'still open';
    }
    case 'resolved':
      return 'resolved';
    case 'event':
      return 'event';
  }
}
