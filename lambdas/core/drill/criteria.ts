// Pass criteria: what a release gate requires of a drill beyond "Sentinel failed over and everything
// checks out". A drill that fails over cleanly while the old master acknowledges writes for 10 s that
// are then thrown away is not a pass for a team that ships on it. Every criterion has a default that a
// correctly configured deployment meets (measured: docs/drill.md "Pass criteria"), and can be set per
// deployment (config `drill`) and per run (CLI flags, the Lambda event's `criteria`).

import { ConfigError } from '../errors';
/** Bumped when a field of the JSON report changes meaning or goes away (adding one does not). */
export const DRILL_REPORT_SCHEMA_VERSION = 2;

export interface PassCriteria {
  /** Acknowledged writes found missing afterwards: the sentinel-aware client's, and the old master's. */
  readonly maxLostAcknowledgedWrites: { readonly client: number; readonly oldMaster: number };
  /** How long the old master may keep acknowledging writes after `+switch-master`. */
  readonly maxSplitBrainMs: number;
  /** How long the sentinel-aware client may go without a completed write. */
  readonly maxWriteOutageMs: number;
  /** SENTINEL FAILOVER to the first `+switch-master`. */
  readonly maxSwitchMs: number;
  /** SENTINEL FAILOVER until every verification check passed. */
  readonly maxVerifyMs: number;
  /** Preflight: every `expectedReplicas` replica ready (else one ready replica is enough). */
  readonly requireAllReplicas: boolean;
}

/**
 * Measured on Redis 5.0.14, 6.2.16, 7.0.15, 7.2.6 and Valkey 8.0.1 (docs/drill.md, writers every 10 ms):
 * without write protection the old master acknowledges for ~10 s after the switch and ≈1,030-1,070 of
 * its writes are lost; with min-replicas-to-write 1 / min-replicas-max-lag 2 the split brain is 0 ms,
 * but the ~1 s between the promotion and +switch-master still loses ≈90 writes of each writer. The
 * defaults fail the first and pass the second; the switchover loses 0.
 */
export const DEFAULT_CRITERIA: PassCriteria = {
  maxLostAcknowledgedWrites: { client: 150, oldMaster: 500 },
  maxSplitBrainMs: 5_000,
  maxWriteOutageMs: 15_000,
  maxSwitchMs: 10_000,
  maxVerifyMs: 60_000,
  requireAllReplicas: true,
};

/** A layer of overrides (config, CLI, event): any subset; lost writes as one number sets both. */
export interface CriteriaOverrides {
  readonly maxLostAcknowledgedWrites?: Partial<PassCriteria['maxLostAcknowledgedWrites']>;
  readonly maxSplitBrainMs?: number;
  readonly maxWriteOutageMs?: number;
  readonly maxSwitchMs?: number;
  readonly maxVerifyMs?: number;
  readonly requireAllReplicas?: boolean;
}

const MS_KEYS = ['maxSplitBrainMs', 'maxWriteOutageMs', 'maxSwitchMs', 'maxVerifyMs'] as const;
export const CRITERIA_KEYS = [...MS_KEYS, 'maxLostAcknowledgedWrites', 'requireAllReplicas'] as const;
const MAX_MS = 3_600_000;
const MAX_WRITES = 100_000_000;

