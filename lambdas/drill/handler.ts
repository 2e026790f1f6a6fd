// The drill Lambda: middy wiring only. Settings are validated and AWS clients created once, at cold
// start; run.ts does the drill. Invoked on demand (console, CLI, a pipeline step) with
// `{ "deployment": "orders-cache", "dryRun": true, "failback": true }`.
//
// The handler throws only before a drill starts (bad event, unreadable password, too little time):
// such an invocation may be retried safely. Once the drill has run, it always returns the report,
// even if storing or publishing it failed (that is logged): a retried invocation would fail over
// again. Configure the function with no async retries (the CDK stack does).

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AWS_LIMITS } from '../adapters/aws-clients';
import { runBatch } from '../adapters/redis-batch';
import { subscribeSentinelEvents } from '../adapters/sentinel-events';
import { watcherClients, watcherPorts } from '../adapters/watcher-ports';
import type { Credentials, DeploymentConfig, WatchConfig } from '../core/config';
import { CredentialsUnavailableError, DrillError, type DrillReport, renderDrillReport } from '../core/drill';
import { drillKeyFromEnv } from '../core/drill-lock';
import { ConfigError } from '../core/errors';
import type { AlertMessage, AlertPublisher, SecretSource } from '../core/ports';
import type { DrillReportStore, LockStore } from '../core/store-ports';
import { requiredEnv, watchConfigFromEnv } from '../poller/settings';
import { combinedLock, type DrillDeps, lockStoreLock, redisKeyLock, runDrill } from './run';
import { ioredisWriters } from './writers';

