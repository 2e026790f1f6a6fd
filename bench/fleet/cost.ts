// The monthly cost of watching D deployments, from what the fleet bench measured per poll and per
// run, at AWS list prices as known (us-east-1, 2025; check the pricing pages before relying on them).
// Free tiers are left out. Interface VPC endpoints are shown apart: they cost the same for 1 or 1,000
// deployments, and a VPC with a NAT gateway needs none.

import { POLLER_SECRET_TTL_MS } from '../../lambdas/adapters/secrets';

export const PRICES = {
  /** Lambda, Arm: per GB-second, per request. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on-demand: per write / read request unit; storage and PITR per GB-month. */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  dynamoStorageGbMonth: 0.25,
  dynamoPitrGbMonth: 0.2,
  /** CloudWatch: custom metric-month (first 10,000), alarm-month, dashboard-month, log GB ingested and stored. */
  metricMonth: 0.3,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  logIngestGb: 0.5,
  logStoreGbMonth: 0.03,
  /** Contributor Insights on CloudWatch Logs: per rule-month, per million log events matched. */
  insightRuleMonth: 0.5,
  insightEventsPerMillion: 0.02,
  /** KMS key-month; Secrets Manager API calls per 10,000. */
  kmsKeyMonth: 1,
  secretsApiPer10k: 0.05,
  /** Interface VPC endpoint per AZ-hour. */
  endpointAzHour: 0.01,
} as const;

const HOURS = 730;
const MINUTES = 43_200;

/** What the bench measured, per deployment and per shard run. */
export interface CostInputs {
  /**
   * GB-seconds of one poller run for a shard of n deployments (warm, one poll each): a + b * n. The
   * work is CPU-bound, so GB-s hardly depend on the memory size (more memory, more CPU, less time).
   */
  readonly runGbSeconds: { readonly base: number; readonly perDeployment: number };
  /** GB-seconds of a cold start's init (billed), and how often a shard's process starts cold a month. */
  readonly initGbSeconds: number;
  readonly coldStartsPerShardMonth: number;
  readonly writeUnitsPerPoll: number;
  readonly readUnitsPerPoll: number;
  /** Bytes of one stored snapshot record (kept retentionDays). */
  readonly snapshotBytes: number;
  /** Bytes logged per deployment poll, and per run (START/END/REPORT, the run's own lines). */
  readonly logBytesPerPoll: number;
  readonly logBytesPerRun: number;
  /** Replica log lines per poll (Contributor Insights events). */
  readonly replicasPerDeployment: number;
  readonly retentionDays: number;
  readonly logRetentionDays: number;
}

export interface CostScenario {
  readonly deployments: number;
  readonly shards: number;
  /** The poller's memory size (the stack's choice for the largest shard). */
  readonly memoryMb: number;
  /** With pollEverySeconds: each run lasts this long (its minute plus the handover). */
  readonly listeningRunSeconds: number | null;
  /** Secrets (one per deployment in the worst case), each read once per 5 minutes per warm process. */
  readonly secrets: number;
}

export interface CostLine {
  readonly item: string;
  readonly monthly: number;
  readonly arithmetic: string;
}

export interface CostEstimate {
  readonly scenario: CostScenario;
  readonly lines: readonly CostLine[];
  readonly total: number;
  readonly perDeployment: number;
  /** Two interface endpoints (SNS, Secrets Manager) in 3 AZs, per VPC: not in the total. */
  readonly endpointsPerVpc: number;
}

const usd = (x: number) => `$${x < 0.01 ? x.toFixed(4) : x.toFixed(2)}`;

