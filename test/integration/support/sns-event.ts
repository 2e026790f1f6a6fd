// What Lambda hands a notifier for one alert published to the topic.

import type { SNSEvent } from 'aws-lambda';
import type { Notification } from '../../../lambdas/core/incidents';
import { PRESENTATION, snsEventFor } from '../../helpers/notify';

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

/**
 * The SNS event for one published alert, as a Lambda subscriber receives it (the notice form of the
 * publish); `messageId` is SNS's own, one per publish.
 */
export const snsEvent = (n: Notification, messageId = 'msg-1'): SNSEvent =>
  snsEventFor(n, PRESENTATION, messageId);
