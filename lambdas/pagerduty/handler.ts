// The PagerDuty notifier Lambda, subscribed to the alert topic: wiring only (channel.ts does the work).
// `PAGERDUTY_ROUTING_KEY_SECRET_ARN`: the integration's routing key (Events API v2) as plain text, or
// JSON `{"routingKey": "..."}`; `PAGERDUTY_EVENTS_URL`: the Events API (default the US service region;
// EU accounts use https://events.eu.pagerduty.com/v2/enqueue); `SNAPSHOT_TABLE_NAME` holds the delivery
// records (one event per SNS message, across retries: lambdas/notify/run.ts).

import { PAGERDUTY_EVENTS_URL } from '../core/notify/pagerduty';
import { checkHttpUrl, loadPresentation } from '../core/notify/presentation';
import { LEDGER_CHANNELS, secretArnFromEnv, tableNameFromEnv } from '../notify/env';
import { type NotifierDeps, notifierDeps, notifierHandler } from '../notify/handler-kit';
import { pagerDutyChannel } from './channel';

type Env = Readonly<Record<string, string | undefined>>;

export function loadPagerDutySettings(env: Env) {
  const url = env.PAGERDUTY_EVENTS_URL?.trim();
  return {
    secretArn: secretArnFromEnv(env, 'PAGERDUTY_ROUTING_KEY_SECRET_ARN'),
    tableName: tableNameFromEnv(env),
    eventsUrl: url ? checkHttpUrl(url, 'PAGERDUTY_EVENTS_URL') : PAGERDUTY_EVENTS_URL,
    timeZone: loadPresentation(env).timeZone,
  };
}

const settings = loadPagerDutySettings(process.env);

export function createPagerDutyHandler(overrides: Partial<NotifierDeps> = {}) {
  const deps = notifierDeps(
    ['routingKey', 'routing_key', 'integrationKey'],
    { channel: LEDGER_CHANNELS.pagerDuty, tableName: settings.tableName },
    overrides,
  );
  return notifierHandler(
    'sentinel-watch-pagerduty',
    () => pagerDutyChannel({ ...settings, secrets: deps.secrets, post: deps.post }),
    deps,
  );
}

export const handler = createPagerDutyHandler();
