// The test notification of `sentinel-watch test-alert`: an `opened` and then a `resolved` of one
// incident with code TEST_ALERT, published through the deployed topic like any alert, so that every
// subscriber (email, Slack, PagerDuty, webhook) shows both and closes what the first opened. Pure.
//
// The marker every notifier can recognise without parsing text: the code `TEST_ALERT`, the message
// attribute `test = "true"` and `details.test = true`. A notifier may then drop its @here / paging
// urgency; it must still deliver, or the test proves nothing.

import type { Notification } from './incidents';
import type { AlertMessage } from './ports';
import type { Severity } from './types';

export const TEST_ALERT_CODE = 'TEST_ALERT';
export const TEST_ATTRIBUTE = 'test';
/** Put before the subject, so that a person who only sees the subject line knows at once. */
export const TEST_SUBJECT_PREFIX = '[TEST] ';

export interface TestAlertRequest {
  /** The deployment named in the alert (a real one: receivers that route by deployment must match). */
  readonly deployment: string;
  readonly stackName: string;
  readonly severity: Severity;
  /** Who ran it, e.g. `alice@bastion`. */
  readonly by: string;
  /** Epoch ms of the `opened`. */
  readonly openedAt: number;
}

/** The pair to publish, `opened` first; the `resolved` carries the time it is sent at. */
export function testAlertPair(
  request: TestAlertRequest,
  resolvedAt: number,
): readonly [Notification, Notification] {
  const opened = iso(request.openedAt);
  const incidentId = `${request.deployment}:${TEST_ALERT_CODE} deployment@${opened}`;
  const base = {
    code: TEST_ALERT_CODE,
    severity: request.severity,
    subject: 'deployment',
    deployment: request.deployment,
    incidentId,
    openedAt: opened,
    details: { test: true, stack: request.stackName, by: request.by },
  } as const;
  return [
    {
      ...base,
      type: 'opened',
      at: opened,
      message:
        `TEST ALERT, nothing is wrong: ${request.by} ran "sentinel-watch test-alert --stack ${request.stackName}" ` +
        `to check that alerts about ${request.deployment} reach you. A RESOLVED for this incident follows.`,
    },
    {
      ...base,
      type: 'resolved',
      at: iso(resolvedAt),
      durationMs: Math.max(0, resolvedAt - request.openedAt),
      message: `TEST ALERT resolved: the test of the alert path for ${request.deployment} is over.`,
    },
  ];
}

/** Marks a rendered alert as a test: subject prefix and the `test` attribute. */
export function markTest(message: AlertMessage): AlertMessage {
  return {
    ...message,
    subject: `${TEST_SUBJECT_PREFIX}${message.subject}`.slice(0, 99),
    attributes: { ...message.attributes, [TEST_ATTRIBUTE]: 'true' },
  };
}

/** Whether an alert (its SNS message attributes) is a test: for notifiers. */
export const isTestAlert = (attributes: Readonly<Record<string, string | undefined>>): boolean =>
  attributes[TEST_ATTRIBUTE] === 'true' || attributes.code === TEST_ALERT_CODE;

const iso = (ms: number): string => new Date(ms).toISOString();
