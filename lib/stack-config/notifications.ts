// Where alerts go besides email and Slack (PagerDuty, generic webhooks), and how every message reads:
// who a critical Slack page mentions, the team's time zone beside UTC, and where the runbook links
// point. Validated at synth; every error names its field.

import { describe } from '../../lambdas/core/address';
import { ConfigError } from '../../lambdas/core/errors';
import { objectAt, rejectUnknownKeys } from '../../lambdas/core/fields';
import { checkTimeZone } from '../../lambdas/core/notify/local-time';
import { checkHttpUrl } from '../../lambdas/core/notify/presentation';
import { parseSlackMention } from '../../lambdas/core/slack-message';
import type { Severity } from '../../lambdas/core/types';
import { SEVERITIES } from './alerting';
import { list, oneOf } from './fields';
import { fullSecretArn } from './secrets';

/**
 * The alert catalogue in the repository: each code's row carries an anchor (`#master-changed`), and the
 * watcher's own alarms are under `#watcher-alarm`. Point `runbookBaseUrl` at your fork, your wiki (a
 * `{code}` template) or your own copy of the catalogue.
 */
export const DEFAULT_RUNBOOK_BASE_URL =
  'https://github.com/sentinel-watch/sentinel-watch/blob/main/docs/alert-catalogue.md';

/** PagerDuty pages for these unless told otherwise: an `info` (a drill's planned switch) is no page. */
export const DEFAULT_PAGERDUTY_SEVERITIES: readonly Severity[] = ['critical', 'warning'];

/** Events API v2 endpoints of PagerDuty's service regions. */
export const PAGERDUTY_REGIONS = {
  us: 'https://events.pagerduty.com/v2/enqueue',
  eu: 'https://events.eu.pagerduty.com/v2/enqueue',
} as const;

export const MAX_WEBHOOKS = 5;

export interface PagerDutyConfig {
  readonly routingKeySecretArn: string;
  /** Only these severities (the watcher's own alarms always). */
  readonly severities: readonly Severity[];
  readonly eventsUrl: string;
}

export interface WebhookConfig {
  /** Names its Lambda, log group and alarms: letters, digits, `-`, `_`, at most 32. */
  readonly name: string;
  /** `{"url", "signingSecret", "headers"?}` as JSON (docs/webhook.md). */
  readonly secretArn: string;
  /** Null: every severity. */
  readonly severities: readonly Severity[] | null;
}

export interface NotificationsSection {
  readonly pagerDuty: PagerDutyConfig | null;
  readonly webhooks: readonly WebhookConfig[];
  /** As Slack's mrkdwn writes it (`<!here>`), or null for nobody. */
  readonly slackMention: string | null;
  readonly alertTimeZone: string | null;
  readonly runbookBaseUrl: string;
}

const PAGERDUTY_KEYS = ['routingKeySecretArn', 'severities', 'region'] as const;
const WEBHOOK_KEYS = ['name', 'secretArn', 'severities'] as const;

export function parseNotificationsSection(root: Record<string, unknown>): NotificationsSection {
  const pagerDuty =
    root.pagerDuty === undefined || root.pagerDuty === null ? null : parsePagerDuty(root.pagerDuty);
  const webhooks = root.webhooks === undefined ? [] : list(root.webhooks, 'webhooks', webhook, false);
  if (webhooks.length > MAX_WEBHOOKS) {
    throw new ConfigError(
      'webhooks',
      `at most ${MAX_WEBHOOKS} webhooks (one Lambda each), got ${webhooks.length}`,
    );
  }
  webhooks.forEach((w, i) => {
    if (webhooks.findIndex((o) => o.name === w.name) !== i) {
      throw new ConfigError(`webhooks[${i}].name`, `"${w.name}" is used twice`);
    }
  });
  return {
    pagerDuty,
    webhooks,
    slackMention: parseSlackMention(text(root.slackMention, 'slackMention') ?? '@here', 'slackMention'),
    alertTimeZone: zone(root.alertTimeZone),
    runbookBaseUrl: runbook(root.runbookBaseUrl),
  };
}

function parsePagerDuty(value: unknown): PagerDutyConfig {
  const raw = objectAt(value, 'pagerDuty');
  rejectUnknownKeys(raw, PAGERDUTY_KEYS, 'pagerDuty');
  const routingKeySecretArn = fullSecretArn(raw.routingKeySecretArn, 'pagerDuty.routingKeySecretArn');
  if (routingKeySecretArn === null) throw new ConfigError('pagerDuty.routingKeySecretArn', 'is required');
  const region =
    raw.region === undefined ? 'us' : oneOf(raw.region, 'pagerDuty.region', ['us', 'eu'] as const);
  return {
    routingKeySecretArn,
    severities:
      raw.severities === undefined
        ? DEFAULT_PAGERDUTY_SEVERITIES
        : severities(raw.severities, 'pagerDuty.severities'),
    eventsUrl: PAGERDUTY_REGIONS[region],
  };
}

function webhook(value: unknown, field: string): WebhookConfig {
  const raw = objectAt(value, field);
  rejectUnknownKeys(raw, WEBHOOK_KEYS, field);
  const name = text(raw.name, `${field}.name`);
  if (name === null) throw new ConfigError(`${field}.name`, 'is required');
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) {
    throw new ConfigError(`${field}.name`, `"${name}" is not 1-32 letters, digits, "_" or "-"`);
  }
  const secretArn = fullSecretArn(raw.secretArn, `${field}.secretArn`);
  if (secretArn === null) throw new ConfigError(`${field}.secretArn`, 'is required');
  return {
    name,
    secretArn,
    severities: raw.severities === undefined ? null : severities(raw.severities, `${field}.severities`),
  };
}

function severities(value: unknown, field: string): Severity[] {
  const items = list(value, field, (v, f) => oneOf(v, f, SEVERITIES), true, true);
  return SEVERITIES.filter((s) => items.includes(s));
}

function text(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ConfigError(field, `must be a string, got ${describe(value)}`);
  return value.trim() === '' ? null : value.trim();
}

function zone(value: unknown): string | null {
  const name = text(value, 'alertTimeZone');
  return name === null ? null : checkTimeZone(name, 'alertTimeZone');
}

function runbook(value: unknown): string {
  const url = text(value, 'runbookBaseUrl');
  return url === null ? DEFAULT_RUNBOOK_BASE_URL : checkHttpUrl(url, 'runbookBaseUrl');
}
