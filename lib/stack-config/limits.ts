// How the Lambdas run: the schedule, their timeouts, memory and concurrency, how long logs are kept,
// when the "no successful poll" alarm fires, and how the table is encrypted.

import type { WatchConfig } from '../../lambdas/core/config';
import { ConfigError } from '../../lambdas/core/errors';
import { integer } from '../../lambdas/core/fields';
import { oneOf } from './fields';

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export interface LimitsSection {
  readonly pollerTimeoutSeconds: number;
  readonly drillTimeoutSeconds: number;
  readonly memorySize: number;
  readonly reservedConcurrency: number | null;
  readonly logRetentionDays: number;
  readonly noSuccessMinutes: number;
  readonly tableEncryption: 'aws-managed' | 'customer-managed';
}

/** `scheduleMinutes`: how often the poller runs. */
export function parseScheduleMinutes(root: Record<string, unknown>, watch: WatchConfig): number {
  const scheduleMinutes = integer(root.scheduleMinutes, 'scheduleMinutes', 1, 1, 60);
  if (watch.pollEverySeconds !== null && scheduleMinutes !== 1) {
    throw new ConfigError(
      'pollEverySeconds',
      `needs scheduleMinutes 1: each scheduled run keeps polling for one minute, so with runs every ` +
        `${scheduleMinutes} minutes the other ${scheduleMinutes - 1} would go unwatched`,
    );
  }
  return scheduleMinutes;
}

export function parseLimitsSection(
  root: Record<string, unknown>,
  watch: WatchConfig,
  scheduleMinutes: number,
): LimitsSection {
  // The longest single poll, plus time to read secrets, store and publish with retries.
  const longestPollSeconds = Math.ceil(Math.max(...watch.deployments.map((d) => d.pollTimeoutMs)) / 1000);
  const minPollerTimeout = longestPollSeconds + 15;
  // With pollEverySeconds the poller keeps polling for the scheduled minute, then saves and publishes.
  const pollerTimeoutSeconds = integer(
    root.pollerTimeoutSeconds,
    'pollerTimeoutSeconds',
    Math.max(watch.pollEverySeconds === null ? 60 : 90, minPollerTimeout),
    minPollerTimeout,
    900,
  );
  const drillTimeoutSeconds = integer(root.drillTimeoutSeconds, 'drillTimeoutSeconds', 300, 60, 900);
  const memorySize = integer(root.memorySize, 'memorySize', 256, 128, 10_240);
  const reservedConcurrency =
    root.reservedConcurrency === undefined || root.reservedConcurrency === null
      ? null
      : integer(root.reservedConcurrency, 'reservedConcurrency', 1, 1, 10);
  const logRetentionDays = integer(root.logRetentionDays, 'logRetentionDays', 30, 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new ConfigError(
      'logRetentionDays',
      `must be one of the periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')}), got ${logRetentionDays}`,
    );
  }
  // One late scheduled run must not raise the alarm: the window holds at least two runs.
  const minNoSuccess = 2 * scheduleMinutes;
  const noSuccessMinutes = integer(
    root.noSuccessMinutes,
    'noSuccessMinutes',
    Math.max(5, minNoSuccess),
    1,
    1440,
  );
  if (noSuccessMinutes < minNoSuccess) {
    throw new ConfigError(
      'noSuccessMinutes',
      `must be at least twice scheduleMinutes (${minNoSuccess}), so that one late run does not raise the alarm; got ${noSuccessMinutes}`,
    );
  }
  const tableEncryption =
    root.tableEncryption === undefined
      ? 'aws-managed'
      : oneOf(root.tableEncryption, 'tableEncryption', ['aws-managed', 'customer-managed'] as const);
  return {
    pollerTimeoutSeconds,
    drillTimeoutSeconds,
    memorySize,
    reservedConcurrency,
    logRetentionDays,
    noSuccessMinutes,
    tableEncryption,
  };
}
