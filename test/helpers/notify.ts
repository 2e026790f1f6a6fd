// Shared by the notifier tests (unit and integration): recorded CloudWatch alarm messages, SNS events as
// Lambda receives them, sample notices, and the PagerDuty Events API v2 schema check a local stand-in
// of PagerDuty applies to what it receives.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SNSEvent } from 'aws-lambda';
import { deliveredMessage, snsMessage } from '../../lambdas/adapters/sns-publisher';
import { renderAlert } from '../../lambdas/core/alert-text';
import type { Notification } from '../../lambdas/core/incidents';
import { decodeSnsMessage } from '../../lambdas/core/notify/decode';
import type { Notice } from '../../lambdas/core/notify/notice';
import type { Presentation } from '../../lambdas/core/notify/presentation';

const ALARMS = join(__dirname, '../fixtures/cloudwatch-alarms');

/** Every recorded alarm notification: [file name, the SNS event Lambda receives]. */
export function alarmFixtures(): [string, SNSEvent][] {
  return readdirSync(ALARMS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(ALARMS, f), 'utf8')) as SNSEvent]);
}

export const alarmFixture = (name: string): SNSEvent =>
  JSON.parse(readFileSync(join(ALARMS, name), 'utf8')) as SNSEvent;

/** A recorded alarm as the notifiers see it. */
export function alarmNotice(file: string, presentation: Presentation = PRESENTATION): Notice {
  const sns = alarmFixture(file).Records[0].Sns;
  return decodeSnsMessage(
    {
      messageId: sns.MessageId,
      subject: sns.Subject ?? null,
      message: sns.Message,
      timestamp: sns.Timestamp,
      attributes: {},
    },
    presentation,
  );
}

export const PRESENTATION: Presentation = {
  runbookBaseUrl: 'https://github.com/example/sentinel-watch/blob/main/docs/alert-catalogue.md',
  dashboardUrl:
    'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/SentinelWatch-us-east-1',
  timeZone: 'Europe/Berlin',
};

/** The SNS event a Lambda subscriber receives for one alert the poller published. */
export function snsEventFor(
  n: Notification,
  presentation: Presentation = PRESENTATION,
  messageId = 'msg-1',
): SNSEvent {
  const alert = renderAlert(n, presentation);
  const published = snsMessage(alert);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:alerts:sub',
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
          Subject: alert.subject,
          Message: deliveredMessage('lambda', published.Message, published.MessageStructure),
          Timestamp: '2026-05-01T10:00:01.000Z',
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://example.invalid/cert',
          UnsubscribeUrl: 'https://example.invalid/unsub',
          MessageAttributes: Object.fromEntries(
            Object.entries({ ...alert.attributes, dedupeKey: alert.dedupeKey }).map(([k, v]) => [
              k,
              { Type: 'String', Value: v },
            ]),
          ),
        },
      },
    ],
  };
}

export const switchNotification: Notification = {
  type: 'event',
  code: 'MASTER_CHANGED',
  severity: 'critical',
  subject: 'deployment',
  message:
    'The sentinels switched the master of mymaster from 10.0.1.61:6379 to 10.0.1.63:6379. 10.0.1.61:6379 is still down. Check that clients reconnected to 10.0.1.63:6379 (they must ask Sentinel for the master), find out why 10.0.1.61:6379 failed (its log, host, network), and that it rejoins as a replica.',
  deployment: 'prod-cache',
  at: '2026-05-01T01:12:04.310Z',
  incidentId: 'prod-cache:MASTER_CHANGED deployment@2026-05-01T01:12:04.310Z',
  openedAt: '2026-05-01T01:12:04.310Z',
  details: {
    previous: { host: '10.0.1.61', port: 6379 },
    current: { host: '10.0.1.63', port: 6379 },
    cause: 'crash',
    timeline: {
      leader: '10.0.1.62:26379',
      entries: [
        {
          at: '2026-05-01T01:12:00.402Z',
          sentinel: '10.0.1.61:26379',
          type: '+sdown',
          detail: 'master mymaster 10.0.1.61 6379',
        },
        {
          at: '2026-05-01T01:12:00.511Z',
          sentinel: '10.0.1.62:26379',
          type: '+odown',
          detail: 'master mymaster 10.0.1.61 6379 #quorum 2/2',
        },
        {
          at: '2026-05-01T01:12:00.569Z',
          sentinel: '10.0.1.62:26379',
          type: '+elected-leader',
          detail: 'master mymaster 10.0.1.61 6379',
        },
        {
          at: '2026-05-01T01:12:00.636Z',
          sentinel: '10.0.1.62:26379',
          type: '+selected-slave',
          detail: 'slave 10.0.1.63:6379 10.0.1.63 6379 @ mymaster 10.0.1.61 6379',
        },
        {
          at: '2026-05-01T01:12:01.552Z',
          sentinel: '10.0.1.62:26379',
          type: '+promoted-slave',
          detail: 'slave 10.0.1.63:6379 10.0.1.63 6379 @ mymaster 10.0.1.61 6379',
        },
        {
          at: '2026-05-01T01:12:01.620Z',
          sentinel: '10.0.1.62:26379',
          type: '+switch-master',
          detail: 'mymaster 10.0.1.61 6379 10.0.1.63 6379',
        },
      ],
    },
  },
};