export interface DrillEvent {
  /** Required when SENTINEL_WATCH_CONFIG lists several deployments. */
  readonly deployment?: string;
  readonly dryRun?: boolean;
  readonly failback?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export interface DrillSettings {
  readonly config: WatchConfig;
  readonly tableName: string;
  readonly topicArn: string;
  /** How long stored drill reports are kept (`DRILL_REPORT_RETENTION_DAYS`, default 365). */
  readonly retentionDays: number;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
export const DEFAULT_RETENTION_DAYS = 365;
/** A drill is not started with less time left than this (a dry run needs a few seconds). */
export const MIN_REMAINING_MS = { drill: 120_000, failback: 240_000, dryRun: 15_000 } as const;

/** Reads and validates the environment; every error names the variable (and the field inside it). */
export function loadDrillSettings(env: Env): DrillSettings {
  const config = watchConfigFromEnv(env);
  const tableName = requiredEnv(env, 'SNAPSHOT_TABLE_NAME');
  if (!TABLE_NAME.test(tableName)) {
    throw new ConfigError('SNAPSHOT_TABLE_NAME', `"${tableName}" is not a DynamoDB table name`);
  }
  const topicArn = requiredEnv(env, 'ALERT_TOPIC_ARN');
  if (!TOPIC_ARN.test(topicArn))
    throw new ConfigError('ALERT_TOPIC_ARN', `"${topicArn}" is not an SNS topic ARN`);
  const days = env.DRILL_REPORT_RETENTION_DAYS?.trim();
  const retentionDays = days ? Number(days) : DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) {
    throw new ConfigError(
      'DRILL_REPORT_RETENTION_DAYS',
      `"${days}" must be a whole number of days from 1 to 3650`,
    );
  }
  return { config, tableName, topicArn, retentionDays };
}

export interface DrillRequest {
  readonly deployment: DeploymentConfig;
  readonly index: number;
  readonly dryRun: boolean;
  readonly failback: boolean;
}

/** Validates the invocation event against the config. Unknown keys are rejected (typos must not run a drill). */
export function parseDrillEvent(event: unknown, config: WatchConfig): DrillRequest {
  const raw = (event ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('event', 'must be an object');
  for (const key of Object.keys(raw)) {
    if (!['deployment', 'dryRun', 'failback'].includes(key)) {
      throw new ConfigError(`event.${key}`, 'unknown key (expected deployment, dryRun, failback)');
    }
  }
  for (const key of ['dryRun', 'failback'] as const) {
    if (raw[key] !== undefined && typeof raw[key] !== 'boolean') {
      throw new ConfigError(`event.${key}`, `must be true or false, got ${JSON.stringify(raw[key])}`);
    }
  }
  const names = config.deployments.map((d) => d.name);
  let index = 0;
  if (raw.deployment === undefined) {
    if (names.length > 1)
      throw new ConfigError('event.deployment', `is required: one of ${names.join(', ')}`);
  } else {
    index = typeof raw.deployment === 'string' ? names.indexOf(raw.deployment) : -1;
    if (index < 0) {
      throw new ConfigError(
        'event.deployment',
        `${JSON.stringify(raw.deployment)} is not one of ${names.join(', ')}`,
      );
    }
  }
  return {
    deployment: config.deployments[index],
    index,
    dryRun: raw.dryRun === true,
    failback: raw.failback === true,
  };
}

/**
 * The deployment's passwords: Secrets Manager when an ARN is configured, else the named environment
 * variable (local runs). Errors name the config field; values never appear in them.
 */
export async function drillCredentials(
  d: DeploymentConfig,
  index: number,
  secrets: SecretSource,
  env: Env,
): Promise<Credentials> {
  const read = async (
    arn: string | null,
    envName: string | null,
    key: string,
  ): Promise<string | undefined> => {
    const field = `deployments[${index}].${key}`;
    if (arn !== null) {
      try {
        return await secrets.getSecret(arn);
      } catch (error) {
        throw new CredentialsUnavailableError(`${field}SecretArn`, (error as Error).message, {
          cause: error,
        });
      }
    }
    if (envName === null) return undefined;
    const value = env[envName];
    if (value === undefined || value === '') {
      throw new CredentialsUnavailableError(`${field}Env`, `environment variable ${envName} is not set`);
    }
    return value;
  };
  const [password, sentinelPassword] = await Promise.all([
    read(d.passwordSecretArn, d.passwordEnv, 'password'),
    read(d.sentinelPasswordSecretArn, d.sentinelPasswordEnv, 'sentinelPassword'),
  ]);
  return {
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(d.username ? { username: d.username } : {}),
    ...(d.sentinelUsername ? { sentinelUsername: d.sentinelUsername } : {}),
  };
}

/** The drill notification: info when passed, critical when failed (refusals included). */
export function drillNotification(report: DrillReport): AlertMessage {
  const verdict = report.passed
    ? report.dryRun
      ? 'dry run passed'
      : 'PASSED'
    : report.outcome === 'refused'
      ? 'REFUSED'
      : 'FAILED';
  const subject = `[sentinel-watch] ${report.deployment}: failover drill ${verdict}`;
  return {
    subject: subject.length > 100 ? `${subject.slice(0, 99)}…` : subject,
    body: renderDrillReport(report),
    attributes: {
      severity: report.passed ? 'info' : 'critical',
      code: report.passed ? 'DRILL_PASSED' : 'DRILL_FAILED',
      deployment: report.deployment,
      type: 'drill',
      outcome: report.outcome,
      drillId: report.id,
    },
    dedupeKey: `drill:${report.deployment}:${report.id}`,
  };
}

export interface DrillLog {
  info(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface DrillHandlerDeps {
  readonly settings: DrillSettings;
  readonly store: LockStore & DrillReportStore;
  readonly publisher: AlertPublisher;
  readonly secrets: SecretSource;
  readonly env: Env;
  /** Everything runDrill needs but the lock, which the handler builds (DynamoDB + a key on the master). */
  readonly drill: Omit<DrillDeps, 'lock'>;
  readonly log: DrillLog;
}

/** One invocation, with every dependency given. */
export async function handleDrill(
  event: unknown,
  deps: DrillHandlerDeps,
  remainingMs: () => number,
): Promise<DrillReport> {
  const request = parseDrillEvent(event, deps.settings.config);
  const { deployment: d } = request;
  const needed = request.dryRun
    ? MIN_REMAINING_MS.dryRun
    : request.failback
      ? MIN_REMAINING_MS.failback
      : MIN_REMAINING_MS.drill;
  if (remainingMs() < needed) {
    throw new DrillError(
      `the invocation has ${remainingMs()} ms left; a ${request.dryRun ? 'dry run' : 'drill'} is started only with ${needed} ms or more (raise the function timeout)`,
    );
  }
  const credentials = await drillCredentials(d, request.index, deps.secrets, deps.env);
  // Without the key the drill would run unsigned and the poller would page its switch: refuse instead.
  let drillKey: string | null;
  try {
    drillKey = await drillKeyFromEnv(deps.env, deps.secrets);
  } catch (error) {
    throw new DrillError(`the drill key could not be read: ${(error as Error).message}`, { cause: error });
  }
  const now = deps.drill.now;
  const lock = combinedLock(
    lockStoreLock(deps.store, d.name, now),
    redisKeyLock({ runBatch: deps.drill.runBatch, deployment: d, credentials, now }),
  );
  deps.log.info('drill starting', { deployment: d.name, dryRun: request.dryRun, failback: request.failback });
  const report = await runDrill(
    d,
    credentials,
    { dryRun: request.dryRun, failback: request.failback },
    { ...deps.drill, lock, drillKey, progress: (line) => deps.log.info(line, { deployment: d.name }) },
  );
  const summary = {
    deployment: d.name,
    drillId: report.id,
    outcome: report.outcome,
    passed: report.passed,
    timeToSwitchMs: report.timeToSwitchMs,
    timeToVerifiedMs: report.timeToVerifiedMs,
    writeOutageMs: report.writeOutageMs,
    failedWrites: report.failedWrites,
    splitBrainWindowMs: report.splitBrainWindowMs,
    acknowledgedWritesLost: report.acknowledgedWritesLost,
    finalMaster: report.finalState?.master ?? null,
  };
  deps.log.info(report.summary, summary);
  // Store and notify independently: one failing must not stop the other, nor lose the report.
  try {
    await deps.store.putDrillReport(d.name, report, report.startedAt, deps.settings.retentionDays);
  } catch (error) {
    deps.log.error('could not store the drill report', { ...summary, error: (error as Error).message });
  }
  try {
    await deps.publisher.publish(drillNotification(report));
  } catch (error) {
    deps.log.error('could not publish the drill notification', {
      ...summary,
      error: (error as Error).message,
    });
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Cold start

const settings = loadDrillSettings(process.env);
const logger = new Logger({ serviceName: 'sentinel-watch-drill' });
// Every AWS call has a deadline too (the SDK has none by default): see aws-clients.ts.
const clients = watcherClients(AWS_LIMITS.publish);

export const defaultDrillDeps = (): DrillHandlerDeps => {
  return {
    settings,
    ...watcherPorts(clients, settings),
    env: process.env,
    drill: {
      runBatch,
      subscribe: subscribeSentinelEvents,
      writers: ioredisWriters,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    log: {
      info: (message, data) => logger.info(message, data ?? {}),
      error: (message, data) => logger.error(message, data ?? {}),
    },
  };
};

/** The handler with some dependencies replaced (tests: fake ports, mocked AWS clients). */
export function createDrillHandler(overrides: Partial<DrillHandlerDeps> = {}) {
  const deps: DrillHandlerDeps = { ...defaultDrillDeps(), ...overrides };
  return middy<DrillEvent, DrillReport, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) =>
      handleDrill(event, deps, () =>
        typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 900_000,
      ),
    );
}

export const handler = createDrillHandler();
