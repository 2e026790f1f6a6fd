// Who watches the watcher: CloudWatch alarms that publish to the alert topic when the poller fails,
// is throttled or stops running (as a whole, or one shard of it), when a drill or the Slack notifier
// fails, when alerts had to be dropped, were rejected by SNS or stay undelivered; and a dashboard that
// reads the same at 1 and at 1,000 deployments. CloudWatch publishes alarms itself, so they reach the
// topic even when the poller's own publishing is what fails.
//
// The poller's metrics are fleet-wide and per shard (lambdas/poller/metrics.ts), so the dashboard
// draws the fleet, and finds the deployments behind a figure with top-N widgets: Contributor Insights
// rules over the poller's log lines (worst replicas by lag, deployments with open incidents or
// unreachable servers, slowest polls) and a Metrics Insights query over the per-deployment failover
// counter. Per-deployment graphs and alarms exist only for the deployments in `detailedMetrics`.

import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../../lambdas/core/config';
import { LINE_KIND_FIELD, METRICS_NAMESPACE } from '../../lambdas/poller/metrics';
import { ContributorWidget, contributorRule } from './contributor-insights';

export { METRICS_NAMESPACE };
export const METRICS_DIMENSION = 'deployment';
/** An alarm status widget shows at most this many alarms. */
const ALARMS_PER_WIDGET = 100;

export interface WatcherMonitoringProps {
  readonly topic: sns.ITopic;
  readonly poller: lambda.IFunction;
  readonly pollerLogGroup: logs.ILogGroup;
  readonly drill: lambda.IFunction;
  readonly slack: lambda.IFunction | null;
  readonly deployments: readonly DeploymentConfig[];
  /** How many deployments each shard holds (index = shard). */
  readonly shardSizes: readonly number[];
  /** Deployments with per-deployment metrics, graphs and an alarm of their own. */
  readonly detailedMetrics: readonly string[];
  readonly scheduleMinutes: number;
  /** Alarm when no poller invocation (or no poll of a shard) succeeded for this long. */
  readonly noSuccessMinutes: number;
  readonly pollerTimeoutSeconds: number;
}

