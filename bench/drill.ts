// Drills: `runDrill` (lambdas/drill/run.ts) against the local topology, the way `sentinel-watch drill`
// wires it (ioredis batch runner, sentinel pub/sub, ioredis writers, the lock as a key on the master),
// with production defaults (timeoutMs 1000, writers every 10 ms). Each drill fails over to a replica
// and does not fail back, so consecutive drills alternate the master. The deployment must pass
// preflight (and be healthy as in the detection bench) before each drill.

import { runBatch } from '../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../lambdas/adapters/sentinel-events';
import type { DrillReport } from '../lambdas/core/drill';
import { redisKeyLock, runDrill } from '../lambdas/drill/run';
import { ioredisWriters } from '../lambdas/drill/writers';
import type { Lab, Log } from './lab';
import { median } from './stats';

export interface DrillOptions {
  readonly drills: number;
}

export interface DrillRecord {
  readonly id: string;
  readonly outcome: DrillReport['outcome'];
  readonly passed: boolean;
  readonly from: number | null;
  readonly to: number | null;
  readonly durationMs: number;
  readonly timeToSwitchMs: number | null;
  readonly timeToVerifiedMs: number | null;
  readonly writeOutageMs: number | null;
  readonly failedWrites: number | null;
  readonly splitBrainWindowMs: number | null;
  readonly acknowledgedWritesLost: number | null;
  /** Writes the sentinel-aware client had acknowledged that are missing on the new master. */
  readonly clientWritesLost: number | null;
  readonly summary: string;
  /** The drill's timeline: sentinel events and drill actions, ms after the drill started. */
  readonly timeline: readonly string[];
}

export interface MetricStat {
  readonly n: number;
  readonly median: number | null;
  readonly max: number | null;
}

export interface DrillResult {
  readonly status: 'measured' | 'pending';
  readonly reason?: string;
  readonly options: DrillOptions;
  readonly drills: readonly DrillRecord[];
  readonly stats: Readonly<Record<MetricName, MetricStat>>;
}

export const DRILL_METRICS = [
  ['timeToSwitchMs', 'time to switch (SENTINEL FAILOVER -> +switch-master)', 'ms'],
  ['timeToVerifiedMs', 'time to verified (every check passed)', 'ms'],
  ['writeOutageMs', 'client write outage (sentinel-aware client)', 'ms'],
  ['failedWrites', 'failed client writes', 'writes'],
  ['splitBrainWindowMs', 'split-brain window (old master still acknowledging)', 'ms'],
  ['acknowledgedWritesLost', 'acknowledged writes lost (plain connection to the old master)', 'writes'],
  ['clientWritesLost', 'acknowledged writes lost (sentinel-aware client)', 'writes'],
] as const;
export type MetricName = (typeof DRILL_METRICS)[number][0];

function stat(values: readonly (number | null)[]): MetricStat {
  const present = values.filter((v): v is number => v !== null);
  return {
    n: present.length,
    median: present.length ? median(present) : null,
    max: present.length ? Math.max(...present) : null,
  };
}

export async function benchDrill(lab: Lab, options: DrillOptions, log: Log): Promise<DrillResult> {
  const drills: DrillRecord[] = [];
  for (let i = 0; i < options.drills; i++) {
    const master = await lab.waitHealthy(60_000);
    log(`drill ${i + 1}/${options.drills}: SENTINEL FAILOVER away from ${master.port} (takes ~20 s)`);
    const d = lab.deployment();
    const credentials = lab.credentials;
    const lock = redisKeyLock({ runBatch, deployment: d, credentials, now: Date.now });
    const report = await runDrill(
      d,
      credentials,
      {},
      {
        runBatch,
        subscribe: subscribeSentinelEvents,
        writers: ioredisWriters,
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        lock,
        progress: (line) => log(`    ${line}`),
      },
    );
    const record: DrillRecord = {
      id: report.id,
      outcome: report.outcome,
      passed: report.passed,
      from: report.previousMaster?.port ?? null,
      to: report.newMaster?.port ?? null,
      durationMs: report.durationMs,
      timeToSwitchMs: report.timeToSwitchMs,
      timeToVerifiedMs: report.timeToVerifiedMs,
      writeOutageMs: report.writeOutageMs,
      failedWrites: report.failedWrites,
      splitBrainWindowMs: report.splitBrainWindowMs,
      acknowledgedWritesLost: report.acknowledgedWritesLost,
      clientWritesLost: report.legs.find((l) => l.purpose === 'drill')?.clientWrites?.lost ?? null,
      summary: report.summary,
      timeline: report.timeline.map(
        (e) =>
          `+${e.atMs} ms ${e.sentinel ?? 'drill'} ${e.type}${e.source === 'sentinel' ? ` ${e.detail}` : ''}`,
      ),
    };
    drills.push(record);
    log(
      `  ${report.outcome}: switch ${record.timeToSwitchMs ?? '-'} ms, verified ${record.timeToVerifiedMs ?? '-'} ms, ` +
        `outage ${record.writeOutageMs ?? '-'} ms (${record.failedWrites ?? '-'} failed writes), ` +
        `split brain ${record.splitBrainWindowMs ?? '-'} ms, lost ${record.acknowledgedWritesLost ?? '-'} ` +
        `(old master) / ${record.clientWritesLost ?? '-'} (client)`,
    );
  }
  await lab.waitHealthy(60_000);
  const stats = Object.fromEntries(
    DRILL_METRICS.map(([name]) => [name, stat(drills.map((r) => r[name]))]),
  ) as Record<MetricName, MetricStat>;
  return { status: 'measured', options, drills, stats };
}

/** The drill section when it could not run (e.g. the drill module is unfinished): reported as pending. */
export function pendingDrill(options: DrillOptions, reason: string): DrillResult {
  const stats = Object.fromEntries(
    DRILL_METRICS.map(([name]) => [name, { n: 0, median: null, max: null }]),
  ) as Record<MetricName, MetricStat>;
  return { status: 'pending', reason, options, drills: [], stats };
}
