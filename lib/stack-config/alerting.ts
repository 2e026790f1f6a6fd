// Where alerts go: email addresses (each with the severities it wants) and a Slack webhook kept in
// Secrets Manager.

import { describe } from '../../lambdas/core/address';
import { ConfigError } from '../../lambdas/core/errors';
import { objectAt, rejectUnknownKeys } from '../../lambdas/core/fields';
import type { Severity } from '../../lambdas/core/types';
import { list, oneOf } from './fields';
import { fullSecretArn } from './secrets';

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export interface AlertEmail {
  readonly address: string;
  /** Null: every severity (and the watcher's own alarms). */
  readonly severities: readonly Severity[] | null;
}

export interface AlertingSection {
  readonly alertEmails: readonly AlertEmail[];
  readonly slackWebhookSecretArn: string | null;
}

const EMAIL_KEYS = ['address', 'severities'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseAlertingSection(root: Record<string, unknown>): AlertingSection {
  const emailSeverities =
    root.emailSeverities === undefined ? null : severities(root.emailSeverities, 'emailSeverities');
  const alertEmails =
    root.alertEmails === undefined
      ? []
      : list(root.alertEmails, 'alertEmails', (v, f) => alertEmail(v, f, emailSeverities), false);
  alertEmails.forEach((e, i) => {
    if (alertEmails.findIndex((o) => o.address.toLowerCase() === e.address.toLowerCase()) !== i) {
      throw new ConfigError(`alertEmails[${i}]`, `${e.address} is listed twice`);
    }
  });
  const slackWebhookSecretArn = fullSecretArn(root.slackWebhookSecretArn, 'slackWebhookSecretArn');
  return { alertEmails, slackWebhookSecretArn };
}

function alertEmail(value: unknown, field: string, fallback: readonly Severity[] | null): AlertEmail {
  if (typeof value === 'string') return { address: email(value, field), severities: fallback };
  const raw = objectAt(value, field);
  rejectUnknownKeys(raw, EMAIL_KEYS, field);
  if (raw.address === undefined) throw new ConfigError(`${field}.address`, 'is required');
  return {
    address: email(raw.address, `${field}.address`),
    severities: raw.severities === undefined ? fallback : severities(raw.severities, `${field}.severities`),
  };
}

function email(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new ConfigError(field, `must be an email address, got ${describe(value)}`);
  }
  const text = value.trim();
  if (!EMAIL.test(text)) throw new ConfigError(field, `"${text}" is not an email address`);
  return text;
}

function severities(value: unknown, field: string): Severity[] {
  const items = list(value, field, (v, f) => oneOf(v, f, SEVERITIES), true, true);
  return SEVERITIES.filter((s) => items.includes(s));
}