export class WatcherMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly pollerErrors: cloudwatch.Alarm;
  readonly pollerThrottles: cloudwatch.Alarm;
  readonly pollerNotRunning: cloudwatch.Alarm;
  /** One per non-empty shard when there are several: that shard's deployments went unpolled. */
  readonly shardsNotPolling: cloudwatch.Alarm[] = [];
  readonly alertsDropped: cloudwatch.Alarm;
  readonly alertsRejected: cloudwatch.Alarm;
  readonly alertsUndelivered: cloudwatch.Alarm;
  readonly drillErrors: cloudwatch.Alarm;
  readonly slackErrors: cloudwatch.Alarm | null;
  readonly rules: Record<'replicaLag' | 'openIncidents' | 'unreachable' | 'pollDuration', string>;
  readonly dashboard: cloudwatch.Dashboard;
  private readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: WatcherMonitoringProps) {
    super(scope, id);
    this.topic = props.topic;
    const prefix = Stack.of(this).stackName;
    const fiveMinutes = Duration.minutes(5);
    const noSuccess = Duration.minutes(props.noSuccessMinutes);
    const anyInFiveMinutes = (metric: cloudwatch.IMetric, name: string, description: string) =>
      this.alarm(name, {
        alarmName: `${prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.pollerErrors = anyInFiveMinutes(
      props.poller.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      'poller-errors',
      'The sentinel-watch poller failed (an exception, a timeout or a crash) at least once in 5 minutes: ' +
        'the deployments of that shard may not be watched. Read its log group for the error.',
    );
    this.pollerThrottles = anyInFiveMinutes(
      props.poller.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      'poller-throttled',
      'Lambda refused to run the sentinel-watch poller (concurrency limit reached): polls were skipped. ' +
        "Check the account's concurrent executions and the poller's reserved concurrency.",
    );

    // Runs that did not fail; no data at all (the schedule stopped, the function is gone) breaches too.
    const succeeded = new cloudwatch.MathExpression({
      label: 'Successful poller runs',
      expression: 'FILL(invocations, 0) - FILL(errors, 0)',
      usingMetrics: {
        invocations: props.poller.metricInvocations({ statistic: 'Sum' }),
        errors: props.poller.metricErrors({ statistic: 'Sum' }),
      },
      period: noSuccess,
    });
    this.pollerNotRunning = this.alarm('poller-not-running', {
      alarmName: `${prefix}-poller-not-running`,
      alarmDescription:
        `No successful run of the sentinel-watch poller for ${props.noSuccessMinutes} minutes (it is ` +
        `scheduled every ${props.scheduleMinutes}): nothing is watching the Redis deployments. Check ` +
        'the schedule rule, the poller-errors alarm and the log group.',
      metric: succeeded,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    // With several shards the runs of the others hide one that stopped: each shard's polls are
    // counted by its PollDurationMs samples (an empty shard polls nothing and gets no alarm).
    if (props.shardSizes.length > 1) {
      props.shardSizes.forEach((size, shard) => {
        if (size === 0) return;
        this.shardsNotPolling.push(
          this.alarm(`shard-${shard}-not-polling`, {
            alarmName: `${prefix}-shard-${shard}-not-polling`,
            alarmDescription:
              `No poll of the ${size} deployment(s) of poller shard ${shard} for ${props.noSuccessMinutes} ` +
              'minutes: they are not watched. Read the poller log group for that shard ({$.shard = ' +
              `${shard}}): a timeout, a crash, or a deployment that fails every poll.`,
            metric: shardMetric('PollDurationMs', shard, 'SampleCount', noSuccess),
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          }),
        );
      });
    }

    this.alertsDropped = anyInFiveMinutes(
      fleetMetric('AlertsDropped', 'Sum', fiveMinutes),
      'alerts-dropped',
      'A poller outbox overflowed (alerts could not be published for a long time): the least severe ' +
        'alerts were dropped, never a critical while a lesser one was queued. The poller log line ' +
        '"outbox full" names the deployment and lists them; check why publishing fails.',
    );
    this.alertsRejected = anyInFiveMinutes(
      fleetMetric('AlertsRejected', 'Sum', fiveMinutes),
      'alerts-rejected',
      'SNS refused an alert for good (an invalid parameter in the message): it was not sent and will ' +
        'not be retried; later alerts were. The poller log line "alert rejected by SNS" names the ' +
        'deployment, the alert and its error.',
    );
    // Per deployment this is "pending in every poll" (Minimum); the fleet figure mixes deployments, so
    // it asks for a pending alert after some poll in each of three 5-minute periods: a publish that
    // succeeds leaves none, so this only holds while publishing keeps failing.
    this.alertsUndelivered = this.alarm('alerts-undelivered', {
      alarmName: `${prefix}-alerts-undelivered`,
      alarmDescription:
        "Alerts have been waiting in the poller's outbox in each of the last three 5-minute periods: " +
        'publishing to the topic keeps failing. Read the poller log group ("publish failed") for the ' +
        'deployment and the SNS error (topic policy, KMS key policy, throttling).',
      metric: fleetMetric('AlertsPending', 'Maximum', fiveMinutes),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.drillErrors = anyInFiveMinutes(
      props.drill.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      'drill-errors',
      'A sentinel-watch failover drill failed with an exception or a timeout: it may have stopped ' +
        'half-way. Check who is master now (sentinel-watch check) and read the drill log group.',
    );
    this.slackErrors = props.slack
      ? anyInFiveMinutes(
          props.slack.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
          'slack-errors',
          'The sentinel-watch Slack notifier failed to post an alert (after its retries, the alert does ' +
            'not reach Slack). Check the webhook secret and the notifier log group.',
        )
      : null;
    for (const name of props.detailedMetrics) {
      anyInFiveMinutes(
        this.deploymentMetric('AlertsDropped', name, 'Sum', { period: fiveMinutes }),
        `alerts-dropped-${name}`,
        `The poller's outbox for ${name} overflowed (alerts could not be published for a long ` +
          'time): the least severe alerts were dropped, never a critical while a lesser one was ' +
          'queued. The poller log line "outbox full" lists them; check why publishing fails.',
      );
      anyInFiveMinutes(
        this.deploymentMetric('AlertsRejected', name, 'Sum', { period: fiveMinutes }),
        `alerts-rejected-${name}`,
        `SNS refused an alert about ${name} for good (an invalid parameter in the message): it was ` +
          'not sent and will not be retried; later alerts were. The poller log line "alert rejected ' +
          'by SNS" names it and its error.',
      );
      // Pending in every poll for 15 minutes: the topic cannot be used (permissions, KMS key) or
      // SNS keeps failing; the alerts wait in the outbox.
      this.alarm(`alerts-undelivered-${name}`, {
        alarmName: `${prefix}-alerts-undelivered-${name}`,
        alarmDescription:
          `Alerts about ${name} have waited in the poller's outbox for 15 minutes: publishing to the ` +
          'topic keeps failing. Read the poller log group ("publish failed") for the SNS error ' +
          '(topic policy, KMS key policy, throttling).',
        metric: this.deploymentMetric('AlertsPending', name, 'Minimum', { period: fiveMinutes }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // Top-N over the poller's log lines: which deployments and replicas are behind a fleet figure.
    const logGroupName = props.pollerLogGroup.logGroupName;
    const rule = (ruleId: string, name: string, keys: string[], value: string, kind: 'poll' | 'replica') =>
      contributorRule(this, ruleId, {
        ruleName: `${prefix}-${name}`,
        logGroupName,
        keys: keys.map((k) => `$.${k}`),
        valueOf: `$.${value}`,
        filter: { field: `$.${LINE_KIND_FIELD}`, equals: kind },
      }).attrRuleName;
    this.rules = {
      replicaLag: rule(
        'ReplicaLagRule',
        'replica-lag',
        ['deployment', 'replica'],
        'ReplicaLagBytes',
        'replica',
      ),
      openIncidents: rule('OpenIncidentsRule', 'open-incidents', ['deployment'], 'OpenIncidents', 'poll'),
      unreachable: rule('UnreachableRule', 'unreachable-servers', ['deployment'], 'UnreachableNodes', 'poll'),
      pollDuration: rule('PollDurationRule', 'poll-duration', ['deployment'], 'PollDurationMs', 'poll'),
    };

    this.dashboard = this.buildDashboard(props);
  }

  /** A poller EMF metric of one deployment (only the deployments in detailedMetrics have them). */
  deploymentMetric(
    name: string,
    deployment: string,
    statistic: string,
    options: { period?: Duration; label?: string } = {},
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { [METRICS_DIMENSION]: deployment },
      statistic,
      period: options.period ?? Duration.minutes(1),
      label: options.label,
    });
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, props);
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    // "OK" too: the same recipients learn that it recovered.
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(props: WatcherMonitoringProps): cloudwatch.Dashboard {
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

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
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
    for (let i = 0; i < this.alarms.length; i += ALARMS_PER_WIDGET) {
      dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: i === 0 ? 'Watcher alarms' : 'Watcher alarms (continued)',
          alarms: this.alarms.slice(i, i + ALARMS_PER_WIDGET),
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
      top('Top 10 replicas by lag, bytes', this.rules.replicaLag),
    );
    dashboard.addWidgets(
      graph('Unreachable servers and open incidents (worst deployment)', [
        fleetMetric('UnreachableNodes', 'Maximum', minute, 'data nodes'),
        fleetMetric('UnreachableSentinels', 'Maximum', minute, 'sentinels'),
        fleetMetric('OpenIncidents', 'Maximum', minute, 'open incidents'),
      ]),
      top('Top 10 deployments by unreachable data nodes', this.rules.unreachable),
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
      top('Top 10 deployments by open incidents', this.rules.openIncidents),
      top('Top 10 slowest polls, ms', this.rules.pollDuration),
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
        ...(props.slack ? fn(props.slack, 'slack') : []),
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
    this.addDetailedWidgets(dashboard, props);
    return dashboard;
  }

  /** The per-deployment graphs of the deployments in detailedMetrics, as before fleets. */
  private addDetailedWidgets(dashboard: cloudwatch.Dashboard, props: WatcherMonitoringProps): void {
    const ds = props.deployments.filter((d) => props.detailedMetrics.includes(d.name));
    if (ds.length === 0) return;
    const per = (name: string, statistic: string) =>
      ds.map((d) => this.deploymentMetric(name, d.name, statistic, { label: d.name }));
    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, leftYAxis: { min: 0 }, width: 12, height: 6 });
    dashboard.addWidgets(
      graph('Detailed: replication lag, bytes (worst replica)', per('MaxReplicaLagBytes', 'Maximum')),
      graph(
        'Detailed: seconds since last replica ACK (worst replica)',
        per('MaxReplicaLagSeconds', 'Maximum'),
      ),
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
          this.deploymentMetric('AlertsPublished', d.name, 'Sum', { label: `${d.name} published` }),
          this.deploymentMetric('AlertsPending', d.name, 'Maximum', { label: `${d.name} pending` }),
          this.deploymentMetric('AlertsDropped', d.name, 'Sum', { label: `${d.name} dropped` }),
          this.deploymentMetric('AlertsRejected', d.name, 'Sum', { label: `${d.name} rejected` }),
        ]),
      ),
    );
  }
}

/** A fleet-wide poller metric (no dimension). */
function fleetMetric(name: string, statistic: string, period: Duration, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, statistic, period, label });
}

/** A poller metric of one shard. */
function shardMetric(name: string, shard: number, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { shard: String(shard) },
    statistic,
    period,
  });
}