export function estimate(s: CostScenario, m: CostInputs): CostEstimate {
  const D = s.deployments;
  const S = s.shards;
  const gb = s.memoryMb / 1024;
  const polls = D * MINUTES;
  const runs = S * MINUTES;
  const perShard = D / S;
  const runGbSeconds =
    s.listeningRunSeconds !== null
      ? s.listeningRunSeconds * gb
      : m.runGbSeconds.base + m.runGbSeconds.perDeployment * perShard;
  const gbSeconds = runs * runGbSeconds + S * m.coldStartsPerShardMonth * m.initGbSeconds;
  const writeUnits = polls * m.writeUnitsPerPoll;
  const readUnits = polls * m.readUnitsPerPoll;
  const storedGb = (D * MINUTES * (m.retentionDays / 30) * m.snapshotBytes) / 1024 ** 3;
  const logGb = (polls * m.logBytesPerPoll + runs * m.logBytesPerRun) / 1024 ** 3;
  // 11 fleet metrics (lambdas/poller/metrics.ts) + PollDurationMs per shard; 8 alarms with the Slack
  // notifier (lib/constructs/monitoring.ts) + one per shard when there are several.
  const metrics = 11 + Math.max(S, 1);
  const alarms = 8 + (S > 1 ? S : 0);
  const replicaEvents = polls * m.replicasPerDeployment;
  const insightEvents = 3 * polls + replicaEvents;
  // A warm process reads each of its secrets once per cache period (the poller's: 30 minutes; a
  // refused password is read again at once, rare); runs that overlap at the minute with
  // pollEverySeconds alternate between two processes per shard.
  const processes = s.listeningRunSeconds === null ? 1 : 2;
  const secretCalls = s.secrets * processes * (3_600_000 / POLLER_SECRET_TTL_MS) * HOURS;
  const lines: CostLine[] = [
    {
      item: 'Lambda compute',
      monthly: gbSeconds * PRICES.lambdaGbSecond,
      arithmetic: `${S} shard(s) x ${MINUTES} runs x ${runGbSeconds.toFixed(3)} GB-s (${s.memoryMb} MB; + cold starts) = ${Math.round(gbSeconds).toLocaleString('en-US')} GB-s`,
    },
    {
      item: 'Lambda requests',
      monthly: runs * PRICES.lambdaRequest,
      arithmetic: `${runs.toLocaleString('en-US')} runs`,
    },
    {
      item: 'DynamoDB writes',
      monthly: writeUnits * PRICES.dynamoWriteUnit,
      arithmetic: `${polls.toLocaleString('en-US')} polls x ${m.writeUnitsPerPoll.toFixed(2)} WRU`,
    },
    {
      item: 'DynamoDB reads',
      monthly: readUnits * PRICES.dynamoReadUnit,
      arithmetic: `${polls.toLocaleString('en-US')} polls x ${m.readUnitsPerPoll.toFixed(2)} RRU`,
    },
    {
      item: 'DynamoDB storage + PITR',
      monthly: storedGb * (PRICES.dynamoStorageGbMonth + PRICES.dynamoPitrGbMonth),
      arithmetic: `${storedGb.toFixed(2)} GB of snapshots (${m.retentionDays} days x ${Math.round(m.snapshotBytes)} B)`,
    },
    {
      item: 'CloudWatch Logs',
      monthly: logGb * (PRICES.logIngestGb + PRICES.logStoreGbMonth * (m.logRetentionDays / 30)),
      arithmetic: `${logGb.toFixed(1)} GB ingested (${Math.round(m.logBytesPerPoll)} B per poll)`,
    },
    {
      item: 'CloudWatch metrics',
      monthly: metrics * PRICES.metricMonth,
      arithmetic: `${metrics} metrics (fleet + per shard); per-deployment failovers billed only in hours with data`,
    },
    { item: 'CloudWatch alarms', monthly: alarms * PRICES.alarmMonth, arithmetic: `${alarms} alarms` },
    { item: 'CloudWatch dashboard', monthly: PRICES.dashboardMonth, arithmetic: '1 dashboard' },
    {
      item: 'Contributor Insights',
      monthly: 4 * PRICES.insightRuleMonth + (insightEvents / 1e6) * PRICES.insightEventsPerMillion,
      arithmetic: `4 rules, ${(insightEvents / 1e6).toFixed(1)} M log events matched`,
    },
    { item: 'KMS (topic key)', monthly: PRICES.kmsKeyMonth, arithmetic: '1 key' },
    {
      item: 'Secrets Manager API',
      monthly: (secretCalls / 1e4) * PRICES.secretsApiPer10k,
      arithmetic: `${s.secrets} secret(s) read every ${POLLER_SECRET_TTL_MS / 60_000} min per warm process`,
    },
  ];
  const total = lines.reduce((n, l) => n + l.monthly, 0);
  return {
    scenario: s,
    lines,
    total,
    perDeployment: total / D,
    endpointsPerVpc: 2 * 3 * HOURS * PRICES.endpointAzHour,
  };
}

export const formatUsd = usd;
