// Who watches the watcher: CloudWatch alarms that publish to the alert topic when the poller fails,
// is throttled or stops running (as a whole, or one shard of it), when a drill fails, when alerts had
// to be dropped, were rejected by SNS or stay undelivered; and a dashboard that reads the same at 1
// and at 1,000 deployments (monitoring-dashboard.ts). CloudWatch publishes alarms itself, so they
// reach the topic even when the poller's own publishing is what fails.
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
import { LINE_KIND_FIELD } from '../../lambdas/poller/metrics';
import { contributorRule } from './contributor-insights';
import { buildDashboard } from './monitoring-dashboard';
import {
  deploymentMetric,
  fleetMetric,
  METRICS_DIMENSION,
  METRICS_NAMESPACE,
  shardMetric,
} from './monitoring-metrics';

export { METRICS_DIMENSION, METRICS_NAMESPACE };

export interface WatcherMonitoringProps {
  readonly topic: sns.ITopic;
  readonly poller: lambda.IFunction;
  readonly pollerLogGroup: logs.ILogGroup;
  readonly drill: lambda.IFunction;
  /** The notifiers (Slack, PagerDuty, webhooks): graphed, and their alarms shown. */
  readonly notifiers: readonly { readonly label: string; readonly function: lambda.IFunction }[];
  /** Alarms made elsewhere (the notifiers' own, lib/constructs/notifier.ts), shown in the dashboard. */
  readonly otherAlarms: readonly cloudwatch.IAlarm[];
  /** Set by the stack so that the URL can be known before the dashboard exists (alert links). */
  readonly dashboardName: string;
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

    this.dashboard = buildDashboard(this, props, this);
  }

  /** A poller EMF metric of one deployment (only the deployments in detailedMetrics have them). */
  deploymentMetric(
    name: string,
    deployment: string,
    statistic: string,
    options: { period?: Duration; label?: string } = {},
  ): cloudwatch.Metric {
    return deploymentMetric(name, deployment, statistic, options);
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
}
