// What Lambda hands the Slack notifier for one alert published to the topic.

import type { SNSEvent } from 'aws-lambda';
import { renderAlert } from '../../../lambdas/core/alert-text';
import type { Notification } from '../../../lambdas/core/incidents';

/** A master switch, as the poller notifies it. */
export const switchNotification: Notification = {
  type: 'event',
  code: 'MASTER_CHANGED',
  severity: 'critical',
  subject: 'deployment',
  message: 'The sentinels switched the master of mymaster from 10.0.1.61:6379 to 10.0.1.63:6379.',
  deployment: 'prod-cache',
  at: '2026-05-01T10:00:00.000Z',
  incidentId: 'prod-cache:MASTER_CHANGED deployment@2026-05-01T10:00:00.000Z',
  openedAt: '2026-05-01T10:00:00.000Z',
  details: { previous: { host: '10.0.1.61', port: 6379 }, current: { host: '10.0.1.63', port: 6379 } },
};

/** The SNS event for one published alert; `messageId` is SNS's own, one per publish. */
export function snsEvent(n: Notification, messageId = 'msg-1'): SNSEvent {
  const alert = renderAlert(n);
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
          Message: alert.body,
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
