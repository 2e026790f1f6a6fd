// Who watches the watcher: CloudWatch alarms that publish to the alert topic when the poller fails,
// is throttled or stops running, when a drill or the Slack notifier fails, when alerts had to be
// dropped, were rejected by SNS or stay undelivered; and a dashboard of what the poller measures
// (its EMF metrics) and of the functions. CloudWatch publishes alarms itself, so they reach the topic
// even when the poller's own publishing is what fails.

import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../../lambdas/core/config';

/** Where the poller's EMF metrics are (lambdas/poller/handler.ts). */
export const METRICS_NAMESPACE = 'SentinelWatch';
export const METRICS_DIMENSION = 'deployment';

export interface WatcherMonitoringProps {
  readonly topic: sns.ITopic;
  readonly poller: lambda.IFunction;
  readonly drill: lambda.IFunction;
  readonly slack: lambda.IFunction | null;
  readonly deployments: readonly DeploymentConfig[];
  readonly scheduleMinutes: number;
  /** Alarm when no poller invocation succeeded for this long. */
  readonly noSuccessMinutes: number;
  readonly pollerTimeoutSeconds: number;
}

export class WatcherMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly pollerErrors: cloudwatch.Alarm;
  readonly pollerThrottles: cloudwatch.Alarm;
  readonly pollerNotRunning: cloudwatch.Alarm;
  readonly drillErrors: cloudwatch.Alarm;
  readonly slackErrors: cloudwatch.Alarm | null;
  readonly dashboard: cloudwatch.Dashboard;
  private readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: WatcherMonitoringProps) {
    super(scope, id);
    this.topic = props.topic;
    const prefix = Stack.of(this).stackName;
    const fiveMinutes = Duration.minutes(5);
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
        'deployments may not be watched. Read its log group for the error.',
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
      period: Duration.minutes(props.noSuccessMinutes),
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
    for (const d of props.deployments) {
      anyInFiveMinutes(
        this.deploymentMetric('AlertsDropped', d.name, 'Sum', { period: fiveMinutes }),
        `alerts-dropped-${d.name}`,
        `The poller's outbox for ${d.name} overflowed (alerts could not be published for a long ` +
          'time): the least severe alerts were dropped, never a critical while a lesser one was ' +
          'queued. The poller log line "outbox full" lists them; check why publishing fails.',
      );
      anyInFiveMinutes(
        this.deploymentMetric('AlertsRejected', d.name, 'Sum', { period: fiveMinutes }),
        `alerts-rejected-${d.name}`,
        `SNS refused an alert about ${d.name} for good (an invalid parameter in the message): it was ` +
          'not sent and will not be retried; later alerts were. The poller log line "alert rejected ' +
          'by SNS" names it and its error.',
      );
      // Pending in every poll for 15 minutes: the topic cannot be used (permissions, KMS key) or
      // SNS keeps failing; the alerts wait in the outbox.
      this.alarm(`alerts-undelivered-${d.name}`, {
        alarmName: `${prefix}-alerts-undelivered-${d.name}`,
        alarmDescription:
          `Alerts about ${d.name} have waited in the poller's outbox for 15 minutes: publishing to the ` +
          'topic keeps failing. Read the poller log group ("publish failed") for the SNS error ' +
          '(topic policy, KMS key policy, throttling).',
        metric: this.deploymentMetric('AlertsPending', d.name, 'Minimum', { period: fiveMinutes }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    this.dashboard = this.buildDashboard(props);
  }

  /** A poller EMF metric of one deployment. */
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
    const perDeployment = (name: string, statistic: string) =>
      ds.map((d) => this.deploymentMetric(name, d.name, statistic, { label: d.name }));
    const thresholds = (label: string, value: (d: DeploymentConfig) => number | null) =>
      ds.flatMap((d) => {
        const v = value(d);
        return v === null ? [] : [{ value: v, label: ds.length > 1 ? `${d.name} ${label}` : label }];
      });
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
    const fn = (f: lambda.IFunction, label: string) => [
      f.metricInvocations({ statistic: 'Sum', period: Duration.minutes(5), label: `${label} invocations` }),
      f.metricErrors({ statistic: 'Sum', period: Duration.minutes(5), label: `${label} errors` }),
      f.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5), label: `${label} throttles` }),
    ];

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# sentinel-watch\nDeployments: ${ds.map((d) => `**${d.name}** (master name \`${d.masterName}\`)`).join(', ')}. ` +
          `Polled every ${props.scheduleMinutes} min. Metrics: namespace \`${METRICS_NAMESPACE}\`, dimension \`${METRICS_DIMENSION}\`.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Watcher alarms',
        alarms: this.alarms,
        width: 24,
        height: 3,
      }),
    );
    dashboard.addWidgets(
      graph(
        'Replication lag, bytes (worst replica)',
        perDeployment('MaxReplicaLagBytes', 'Maximum'),
        thresholds('maxLagBytes', (d) => d.maxLagBytes),
        'bytes',
      ),
      graph(
        'Seconds since last replica ACK (worst replica)',
        perDeployment('MaxReplicaLagSeconds', 'Maximum'),
        thresholds('maxLagSeconds', (d) => d.maxLagSeconds),
        'seconds',
      ),
    );
    dashboard.addWidgets(
      graph(
        'Reachable data nodes (lowest in the minute)',
        perDeployment('ReachableNodes', 'Minimum'),
        thresholds('expected', (d) => d.expectedReplicas + 1),
      ),
      graph(
        'Reachable sentinels (lowest in the minute)',
        perDeployment('ReachableSentinels', 'Minimum'),
        thresholds('expected', (d) => d.expectedSentinels ?? d.sentinels.length),
      ),
    );
    dashboard.addWidgets(
      graph('Open incidents', perDeployment('OpenIncidents', 'Maximum')),
      graph(
        'Poll duration, ms (slowest in the minute)',
        perDeployment('PollDurationMs', 'Maximum'),
        thresholds('poll deadline', (d) => d.pollTimeoutMs),
        'ms',
      ),
    );
    dashboard.addWidgets(
      graph(
        'Alerts published / pending / dropped / rejected',
        ds.flatMap((d) => [
          this.deploymentMetric('AlertsPublished', d.name, 'Sum', { label: `${d.name} published` }),
          this.deploymentMetric('AlertsPending', d.name, 'Maximum', { label: `${d.name} pending` }),
          this.deploymentMetric('AlertsDropped', d.name, 'Sum', { label: `${d.name} dropped` }),
          this.deploymentMetric('AlertsRejected', d.name, 'Sum', { label: `${d.name} rejected` }),
        ]),
      ),
      graph('Functions: invocations, errors, throttles (5 min)', [
        ...fn(props.poller, 'poller'),
        ...fn(props.drill, 'drill'),
        ...(props.slack ? fn(props.slack, 'slack') : []),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Poller duration, ms (max)',
        [props.poller.metricDuration({ statistic: 'Maximum', period: Duration.minutes(5) })],
        [{ value: props.pollerTimeoutSeconds * 1000, label: 'timeout' }],
        'ms',
      ),
    );
    return dashboard;
  }
}
