// The notifiers the config asks for, each a Notifier (notifier.ts) with its own function, subscription,
// dead-letter queue and alarms: Slack (slackWebhookSecretArn), PagerDuty (pagerDuty), and one per
// generic webhook (webhooks[]).

import { Construct } from 'constructs';
import type { Presentation } from '../../lambdas/core/notify/presentation';
import { LEDGER_CHANNELS } from '../../lambdas/notify/env';
import type { StackConfig } from '../stack-config';
import type { WatcherAlerting } from './alerting';
import { Notifier } from './notifier';
import type { WatcherStorage } from './storage';

export const SLACK_ENTRY = 'lambdas/slack/handler.ts';
export const PAGERDUTY_ENTRY = 'lambdas/pagerduty/handler.ts';
export const WEBHOOK_ENTRY = 'lambdas/webhook/handler.ts';

/** What the notifiers read of the config (the single stack's, or a fleet's alerting section). */
export type NotifierSettings = Pick<
  StackConfig,
  | 'slackWebhookSecretArn'
  | 'slackMention'
  | 'pagerDuty'
  | 'webhooks'
  | 'logRetentionDays'
  | 'secretsKmsKeyArns'
>;

export interface NotifiersProps {
  readonly config: NotifierSettings;
  readonly alerting: WatcherAlerting;
  readonly storage: WatcherStorage;
  readonly presentation: Presentation;
}

export class Notifiers extends Construct {
  readonly slack: Notifier | null;
  readonly pagerDuty: Notifier | null;
  readonly webhooks: readonly Notifier[];

  constructor(scope: Construct, id: string, props: NotifiersProps) {
    super(scope, id);
    const { config, alerting, storage, presentation } = props;
    const common = {
      alerting,
      storage,
      presentation,
      logRetentionDays: config.logRetentionDays,
      secretsKmsKeyArns: config.secretsKmsKeyArns,
    };
    this.slack = config.slackWebhookSecretArn
      ? new Notifier(this, 'Slack', {
          ...common,
          name: 'slack',
          ledgerChannel: LEDGER_CHANNELS.slack,
          entry: SLACK_ENTRY,
          description: 'sentinel-watch: posts alerts from the topic to Slack',
          secretArn: config.slackWebhookSecretArn,
          environment: {
            SLACK_WEBHOOK_SECRET_ARN: config.slackWebhookSecretArn,
            SLACK_MENTION: config.slackMention ? mentionSetting(config.slackMention) : 'none',
          },
          severities: null,
        })
      : null;
    this.pagerDuty = config.pagerDuty
      ? new Notifier(this, 'PagerDuty', {
          ...common,
          name: 'pagerduty',
          ledgerChannel: LEDGER_CHANNELS.pagerDuty,
          entry: PAGERDUTY_ENTRY,
          description: 'sentinel-watch: triggers and resolves PagerDuty incidents (Events API v2)',
          secretArn: config.pagerDuty.routingKeySecretArn,
          environment: {
            PAGERDUTY_ROUTING_KEY_SECRET_ARN: config.pagerDuty.routingKeySecretArn,
            PAGERDUTY_EVENTS_URL: config.pagerDuty.eventsUrl,
          },
          severities: config.pagerDuty.severities,
        })
      : null;
    this.webhooks = config.webhooks.map(
      (w) =>
        new Notifier(this, `Webhook-${w.name}`, {
          ...common,
          name: `webhook-${w.name}`,
          ledgerChannel: LEDGER_CHANNELS.webhook(w.name),
          entry: WEBHOOK_ENTRY,
          description: `sentinel-watch: posts signed alerts to the ${w.name} webhook`,
          secretArn: w.secretArn,
          environment: { WEBHOOK_NAME: w.name, WEBHOOK_SECRET_ARN: w.secretArn },
          severities: w.severities,
        }),
    );
  }

  get all(): Notifier[] {
    return [this.slack, this.pagerDuty, ...this.webhooks].filter((n): n is Notifier => n !== null);
  }
}

/** The config's form of a mention (`@here`) from Slack's (`<!here>`), for SLACK_MENTION. */
function mentionSetting(mrkdwn: string): string {
  return mrkdwn === '<!here>' ? '@here' : mrkdwn === '<!channel>' ? '@channel' : mrkdwn;
}
