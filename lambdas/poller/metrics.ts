// The poller's CloudWatch metrics, as Embedded Metric Format log lines, shaped for fleets.
//
// CloudWatch bills each custom metric (name + dimension values) $0.30 a month: nine metrics per
// deployment were $2,700 a month at 1,000 deployments. So, per poll of a deployment:
//   - fleet metrics (no dimension): the worst lag, unreachable servers, open incidents, alerts,
//     failovers, poll duration; and the poll duration per shard (`shard`): ~10 + shards metrics;
//   - `Failovers`, `AlertsDropped` and `AlertsRejected` per deployment only when non-zero: CloudWatch bills a metric
//     for the hours it receives data, so a metric that is sent once costs almost nothing;
//   - every value also goes into the log line as a plain field with `deployment` (and one line per
//     replica with `replica`): Contributor Insights rules on the log group rank deployments and
//     replicas (top-N) without a metric per deployment (lib/constructs/monitoring.ts);
//   - deployments listed in `detailedMetrics` get the full per-deployment and per-replica metrics.
// Lines are written to stdout by hand (no Powertools Metrics): several dimension sets per line and
// metrics that are present only when non-zero are plain EMF, and the line must stay one JSON object.

import type { PollReport } from './run';

export const METRICS_NAMESPACE = 'SentinelWatch';
/** Marks the poller's own JSON lines (`poll`, `replica`) for Contributor Insights filters. */
export const LINE_KIND_FIELD = 'sw';

type Unit = 'Milliseconds' | 'Bytes' | 'Seconds' | 'Count';

interface Directive {
  readonly Namespace: string;
  readonly Dimensions: string[][];
  readonly Metrics: { Name: string; Unit: Unit }[];
}

export interface MetricsContext {
  /** The invocation's shard (0-based). */
  readonly shard: number;
  /** Deployments with per-deployment and per-replica metrics. */
  readonly detailed: ReadonlySet<string>;
}

const UNITS: Record<string, Unit> = {
  PollDurationMs: 'Milliseconds',
  MaxReplicaLagBytes: 'Bytes',
  MaxReplicaLagSeconds: 'Seconds',
  ReplicaLagBytes: 'Bytes',
  ReplicaLagSeconds: 'Seconds',
};

const metricList = (names: readonly string[]) =>
  names.map((Name) => ({ Name, Unit: UNITS[Name] ?? 'Count' }));

/** One poll's values by metric name; null values (lag not known) are left out. */
function pollValues(r: PollReport): Record<string, number> {
  const nodes = r.record.nodes;
  const sentinels = r.record.sentinels;
  const values: Record<string, number | null> = {
    PollDurationMs: r.pollDurationMs,
    MaxReplicaLagBytes: r.maxReplicaLagBytes,
    MaxReplicaLagSeconds: r.maxReplicaLagSeconds,
    ReachableNodes: r.reachableNodes,
    ReachableSentinels: r.reachableSentinels,
    UnreachableNodes: nodes.filter((n) => !n.reachable).length,
    UnreachableSentinels: sentinels.filter((s) => !s.reachable).length,
    OpenIncidents: r.openIncidents,
    AlertsPublished: r.published,
    AlertsPending: r.pending,
    AlertsDropped: r.dropped,
    AlertsRejected: r.rejected,
    Failovers: r.failovers,
  };
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, number] => e[1] !== null));
}

const FLEET_METRICS = [
  'MaxReplicaLagBytes',
  'MaxReplicaLagSeconds',
  'UnreachableNodes',
  'UnreachableSentinels',
  'OpenIncidents',
  'AlertsPublished',
  'AlertsPending',
  'AlertsDropped',
  'AlertsRejected',
  'Failovers',
] as const;

const DETAILED_METRICS = [
  'PollDurationMs',
  'ReachableNodes',
  'ReachableSentinels',
  ...FLEET_METRICS.filter((m) => !m.startsWith('Unreachable')),
] as const;

/** Per deployment even without detailed metrics, but only when non-zero (billed by the hour). */
const SPARSE_METRICS = ['Failovers', 'AlertsDropped', 'AlertsRejected'] as const;

/** The EMF lines for one poll of one deployment: the poll line, then one line per replica. */
export function pollMetricLines(report: PollReport, ctx: MetricsContext, timestamp: number): string[] {
  const values = pollValues(report);
  const has = (name: string) => name in values;
  const detailed = ctx.detailed.has(report.deployment);
  const directives: Directive[] = [
    { Namespace: METRICS_NAMESPACE, Dimensions: [[], ['shard']], Metrics: metricList(['PollDurationMs']) },
    { Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: metricList(FLEET_METRICS.filter(has)) },
  ];
  const perDeployment = detailed
    ? DETAILED_METRICS.filter(has)
    : SPARSE_METRICS.filter((name) => (values[name] ?? 0) > 0);
  if (perDeployment.length > 0) {
    directives.push({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['deployment']],
      Metrics: metricList(perDeployment),
    });
  }
  const base = { shard: String(ctx.shard), deployment: report.deployment };
  const lines = [
    JSON.stringify({
      _aws: { Timestamp: timestamp, CloudWatchMetrics: directives },
      [LINE_KIND_FIELD]: 'poll',
      ...base,
      ...values,
    }),
  ];
  for (const node of report.record.nodes) {
    if (node.role !== 'replica' || (node.lagBytes === null && node.ackAgeSeconds === null)) continue;
    const replica: Record<string, number> = {};
    if (node.lagBytes !== null) replica.ReplicaLagBytes = node.lagBytes;
    if (node.ackAgeSeconds !== null) replica.ReplicaLagSeconds = node.ackAgeSeconds;
    lines.push(
      JSON.stringify({
        ...(detailed
          ? {
              _aws: {
                Timestamp: timestamp,
                CloudWatchMetrics: [
                  {
                    Namespace: METRICS_NAMESPACE,
                    Dimensions: [['deployment', 'replica']],
                    Metrics: metricList(Object.keys(replica)),
                  },
                ],
              },
            }
          : {}),
        [LINE_KIND_FIELD]: 'replica',
        ...base,
        replica: node.address,
        ...replica,
      }),
    );
  }
  return lines;
}
