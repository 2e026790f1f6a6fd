// The fleet bench's plans (full and quick), what it measures (FleetResult) and the small helpers the
// measuring and the rendering share.

import { type Summary, summarize } from '../stats';
import type { CostEstimate, CostInputs } from './cost';
import type { HandoverOptions, HandoverResult } from './handover';
import type { ShardRun } from './shard-runner';

export type Log = (line: string) => void;

export interface FleetPlan {
  readonly simulated: {
    readonly deployments: number;
    readonly shards: number;
    /** Shards measured (all of them in a full run). */
    readonly measure: number;
    readonly invocations: number;
    readonly latencyMs: number;
    readonly listeningSeconds: number;
  };
  readonly real: { readonly masters: number; readonly shards: number; readonly invocations: number } | null;
  readonly handover: HandoverOptions | null;
}

export const FLEET_PLANS: Record<'full' | 'quick', FleetPlan> = {
  full: {
    simulated: {
      deployments: 1000,
      shards: 20,
      measure: 20,
      invocations: 2,
      latencyMs: 1,
      listeningSeconds: 25,
    },
    real: { masters: 100, shards: 2, invocations: 2 },
    handover: {
      periodMs: 20_000,
      overlapMs: 25_000,
      coldStartMs: 1000,
      pollEverySeconds: 10,
      boundaries: 12,
      boundariesWithout: 3,
      offsetsMs: [-2000, -500, 0, 400, 1500],
    },
  },
  quick: {
    simulated: {
      deployments: 1000,
      shards: 20,
      measure: 3,
      invocations: 2,
      latencyMs: 1,
      listeningSeconds: 20,
    },
    real: { masters: 20, shards: 1, invocations: 2 },
    handover: {
      periodMs: 15_000,
      overlapMs: 25_000,
      coldStartMs: 1000,
      pollEverySeconds: 10,
      boundaries: 2,
      boundariesWithout: 1,
      offsetsMs: [-500, 0, 400],
    },
  },
};

export interface ShardRow {
  readonly label: string;
  readonly run: ShardRun;
  readonly deployments: number;
}

export interface FleetSection {
  readonly label: string;
  readonly rows: readonly ShardRow[];
  /** Every deployment's probe time (warm invocations), ms. */
  readonly poll: Summary;
  /** The last poll of any shard stored, from its invocation's start (warm; cold adds init). */
  readonly allPolledWarmMs: number;
  readonly allPolledColdMs: number;
  readonly peakMb: number;
  readonly alertsInSteadyState: readonly string[];
}

export interface FaultOutcome {
  readonly fault: string;
  readonly deployment: string;
  readonly expected: string;
  readonly alerts: readonly string[];
  readonly pollMs: number | null;
}

export interface FleetResult {
  readonly plan: FleetPlan;
  /** The poller's memory size per layout (the stack's choice) and the CPU share it gets. */
  readonly memory: Record<string, { readonly memoryMb: number; readonly cpuShare: number | null }>;
  readonly simulated: FleetSection;
  readonly cap: ShardRow | null;
  readonly listening:
    | (ShardRow & { readonly eventLatencyMs: number | null; readonly subscriptions: number })
    | null;
  readonly faults: readonly FaultOutcome[];
  readonly unknownCommands: Record<string, number>;
  readonly real: FleetSection | null;
  readonly realSkipped: string | null;
  readonly handover: HandoverResult | null;
  readonly dynamoPerMinute: {
    readonly writes: number;
    readonly writeUnits: number;
    readonly stateBytes: Summary;
    readonly snapshotBytes: Summary;
    readonly readUnits: number;
  };
  readonly costInputs: CostInputs;
  readonly costs: readonly { readonly mode: string; readonly estimates: readonly CostEstimate[] }[];
  readonly goals: readonly { readonly met: boolean; readonly text: string }[];
}

export const warm = (r: ShardRun) => r.invocations[r.invocations.length - 1];
export const cold = (r: ShardRun) => r.invocations[0];

export function section(label: string, rows: ShardRow[], alertsInSteadyState: string[]): FleetSection {
  const polls = rows.flatMap((r) => warm(r.run).polls.map((p) => p.pollMs));
  const doneAt = (i: ReturnType<typeof warm>) => Math.max(0, ...i.polls.map((p) => p.doneAtMs));
  return {
    label,
    rows,
    poll: summarize(polls),
    allPolledWarmMs: Math.max(...rows.map((r) => doneAt(warm(r.run)))),
    allPolledColdMs: Math.max(...rows.map((r) => r.run.initMs + doneAt(cold(r.run)))),
    peakMb: Math.max(...rows.map((r) => r.run.vmHwmMb ?? 0)),
    alertsInSteadyState,
  };
}

/** Least squares of y = a + b x. */
export function linearFit(points: readonly [number, number][]): { base: number; perDeployment: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { base: Math.max(0, my - b * mx), perDeployment: Math.max(0, b) };
}
