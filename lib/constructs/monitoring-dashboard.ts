// The watcher's dashboard: it reads the same at 1 and at 1,000 deployments. The graphs draw the
// fleet; top-N widgets (Contributor Insights over the poller's log lines, a Metrics Insights query
// over the per-deployment failover counter) name the deployments behind a figure; per-deployment
// graphs exist only for the deployments in `detailedMetrics`.

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ContributorWidget } from './contributor-insights';
import type { WatcherMonitoringProps } from './monitoring';
import { deploymentMetric, fleetMetric, METRICS_DIMENSION, METRICS_NAMESPACE } from './monitoring-metrics';

/** An alarm status widget shows at most this many alarms. */
const ALARMS_PER_WIDGET = 100;

/** What the dashboard shows of the monitoring construct: its alarms and its top-N rules. */
export interface DashboardInputs {
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly rules: Record<'replicaLag' | 'openIncidents' | 'unreachable' | 'pollDuration', string>;
}

export function buildDashboard(
  scope: Construct,
  props: WatcherMonitoringProps,
  watcher: DashboardInputs,
): cloudwatch.Dashboard {
  const ds = props.deployments;
  const minute = Duration.minutes(1);
  const smallest = (values: readonly number[]) => Math.min(...values);
  const graph = (
    title: string,
    left: cloudwatch.IMetric[],
    leftAnnotations: cloudwatch.HorizontalAnnotation[] = [],
    unit?: string,
  ) =>
    new cloudwatch.GraphWidget({
      title,
      left,
      leftAnnotations,
      leftYAxis: { min: 0, label: unit, showUnits: unit === undefined },
      width: 12,
      height: 6,
    });
  const top = (title: string, ruleName: string) => new ContributorWidget({ title, ruleName, width: 12 });
  const fn = (f: lambda.IFunction, label: string) => [
    f.metricInvocations({ statistic: 'Sum', period: Duration.minutes(5), label: `${label} invocations` }),
    f.metricErrors({ statistic: 'Sum', period: Duration.minutes(5), label: `${label} errors` }),
    f.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5), label: `${label} throttles` }),
  ];
  const shards = props.shardSizes.length;

  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: props.dashboardName,
    defaultInterval: Duration.hours(6),
  });
  const detailed = props.detailedMetrics.length
    ? ` Per-deployment graphs below for: ${props.detailedMetrics.map((n) => `**${n}**`).join(', ')}.`
    : '';
  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown:
        `# sentinel-watch: ${ds.length} deployment${ds.length === 1 ? '' : 's'}` +
        `${shards > 1 ? ` in ${shards} shards` : ''}\n` +
        `Polled every ${props.scheduleMinutes} min. The graphs show the whole fleet; the "top 10" ` +
        'widgets name the deployments and replicas behind them (Contributor Insights over the poller ' +
        `log; values are sums over the period: with one poll a minute and 1-minute periods, the value). ` +
        `Metrics: namespace \`${METRICS_NAMESPACE}\`, no dimension (fleet), \`shard\`, and \`deployment\` ` +
        `for failovers and dropped alerts.${detailed}`,
      width: 24,
      height: 3,
    }),
  );
  const shown: cloudwatch.IAlarm[] = [...watcher.alarms, ...props.otherAlarms];
  for (let i = 0; i < shown.length; i += ALARMS_PER_WIDGET) {
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: i === 0 ? 'Watcher alarms' : 'Watcher alarms (continued)',
        alarms: shown.slice(i, i + ALARMS_PER_WIDGET),
        width: 24,
        height: 3,
      }),
    );
  }
  dashboard.addWidgets(
    graph(
      'Replication lag, bytes (worst replica of the fleet)',
      [fleetMetric('MaxReplicaLagBytes', 'Maximum', minute)],
      [{ value: smallest(ds.map((d) => d.maxLagBytes)), label: 'lowest maxLagBytes' }],
      'bytes',
    ),
    top('Top 10 replicas by lag, bytes', watcher.rules.replicaLag),
  );
  dashboard.addWidgets(
    graph('Unreachable servers and open incidents (worst deployment)', [
      fleetMetric('UnreachableNodes', 'Maximum', minute, 'data nodes'),
      fleetMetric('UnreachableSentinels', 'Maximum', minute, 'sentinels'),
      fleetMetric('OpenIncidents', 'Maximum', minute, 'open incidents'),
    ]),
    top('Top 10 deployments by unreachable data nodes', watcher.rules.unreachable),
  );
  dashboard.addWidgets(
    graph('Failovers (MASTER_CHANGED), fleet', [fleetMetric('Failovers', 'Sum', Duration.minutes(5))]),
    graph('Top 10 deployments by failovers (last 3 h)', [
      new cloudwatch.MathExpression({
        label: '',
        expression:
          `SELECT SUM(Failovers) FROM SCHEMA("${METRICS_NAMESPACE}", ${METRICS_DIMENSION}) ` +
          `GROUP BY ${METRICS_DIMENSION} ORDER BY SUM() DESC LIMIT 10`,
        usingMetrics: {},
        period: Duration.minutes(5),
      }),
    ]),
  );
  dashboard.addWidgets(
    top('Top 10 deployments by open incidents', watcher.rules.openIncidents),
    top('Top 10 slowest polls, ms', watcher.rules.pollDuration),
  );
  dashboard.addWidgets(
    graph(
      'Poll duration, ms (fleet)',
      ['p50', 'p95', 'Maximum'].map((s) => fleetMetric('PollDurationMs', s, minute, s)),
      [{ value: smallest(ds.map((d) => d.pollTimeoutMs)), label: 'poll deadline' }],
      'ms',
    ),
    graph(
      `Poll duration p95 per shard, ms${shards > 1 ? '' : ' (one shard)'}`,
      [
        new cloudwatch.MathExpression({
          label: '',
          expression: `SEARCH('{${METRICS_NAMESPACE},shard} MetricName="PollDurationMs"', 'p95', 60)`,
          usingMetrics: {},
          period: minute,
        }),
      ],
      [],
      'ms',
    ),
  );
  dashboard.addWidgets(
    graph('Alerts published / pending / dropped / rejected (fleet)', [
      fleetMetric('AlertsPublished', 'Sum', Duration.minutes(5), 'published'),
      fleetMetric('AlertsPending', 'Maximum', Duration.minutes(5), 'pending (most for one deployment)'),
      fleetMetric('AlertsDropped', 'Sum', Duration.minutes(5), 'dropped'),
      fleetMetric('AlertsRejected', 'Sum', Duration.minutes(5), 'rejected'),
    ]),
    graph('Functions: invocations, errors, throttles (5 min)', [
      ...fn(props.poller, 'poller'),
      ...fn(props.drill, 'drill'),
      ...props.notifiers.flatMap((n) => fn(n.function, n.label)),
    ]),
  );
  dashboard.addWidgets(
    graph(
      'Poller run duration, ms (max)',
      [props.poller.metricDuration({ statistic: 'Maximum', period: Duration.minutes(5) })],
      [{ value: props.pollerTimeoutSeconds * 1000, label: 'timeout' }],
      'ms',
    ),
    graph('Poller concurrent runs (max)', [
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'ConcurrentExecutions',
        dimensionsMap: { FunctionName: props.poller.functionName },
        statistic: 'Maximum',
        period: minute,
      }),
    ]),
  );
  addDetailedWidgets(dashboard, props);
  return dashboard;
}

