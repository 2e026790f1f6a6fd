// What the poller's parts share: the ports run.ts is handed (PollerDeps), the options of one
// invocation and its time budget, and the report each poll hands to the metrics. Kept apart so the
// invocation loop (run.ts), one poll (poll-once.ts) and the outbox delivery (deliver.ts) can all
// import it without importing each other.

import { AWS_LIMITS } from '../adapters/aws-clients';
import type { BatchTarget } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import type { Presentation } from '../core/notify/presentation';
import type { AlertPublisher, Clock, SecretSource } from '../core/ports';
import type { SentinelEvent } from '../core/sentinel-event';
import type { SnapshotRecord } from '../core/snapshot-record';
import type { ShardRunStore, SilenceReader, SnapshotStore, StateStore } from '../core/store-ports';
import type { Address, Snapshot } from '../core/types';
import type { ShardHandoverOptions } from './shard-handover';

/** Structured log sink (the handler passes Powertools' logger). Data must never carry a secret. */
export interface PollerLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** One full poll; `previous` (the last poll's compacted snapshot) decides the follow-up questions. */
export type Probe = (
  deployment: DeploymentConfig,
  credentials: Credentials,
  previous?: Snapshot | null,
) => Promise<Snapshot>;

/**
 * One cheap look at the master's own replication view between full polls (lag-sampler.ts): true when
 * a replica looks behind, so the poll that judges it runs now instead of at the next tick.
 */
export type LagProbe = (
  deployment: DeploymentConfig,
  credentials: Credentials,
  master: Address,
) => Promise<boolean>;

/** Sleeps `ms`; resolves early (never rejects) when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface SubscribeRequest {
  readonly deployment: string;
  readonly masterName: string;
  readonly sentinels: readonly BatchTarget[];
  readonly timeoutMs: number;
  readonly onEvent: (event: SentinelEvent) => void;
}

export type Subscribe = (request: SubscribeRequest) => Promise<{ close(): Promise<void> }>;

/** What one poll of one deployment measured: the handler turns it into metrics. */
export interface PollReport {
  readonly deployment: string;
  readonly takenAt: string;
  readonly pollDurationMs: number;
  readonly reachableNodes: number;
  readonly reachableSentinels: number;
  readonly maxReplicaLagBytes: number | null;
  readonly maxReplicaLagSeconds: number | null;
  readonly openIncidents: number;
  readonly findings: number;
  readonly notifications: number;
  readonly published: number;
  /** Alerts still waiting after this poll (publish failed or time ran out). */
  readonly pending: number;
  /** Pending alerts dropped because the outbox was full. */
  readonly dropped: number;
  /** Alerts SNS refused for good (marked failed, not retried). */
  readonly rejected: number;
  /** MASTER_CHANGED notifications this poll queued. */
  readonly failovers: number;
  /** The poll as stored (per-node and per-sentinel figures, for metrics). */
  readonly record: SnapshotRecord;
}

export interface PollerDeps {
  readonly probe: Probe;
  readonly store: SnapshotStore & StateStore;
  readonly publisher: AlertPublisher;
  readonly secrets: SecretSource;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Environment for `passwordEnv` (local runs). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Sentinel pub/sub between polls (only with pollEverySeconds); none: wait for the next tick only. */
  /** Silences (the table's SILENCE items); none: nothing is silenced. */
  readonly silences?: SilenceReader;
  readonly subscribe?: Subscribe;
  /** The shard's run mark (shard-handover.ts); none: runs hand over per deployment only. */
  readonly runs?: ShardRunStore;
  /** Lag samples between polls (only with pollEverySeconds and lagCheckMs); none: ticks and events only. */
  readonly lag?: LagProbe;
  readonly log?: PollerLog;
  readonly onPoll?: (report: PollReport) => void;
  /** [0, 1) for backoff jitter; default Math.random. */
  readonly random?: () => number;
  /**
   * The drill key (Secrets Manager in AWS): a drill's switch is `info` only under a lock signed with
   * it. None, or unreadable: every switch is paged.
   */
  readonly drillKey?: () => Promise<string | null>;
  /** Runbook and dashboard links, and the time zone, of the alert text; none by default. */
  readonly presentation?: Presentation;
}

export interface PublishRetry {
  /** Tries per alert within one poll (default 4). */
  readonly attempts: number;
  /** First backoff; doubles per try, with jitter (default 200 ms). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * The longest one publish can take (the SNS client's call deadline): a try starts only if it can
   * end before publishing must stop.
   */
  readonly callTimeoutMs: number;
}

export interface RunOptions {
  /** Unique per invocation (request id + random): it owns the outbox entries it claims. */
  readonly owner: string;
  /** The Lambda's `context.getRemainingTimeInMillis`. */
  readonly remainingMs: () => number;
  /** The schedule period: no poll starts so late that it would overlap the next invocation (60 s). */
  readonly windowMs?: number;
  /** Kept free at the end for saving and publishing after the last poll (default 5 s). */
  readonly reserveMs?: number;
  /**
   * The shard handover (shard-handover.ts), with pollEverySeconds and `PollerDeps.runs`: this run
   * marks the shard once it listens, and stops idle deployments once the next run has marked it.
   */
  readonly handover?: ShardHandoverOptions;
  readonly publish?: Partial<PublishRetry>;
  /** Event-triggered polls wait this long for the rest of a burst (default 300 ms)... */
  readonly debounceMs?: number;
  /** ...and never start less than this after the previous poll (default 1 s). */
  readonly minGapMs?: number;
  /**
   * The longest one state read or write can take (the DynamoDB client's call deadline): publishing
   * stops in time to record its outcome, and a failed record is retried only while one fits.
   */
  readonly storeCallTimeoutMs?: number;
}

export const RUN_DEFAULTS = {
  windowMs: 60_000,
  reserveMs: 5_000,
  debounceMs: 300,
  minGapMs: 1_000,
  publish: {
    attempts: 4,
    baseDelayMs: 200,
    maxDelayMs: 5_000,
    callTimeoutMs: AWS_LIMITS.outboxPublish.callTimeoutMs,
  } satisfies PublishRetry,
  storeCallTimeoutMs: AWS_LIMITS.dynamodb.callTimeoutMs,
} as const;

/** Kept free after the last state write, before the Lambda is killed: logs and metrics. */
export const FINAL_MARGIN_MS = 500;

/** One invocation's time, shared by every deployment it polls. */
export interface Budget {
  readonly startedAt: number;
  /** The Lambda is killed here. */
  readonly hardEnd: number;
  /** End of the scheduled window (or of the remaining time, if sooner). */
  readonly stopAt: number;
  readonly reserveMs: number;
}

export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';

export const silentLog: PollerLog = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