function count(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ConfigError(field, `must be a whole number from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates one layer of overrides; errors name the field (`field.maxSplitBrainMs`). */
export function parseCriteria(raw: unknown, field: string): CriteriaOverrides {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(field, `must be an object, got ${JSON.stringify(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!(CRITERIA_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`${field}.${key}`, `unknown key (expected ${CRITERIA_KEYS.join(', ')})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of MS_KEYS) if (r[key] !== undefined) out[key] = count(r[key], `${field}.${key}`, MAX_MS);
  if (r.requireAllReplicas !== undefined) {
    if (typeof r.requireAllReplicas !== 'boolean') {
      throw new ConfigError(`${field}.requireAllReplicas`, 'must be true or false');
    }
    out.requireAllReplicas = r.requireAllReplicas;
  }
  const lost = r.maxLostAcknowledgedWrites;
  const lostField = `${field}.maxLostAcknowledgedWrites`;
  if (typeof lost === 'number') {
    const n = count(lost, lostField, MAX_WRITES);
    out.maxLostAcknowledgedWrites = { client: n, oldMaster: n };
  } else if (lost !== undefined) {
    if (typeof lost !== 'object' || lost === null || Array.isArray(lost)) {
      throw new ConfigError(lostField, 'must be a number (both) or { "client": N, "oldMaster": N }');
    }
    const l = lost as Record<string, unknown>;
    for (const key of Object.keys(l)) {
      if (key !== 'client' && key !== 'oldMaster')
        throw new ConfigError(`${lostField}.${key}`, 'unknown key (expected client, oldMaster)');
    }
    out.maxLostAcknowledgedWrites = {
      ...(l.client !== undefined ? { client: count(l.client, `${lostField}.client`, MAX_WRITES) } : {}),
      ...(l.oldMaster !== undefined
        ? { oldMaster: count(l.oldMaster, `${lostField}.oldMaster`, MAX_WRITES) }
        : {}),
    };
  }
  return out as CriteriaOverrides;
}

/** The defaults, overridden by each layer in turn (deployment config, then the run's). */
export function resolveCriteria(...layers: readonly (CriteriaOverrides | null | undefined)[]): PassCriteria {
  let c: PassCriteria = DEFAULT_CRITERIA;
  for (const layer of layers) {
    if (!layer) continue;
    const { maxLostAcknowledgedWrites: lost, ...rest } = layer;
    c = {
      ...c,
      ...rest,
      maxLostAcknowledgedWrites: { ...c.maxLostAcknowledgedWrites, ...lost },
    };
  }
  return c;
}

/** The headline numbers of a drill's own failover, as the report carries them. */
export interface Measured {
  readonly clientWritesLost: number | null;
  readonly acknowledgedWritesLost: number | null;
  readonly splitBrainWindowMs: number | null;
  readonly writeOutageMs: number | null;
  readonly timeToSwitchMs: number | null;
  readonly timeToVerifiedMs: number | null;
}

export interface CriterionResult {
  /** The criterion's name as configured, e.g. `maxSplitBrainMs`, `maxLostAcknowledgedWrites.client`. */
  readonly criterion: string;
  readonly limit: number;
  /** Null: not measured (then the criterion fails: a gate cannot pass on what it did not see). */
  readonly measured: number | null;
  readonly passed: boolean;
  readonly detail: string;
  /** What to change when it failed; null when it passed. */
  readonly fix: string | null;
}

const WRITE_PROTECTION =
  'set min-replicas-to-write 1 and min-replicas-max-lag 2 on every data node (CONFIG SET and the config file), so a master cut off from its replicas refuses writes instead of acknowledging writes that are then discarded';

interface Rule {
  readonly criterion: string;
  readonly limit: (c: PassCriteria) => number;
  readonly measured: (m: Measured) => number | null;
  readonly what: string;
  readonly unit: 'ms' | 'writes';
  readonly fix: string;
}

const RULES: readonly Rule[] = [
  {
    criterion: 'maxLostAcknowledgedWrites.client',
    limit: (c) => c.maxLostAcknowledgedWrites.client,
    measured: (m) => m.clientWritesLost,
    what: 'writes acknowledged to the sentinel-aware client were lost',
    unit: 'writes',
    fix: `for planned maintenance use the switchover mode (--switchover, event "switchover": true): it holds writes until the switch and loses none. A failover always loses what the old master acknowledged between the promotion and +switch-master (~1 s); ${WRITE_PROTECTION}, and clients must follow +switch-master (ioredis failoverDetector: true), or raise the budget`,
  },
  {
    criterion: 'maxLostAcknowledgedWrites.oldMaster',
    limit: (c) => c.maxLostAcknowledgedWrites.oldMaster,
    measured: (m) => m.acknowledgedWritesLost,
    what: 'writes acknowledged by the old master were lost when it rejoined',
    unit: 'writes',
    fix: WRITE_PROTECTION,
  },
  {
    criterion: 'maxSplitBrainMs',
    limit: (c) => c.maxSplitBrainMs,
    measured: (m) => m.splitBrainWindowMs,
    what: 'the old master acknowledged writes after +switch-master',
    unit: 'ms',
    fix: `${WRITE_PROTECTION}; a lower min-replicas-max-lag shortens the window`,
  },
  {
    criterion: 'maxWriteOutageMs',
    limit: (c) => c.maxWriteOutageMs,
    measured: (m) => m.writeOutageMs,
    what: 'the sentinel-aware client could not write',
    unit: 'ms',
    fix: 'clients should learn of the switch from +switch-master (ioredis failoverDetector: true) and reconnect on READONLY; a long outage is also a slow switch (see maxSwitchMs)',
  },
  {
    criterion: 'maxSwitchMs',
    limit: (c) => c.maxSwitchMs,
    measured: (m) => m.timeToSwitchMs,
    what: 'from SENTINEL FAILOVER to +switch-master',
    unit: 'ms',
    fix: 'check the sentinels can reach each other and the replicas quickly (network, auth-pass), that the replicas are in sync, and failover-timeout',
  },
  {
    criterion: 'maxVerifyMs',
    limit: (c) => c.maxVerifyMs,
    measured: (m) => m.timeToVerifiedMs,
    what: 'from SENTINEL FAILOVER until every verification check passed',
    unit: 'ms',
    fix: 'the slowest verification check names what lagged (usually the old master rejoining, ~10 s after a switch, or a replica resyncing a large data set)',
  },
];

const show = (n: number, unit: 'ms' | 'writes'): string =>
  unit === 'writes' ? `${n}` : n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;

/** Each measured criterion of a drill that failed over, judged. */
export function judgeCriteria(m: Measured, c: PassCriteria): CriterionResult[] {
  return RULES.map((rule) => {
    const limit = rule.limit(c);
    const measured = rule.measured(m);
    if (measured === null) {
      return {
        criterion: rule.criterion,
        limit,
        measured,
        passed: false,
        detail: `not measured (${rule.what}); limit ${show(limit, rule.unit)}`,
        fix: 'see the failed checks: the drill did not get far enough to measure this',
      };
    }
    const passed = measured <= limit;
    return {
      criterion: rule.criterion,
      limit,
      measured,
      passed,
      detail: `${rule.what}: ${show(measured, rule.unit)} (limit ${show(limit, rule.unit)})`,
      fix: passed ? null : rule.fix,
    };
  });
}

/** The failed criteria as one check line each, for the summary and the rendered report. */
export function criteriaText(results: readonly CriterionResult[]): string {
  return results
    .filter((r) => !r.passed)
    .map((r) => `${r.criterion}: ${r.detail}; fix: ${r.fix}`)
    .join(' | ');
}

/** requireAllReplicas as preflight needs it: how many ready replicas it asks for. */
export const replicasRequired = (c: Pick<PassCriteria, 'requireAllReplicas'>, expected: number): number =>
  c.requireAllReplicas ? expected : 1;
