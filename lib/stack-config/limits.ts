// How the Lambdas run: the schedule, their timeouts, memory and concurrency, how long logs are kept,
// when the "no successful poll" alarm fires, and how the table is encrypted.

import type { WatchConfig } from '../../lambdas/core/config';
import { ConfigError } from '../../lambdas/core/errors';
import { integer } from '../../lambdas/core/fields';
import { estimatedPeakMb, memorySizeFor } from '../../lambdas/core/fleet-config';
import { assignShards } from '../../lambdas/core/shard';
import { HANDOVER } from '../../lambdas/poller/handover';
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

/** `logRetentionDays`: one of the periods CloudWatch Logs accepts (default 30). */
export function parseLogRetentionDays(value: unknown, field: string): number {
  const days = integer(value, field, 30, 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new ConfigError(
      field,
      `must be one of the periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')}), got ${days}`,
    );
  }
  return days;
}

/** `tableEncryption`: how the snapshot table is encrypted at rest. */
export function parseTableEncryption(value: unknown, field: string): 'aws-managed' | 'customer-managed' {
  return value === undefined
    ? 'aws-managed'
    : oneOf(value, field, ['aws-managed', 'customer-managed'] as const);
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
  shards: number,
): LimitsSection {
  // The longest single poll, plus time to read secrets, store and publish with retries.
  const longestPollSeconds = Math.ceil(Math.max(...watch.deployments.map((d) => d.pollTimeoutMs)) / 1000);
  const minPollerTimeout = longestPollSeconds + 15;
  // With pollEverySeconds the poller keeps watching for the scheduled minute and on into the next
  // run's first seconds (the handover: no blind gap while the next run starts), then saves and
  // publishes; it needs at least the minute plus the shortest handover.
  const listens = watch.pollEverySeconds !== null;
  const minListening = (HANDOVER.periodMs + HANDOVER.minOverlapMs + HANDOVER.reserveMs) / 1000;
  const pollerTimeoutSeconds = integer(
    root.pollerTimeoutSeconds,
    'pollerTimeoutSeconds',
    Math.max(listens ? 90 : 60, minPollerTimeout),
    minPollerTimeout,
    900,
  );
  if (listens && pollerTimeoutSeconds < minListening) {
    throw new ConfigError(
      'pollerTimeoutSeconds',
      `must be at least ${minListening} with pollEverySeconds: each run watches its minute and the first ` +
        `${HANDOVER.minOverlapMs / 1000} s of the next run (so that a switch while the next run starts is ` +
        `not missed), then saves and publishes; got ${pollerTimeoutSeconds}`,
    );
  }
  const drillTimeoutSeconds = integer(root.drillTimeoutSeconds, 'drillTimeoutSeconds', 300, 60, 900);
  // Twice the measured peak of the largest shard: an invocation killed for memory watches nothing.
  const largestShard = Math.max(...assignShards(watch.deployments, shards).map((x) => x.length));
  const neededMemory = 2 * estimatedPeakMb(largestShard);
  const memorySize = integer(root.memorySize, 'memorySize', memorySizeFor(largestShard), 128, 10_240);
  if (memorySize < neededMemory) {
    throw new ConfigError(
      'memorySize',
      `${memorySize} MB is under twice the measured peak of a poller invocation for ${largestShard} ` +
        `deployments (~${Math.round(estimatedPeakMb(largestShard))} MB): use ${memorySizeFor(largestShard)} or more, ` +
        'or more shards',
    );
  }
  // Each shard is one invocation per tick, and with pollEverySeconds two overlap during the handover.
  const neededConcurrency = shards * (listens ? 2 : 1);
  const reservedConcurrency =
    root.reservedConcurrency === undefined || root.reservedConcurrency === null
      ? null
      : integer(root.reservedConcurrency, 'reservedConcurrency', 1, 1, 1000);
  if (reservedConcurrency !== null && reservedConcurrency < neededConcurrency) {
    throw new ConfigError(
      'reservedConcurrency',
      `must be at least ${neededConcurrency} (${shards} shard${shards === 1 ? '' : 's'}` +
        `${listens ? ', two runs of each during the handover between minutes' : ''}); got ${reservedConcurrency}`,
    );
  }
  const logRetentionDays = parseLogRetentionDays(root.logRetentionDays, 'logRetentionDays');
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
  const tableEncryption = parseTableEncryption(root.tableEncryption, 'tableEncryption');
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
