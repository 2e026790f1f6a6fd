// The poller's CloudWatch metrics as the alarms and the dashboard read them: fleet-wide (no
// dimension), per shard, and per deployment (only the deployments in `detailedMetrics` have those).

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from '../../lambdas/poller/metrics';

export { METRICS_NAMESPACE };
export const METRICS_DIMENSION = 'deployment';

/** A fleet-wide poller metric (no dimension). */
export function fleetMetric(
  name: string,
  statistic: string,
  period: Duration,
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, statistic, period, label });
}

/** A poller metric of one shard. */
export function shardMetric(
  name: string,
  shard: number,
  statistic: string,
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { shard: String(shard) },
    statistic,
    period,
  });
}

/** A poller EMF metric of one deployment (only the deployments in detailedMetrics have them). */
export function deploymentMetric(
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
