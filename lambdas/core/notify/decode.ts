// What a notifier makes of one SNS message, whoever published it: the poller's and the drill's notices
// (JSON with `schemaVersion`), a CloudWatch alarm's state change, or anything else (a message published
// by hand in the console, an older publisher): that last one is still delivered, as a plain `message`
// notice built from its subject, text and attributes, never dropped. Pure.

import { isTestAlert } from '../test-alert';
import { isAlarmMessage, noticeFromAlarm } from './alarm';
import { runbookUrl } from './links';
import { incidentRef, isSeverity, NOTICE_SCHEMA_VERSION, NOTICE_SOURCE, type Notice } from './notice';
import type { Presentation } from './presentation';

/** What a notifier reads of one SNS record. */
export interface SnsInput {
  readonly messageId: string;
  readonly subject: string | null;
  readonly message: string;
  readonly timestamp: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A `message` notice's text is cut here: Slack's section limit, and plenty for a pager. */
const MAX_TEXT = 3000;

export function decodeSnsMessage(input: SnsInput, presentation: Presentation): Notice {
  const parsed = parseJsonObject(input.message);
  if (parsed !== null && parsed.source === NOTICE_SOURCE && typeof parsed.schemaVersion === 'number') {
    const notice = asNotice(parsed);
    if (notice) return notice;
  }
  if (parsed !== null && isAlarmMessage(parsed)) return noticeFromAlarm(parsed, presentation);
  return plainNotice(input, presentation);
}

/** A notice of this schema version (or a later one: fields are only ever added), checked field by field. */
function asNotice(value: Record<string, unknown>): Notice | null {
  const strings = ['id', 'incidentKey', 'type', 'status', 'code', 'title', 'message', 'at'];
  if (typeof value.schemaVersion !== 'number' || value.schemaVersion < NOTICE_SCHEMA_VERSION) return null;
  if (!strings.every((k) => typeof value[k] === 'string') || !isSeverity(value.severity)) return null;
  if (typeof value.links !== 'object' || value.links === null) return null;
  return {
    ...(value as unknown as Notice),
    // Fields added within schema 1: absent from a notice published before them.
    server: typeof value.server === 'string' ? value.server : null,
    test: value.test === true,
    ref: typeof value.ref === 'string' ? value.ref : incidentRef(value.incidentKey as string),
  };
}

function plainNotice(input: SnsInput, presentation: Presentation): Notice {
  const a = input.attributes;
  const code = a.code || 'MESSAGE';
  const text = input.message.trim() || '(empty message)';
  const firstLine = text.split('\n', 1)[0];
  const title = (input.subject?.trim() || firstLine).slice(0, 150);
  const key = a.dedupeKey || `sns:${input.messageId}`;
  // A publisher that names the incident (an `incidentId` attribute) lets a resolve match its trigger.
  const incidentKey = a.incidentId || key;
  return {
    schemaVersion: NOTICE_SCHEMA_VERSION,
    source: NOTICE_SOURCE,
    kind: 'message',
    id: key,
    incidentKey,
    ref: incidentRef(incidentKey),
    type: 'message',
    status: a.type === 'resolved' ? 'resolved' : 'firing',
    severity: isSeverity(a.severity) ? a.severity : 'info',
    code,
    deployment: a.deployment || null,
    subject: a.subject || null,
    server: a.server || null,
    title,
    test: isTestAlert(a),
    message: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text,
    at: Number.isFinite(Date.parse(input.timestamp)) ? input.timestamp : new Date(0).toISOString(),
    openedAt: null,
    durationMs: null,
    escalatedFrom: null,
    master: a.oldMaster && a.newMaster ? { previous: a.oldMaster, current: a.newMaster } : null,
    drillId: a.drillId || null,
    timeline: null,
    alarm: null,
    links: {
      runbook: a.code ? runbookUrl(presentation.runbookBaseUrl, code) : null,
      dashboard: presentation.dashboardUrl,
      alarm: null,
    },
    details: {},
  };
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!text.trimStart().startsWith('{')) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