export const laggingOpened: Notification = {
  type: 'opened',
  code: 'REPLICA_LAGGING',
  severity: 'warning',
  subject: 'node 10.0.1.62:6379',
  message:
    'Replica 10.0.1.62:6379 is 3.2 MiB behind its master (threshold 1 MiB). Check its CPU, disk and network.',
  deployment: 'prod-cache',
  at: '2026-05-01T10:00:00.000Z',
  incidentId: 'prod-cache:REPLICA_LAGGING node 10.0.1.62:6379@2026-05-01T10:00:00.000Z',
  openedAt: '2026-05-01T10:00:00.000Z',
  details: { lagBytes: 3_355_443, tripped: 'bytes' },
};

export const laggingResolved: Notification = {
  ...laggingOpened,
  type: 'resolved',
  at: '2026-05-01T10:12:00.000Z',
  durationMs: 12 * 60_000,
  message: 'Resolved after 12 min: REPLICA_LAGGING on node 10.0.1.62:6379 is no longer reported.',
};

export const masterDownOpened: Notification = {
  type: 'opened',
  code: 'MASTER_UNREACHABLE',
  severity: 'critical',
  subject: 'node 10.0.1.61:6379',
  message:
    'The master 10.0.1.61:6379 refuses connections (nothing listens on the port): writes fail until it is back or a failover completes.',
  deployment: 'prod-cache',
  at: '2026-05-01T01:11:58.000Z',
  incidentId: 'prod-cache:MASTER_UNREACHABLE node 10.0.1.61:6379@2026-05-01T01:11:58.000Z',
  openedAt: '2026-05-01T01:11:58.000Z',
  details: {},
};

const PD_TOP = [
  'routing_key',
  'event_action',
  'dedup_key',
  'payload',
  'images',
  'links',
  'client',
  'client_url',
];
const PD_PAYLOAD = [
  'summary',
  'source',
  'severity',
  'timestamp',
  'component',
  'group',
  'class',
  'custom_details',
];

/**
 * Every way a body breaks PagerDuty's documented Events API v2 fields; empty when it is a valid event.
 * routing_key: the 32-character integration key; event_action: trigger | acknowledge | resolve;
 * dedup_key: at most 255 (required to acknowledge or resolve); a trigger's payload: summary (1-1024),
 * source, severity (critical | error | warning | info), timestamp (ISO 8601), component, group, class,
 * custom_details (an object); links [{href, text}], images [{src, href?, alt?}]; at most 512 KB.
 */
export function pagerDutyProblems(body: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(body) > 512 * 1024) problems.push('larger than 512 KB');
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return ['not JSON'];
  }
  for (const k of Object.keys(e)) if (!PD_TOP.includes(k)) problems.push(`unknown field ${k}`);
  if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32)
    problems.push('routing_key: not 32 characters');
  if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action as string))
    problems.push('event_action');
  if (
    e.dedup_key !== undefined &&
    (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255 || e.dedup_key === '')
  ) {
    problems.push('dedup_key: not 1-255 characters');
  }
  if (e.event_action !== 'trigger' && e.dedup_key === undefined) problems.push('dedup_key: required');
  if (e.event_action === 'trigger') {
    const p = e.payload as Record<string, unknown> | undefined;
    if (typeof p !== 'object' || p === null) return [...problems, 'payload: required for trigger'];
    for (const k of Object.keys(p)) if (!PD_PAYLOAD.includes(k)) problems.push(`unknown payload field ${k}`);
    if (typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > 1024) {
      problems.push('payload.summary: not 1-1024 characters');
    }
    if (typeof p.source !== 'string' || p.source === '') problems.push('payload.source: required');
    if (!['critical', 'error', 'warning', 'info'].includes(p.severity as string))
      problems.push('payload.severity');
    if (p.timestamp !== undefined && !Number.isFinite(Date.parse(p.timestamp as string))) {
      problems.push('payload.timestamp: not ISO 8601');
    }
    for (const k of ['component', 'group', 'class']) {
      if (p[k] !== undefined && typeof p[k] !== 'string') problems.push(`payload.${k}: not a string`);
    }
    if (
      p.custom_details !== undefined &&
      (typeof p.custom_details !== 'object' || p.custom_details === null)
    ) {
      problems.push('payload.custom_details: not an object');
    }
  }
  if (e.links !== undefined) {
    if (!Array.isArray(e.links)) problems.push('links: not an array');
    else
      for (const l of e.links as Record<string, unknown>[]) {
        if (typeof l?.href !== 'string' || !/^https?:\/\//.test(l.href)) problems.push('links[].href');
        if (l?.text !== undefined && typeof l.text !== 'string') problems.push('links[].text');
      }
  }
  if (e.images !== undefined && !Array.isArray(e.images)) problems.push('images: not an array');
  return problems;
}