/** The per-deployment graphs of the deployments in detailedMetrics, as before fleets. */
function addDetailedWidgets(dashboard: cloudwatch.Dashboard, props: WatcherMonitoringProps): void {
  const ds = props.deployments.filter((d) => props.detailedMetrics.includes(d.name));
  if (ds.length === 0) return;
  const per = (name: string, statistic: string) =>
    ds.map((d) => deploymentMetric(name, d.name, statistic, { label: d.name }));
  const graph = (title: string, left: cloudwatch.IMetric[]) =>
    new cloudwatch.GraphWidget({ title, left, leftYAxis: { min: 0 }, width: 12, height: 6 });
  dashboard.addWidgets(
    graph('Detailed: replication lag, bytes (worst replica)', per('MaxReplicaLagBytes', 'Maximum')),
    graph('Detailed: seconds since last replica ACK (worst replica)', per('MaxReplicaLagSeconds', 'Maximum')),
  );
  dashboard.addWidgets(
    graph('Detailed: reachable data nodes (lowest)', per('ReachableNodes', 'Minimum')),
    graph('Detailed: reachable sentinels (lowest)', per('ReachableSentinels', 'Minimum')),
  );
  dashboard.addWidgets(
    graph('Detailed: open incidents', per('OpenIncidents', 'Maximum')),
    graph('Detailed: poll duration, ms (slowest)', per('PollDurationMs', 'Maximum')),
  );
  dashboard.addWidgets(
    graph('Detailed: replication lag per replica, bytes', [
      new cloudwatch.MathExpression({
        label: '',
        expression:
          `SEARCH('{${METRICS_NAMESPACE},${METRICS_DIMENSION},replica} MetricName="ReplicaLagBytes" ` +
          `(${ds.map((d) => `${METRICS_DIMENSION}="${d.name}"`).join(' OR ')})', 'Maximum', 60)`,
        usingMetrics: {},
        period: Duration.minutes(1),
      }),
    ]),
    graph(
      'Detailed: alerts published / pending / dropped / rejected',
      ds.flatMap((d) => [
        deploymentMetric('AlertsPublished', d.name, 'Sum', { label: `${d.name} published` }),
        deploymentMetric('AlertsPending', d.name, 'Maximum', { label: `${d.name} pending` }),
        deploymentMetric('AlertsDropped', d.name, 'Sum', { label: `${d.name} dropped` }),
        deploymentMetric('AlertsRejected', d.name, 'Sum', { label: `${d.name} rejected` }),
      ]),
    ),
  );
}
