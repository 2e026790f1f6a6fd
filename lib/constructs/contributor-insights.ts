// Contributor Insights: top-N over log lines, without a CloudWatch metric per contributor. A rule
// ranks the values of some JSON fields (a deployment, a replica) by the sum of another field, and a
// dashboard widget draws the top contributors. At 1,000 deployments this is what names "which
// deployment" behind a fleet figure for about $1.40 a rule a month, where a metric per deployment
// would cost $300 per metric name (docs/aws.md, "Cost at fleet scale").

import { Aws, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

export interface ContributorRuleProps {
  readonly ruleName: string;
  readonly logGroupName: string;
  /** JSON paths of the fields that name a contributor, e.g. `$.deployment`. */
  readonly keys: readonly string[];
  /** JSON path of the number that ranks them (summed over the period). */
  readonly valueOf: string;
  /** Only log lines whose field equals this value. */
  readonly filter: { readonly field: string; readonly equals: string };
}

/** A Contributor Insights rule over a log group of JSON lines. */
export function contributorRule(
  scope: Construct,
  id: string,
  props: ContributorRuleProps,
): cloudwatch.CfnInsightRule {
  const body = {
    Schema: { Name: 'CloudWatchLogRule', Version: 1 },
    LogGroupNames: [props.logGroupName],
    LogFormat: 'JSON',
    Contribution: {
      Keys: [...props.keys],
      ValueOf: props.valueOf,
      Filters: [{ Match: props.filter.field, In: [props.filter.equals] }],
    },
    AggregateOn: 'Sum',
  };
  return new cloudwatch.CfnInsightRule(scope, id, {
    ruleName: props.ruleName,
    ruleState: 'ENABLED',
    ruleBody: Stack.of(scope).toJsonString(body),
  });
}

export interface ContributorWidgetProps {
  readonly title: string;
  readonly ruleName: string;
  readonly maxContributors?: number;
  readonly width?: number;
  readonly height?: number;
}

/** A dashboard graph of a rule's top contributors (CDK has no widget for it: the dashboard JSON). */
export class ContributorWidget extends cloudwatch.ConcreteWidget {
  constructor(private readonly props: ContributorWidgetProps) {
    super(props.width ?? 12, props.height ?? 6);
  }

  toJson(): unknown[] {
    return [
      {
        type: 'metric',
        width: this.width,
        height: this.height,
        x: this.x,
        y: this.y,
        properties: {
          title: this.props.title,
          region: Aws.REGION,
          view: 'timeSeries',
          stacked: false,
          period: 60,
          legend: { position: 'right' },
          insightRule: {
            maxContributorCount: this.props.maxContributors ?? 10,
            orderBy: 'Sum',
            ruleName: this.props.ruleName,
          },
        },
      },
    ];
  }
}
