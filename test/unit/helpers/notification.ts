// A notification as the poller queues it: a lagging replica `i`, with whatever a test changes.

import type { Notification } from '../../../lambdas/core/incidents';
import { NOW } from './snapshot-factory';

export const notification = (i: number, patch: Partial<Notification> = {}): Notification => ({
  type: 'opened',
  code: 'REPLICA_LAGGING',
  severity: 'warning',
  subject: `node 10.0.1.${60 + i}:6379`,
  message: 'lagging',
  deployment: 'prod-cache',
  at: new Date(NOW).toISOString(),
  incidentId: `prod-cache:REPLICA_LAGGING node ${i}@x`,
  openedAt: new Date(NOW).toISOString(),
  ...patch,
});
