// The watcher's own CloudWatch alarms reach the alert topic as CloudWatch writes them: a JSON object
// with AlarmName, NewStateValue, NewStateReason, StateChangeTime, Trigger, ... (the format AWS
// documents for alarm notifications to SNS). This turns one into a notice, so every notifier shows it
// like any alert: ALARM in red and firing, OK in green and resolved, with the alarm's reason. Pure.

import { alarmConsoleUrl, runbookUrl, WATCHER_ALARM_CODE } from './links';
import { incidentRef, NOTICE_SCHEMA_VERSION, NOTICE_SOURCE, type Notice, type NoticeAlarm } from './notice';
import type { Presentation } from './presentation';

type AlarmState = NoticeAlarm['state'];
const STATES: readonly AlarmState[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

/** True for what CloudWatch publishes on an alarm's state change (metric, math and composite alarms). */
export function isAlarmMessage(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.AlarmName === 'string' && STATES.includes(v.NewStateValue as AlarmState);
}

export function noticeFromAlarm(alarm: Record<string, unknown>, presentation: Presentation): Notice {
  const name = str(alarm.AlarmName) ?? 'unnamed alarm';
  const state = alarm.NewStateValue as AlarmState;
  const previous = str(alarm.OldStateValue);
  const arn = str(alarm.AlarmArn);
  const at = isoTime(str(alarm.StateChangeTime)) ?? new Date(0).toISOString();
  const trigger = (
    typeof alarm.Trigger === 'object' && alarm.Trigger !== null ? alarm.Trigger : {}
  ) as Record<string, unknown>;
  const title =
    state === 'ALARM'
      ? `${name} is in ALARM`
      : state === 'OK'
        ? `${name} is OK${previous && previous !== 'OK' ? ` (was ${previous})` : ''}`
        : `${name} has insufficient data`;
  const description = str(alarm.AlarmDescription);
  const reason = str(alarm.NewStateReason) ?? '(no reason given)';
  return {
    schemaVersion: NOTICE_SCHEMA_VERSION,
    source: NOTICE_SOURCE,
    kind: 'watcher-alarm',
    // The same state change re-delivered carries the same key; the next change gets a new one.
    id: `alarm:${arn ?? name}|${state}|${at}`,
    incidentKey: `alarm:${arn ?? name}`,
    ref: incidentRef(`alarm:${arn ?? name}`),
    type: 'alarm',
    status: state === 'OK' ? 'resolved' : 'firing',
    severity: state === 'ALARM' ? 'critical' : state === 'OK' ? 'info' : 'warning',
    code: WATCHER_ALARM_CODE,
    deployment: dimension(trigger, 'deployment'),
    subject: `alarm ${name}`,
    server: null,
    title,
    test: false,
    message: description ?? `CloudWatch alarm ${name} changed to ${state}.`,
    at,
    openedAt: null,
    durationMs: null,
    escalatedFrom: null,
    master: null,
    drillId: null,
    timeline: null,
    alarm: {
      name,
      state,
      previousState: previous,
      reason,
      description,
      region: arn?.split(':')[3] ?? null,
      account: str(alarm.AWSAccountId),
      metric: describeMetric(trigger, str(alarm.AlarmRule)),
    },
    links: {
      runbook: runbookUrl(presentation.runbookBaseUrl, WATCHER_ALARM_CODE),
      dashboard: presentation.dashboardUrl,
      alarm: arn ? alarmConsoleUrl(arn) : null,
    },
    details: {},
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** CloudWatch writes `2026-05-01T10:05:12.345+0000`, which Date.parse does not take everywhere. */
export function isoTime(value: string | null): string | null {
  if (value === null) return null;
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function dimension(trigger: Record<string, unknown>, name: string): string | null {
  const dims = Array.isArray(trigger.Dimensions) ? trigger.Dimensions : [];
  const hit = dims.find((d) => (d as { name?: unknown })?.name === name) as { value?: unknown } | undefined;
  return typeof hit?.value === 'string' ? hit.value : null;
}

/** `AWS/Lambda Errors (FunctionName=x), Sum over 300 s`, or the expression of a metric-math alarm. */
function describeMetric(trigger: Record<string, unknown>, rule: string | null): string | null {
  if (rule) return `composite: ${rule}`;
  if (typeof trigger.MetricName === 'string') {
    const dims = (Array.isArray(trigger.Dimensions) ? trigger.Dimensions : [])
      .map((d) => `${(d as { name?: unknown }).name}=${(d as { value?: unknown }).value}`)
      .join(', ');
    const stat = typeof trigger.Statistic === 'string' ? trigger.Statistic : trigger.ExtendedStatistic;
    const period = typeof trigger.Period === 'number' ? ` over ${trigger.Period} s` : '';
    return `${trigger.Namespace ?? '?'} ${trigger.MetricName}${dims ? ` (${dims})` : ''}${
      typeof stat === 'string' ? `, ${stat.toLowerCase()}${period}` : ''
    }`;
  }
  if (Array.isArray(trigger.Metrics)) {
    const shown = trigger.Metrics.find((m) => (m as { ReturnData?: unknown }).ReturnData === true) as
      | { Expression?: unknown; Label?: unknown }
      | undefined;
    if (typeof shown?.Expression === 'string') {
      return `${typeof shown.Label === 'string' ? `${shown.Label}: ` : ''}${shown.Expression}`;
    }
  }
  return null;
}
