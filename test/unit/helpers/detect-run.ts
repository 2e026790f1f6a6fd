// Runs detection on a test snapshot with test defaults, and reads its result.

import {
  type DetectionSettings,
  type DetectionState,
  type DetectResult,
  type DrillContext,
  detect,
  emptyDetectionState,
} from '../../../lambdas/core/detect';
import { parseSentinelEvent, type SentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Address, Snapshot } from '../../../lambdas/core/types';
import { DATA, MASTER_NAME, type MutableSnapshot, SENTINELS } from './healthy-snapshot';

export const testSettings = (overrides: Partial<DetectionSettings> = {}): DetectionSettings => ({
  expectedReplicas: 2,
  expectedSentinels: 3,
  maxLagBytes: 1_048_576,
  maxLagSeconds: 10,
  minDownAfterMs: 1500,
  flapWindowMs: null,
  flapWindowFallbackMs: 600_000,
  failoverTimeoutFallbackMs: 180_000,
  ...overrides,
});

export interface RunOptions {
  readonly previous?: MutableSnapshot | null;
  readonly state?: DetectionState;
  readonly settings?: Partial<DetectionSettings>;
  readonly now?: number;
  readonly drill?: DrillContext;
  /** Sentinel events heard recently (watch, or the poller between polls). */
  readonly events?: readonly SentinelEvent[];
}

/**
 * A drill the watcher verified (a lock signed with its drill key, heartbeat fresh) that fails over
 * `from` and has sent SENTINEL FAILOVER at `startedAt`.
 */
export const trustedDrill = (
  id: string,
  startedAt: number,
  from: Address = DATA[0],
  patch: Partial<DrillContext> = {},
): DrillContext => ({ id, startedAt, verified: true, from, failoverAt: startedAt, ...patch });

/** Runs detection on a snapshot with test defaults. */
export function run(current: MutableSnapshot, options: RunOptions = {}): DetectResult {
  return detect({
    current: current as Snapshot,
    previous: (options.previous ?? null) as Snapshot | null,
    state: options.state ?? emptyDetectionState(),
    settings: testSettings(options.settings),
    now: options.now ?? Date.parse(current.takenAt),
    ...(options.drill ? { context: { drill: options.drill } } : {}),
    ...(options.events ? { events: options.events } : {}),
  });
}

/** The findings of one code, for assertions. */
export const withCode = (result: DetectResult, code: string) =>
  result.findings.filter((f) => f.code === code);

/** The codes of a result, in its order: for "nothing else fires" assertions. */
export const codesOf = (result: DetectResult): string[] => result.findings.map((f) => f.code);

/** A Sentinel pub/sub event as the watcher parses it (payload in Sentinel's own format). */
export const sentinelEvent = (
  at: number,
  type: string,
  payload: string,
  sentinel = `${SENTINELS[0].host}:${SENTINELS[0].port}`,
): SentinelEvent => parseSentinelEvent(type, payload, sentinel, at);

/** `master mymaster <ip> <port>`: the payload of an event about the master at DATA[index]. */
export const masterPayload = (index = 0): string =>
  `master ${MASTER_NAME} ${DATA[index].host} ${DATA[index].port}`;
