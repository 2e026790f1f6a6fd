// A fleet across VPCs or accounts (lib/stack-config/fleet-layout.ts): one AlertingStack with the table,
// the alert topic and the notifiers, and one WatcherStack per VPC with its network, poller, drill and
// monitoring. Nothing is duplicated but what each VPC needs of its own (its functions, endpoints and
// dashboard): one topic key, one table, one Slack notifier for all.
//
// The watchers refer to the table and topic by ARN, built from the fixed names the alerting stack
// gives them, not by CloudFormation exports: exports cannot cross accounts, and they would pin the
// alerting stack's outputs for as long as any watcher uses them. Grants:
//   - same account: the watcher roles' own IAM policies suffice (the table and topic have no policy
//     that denies them, and the topic key's policy trusts the account's IAM);
//   - another account: the alerting stack also allows those roles (by name, `<watcher stack>-*`)
//     in the topic policy, the topic key's policy and the table's resource policy, and the watcher's
//     own CloudWatch alarms go to a topic in its own account (same email addresses), so that "the
//     watcher is down" never depends on a cross-account alarm action.

import { Aws, Duration, Stack, type StackProps, Tags, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ConfigError } from '../lambdas/core/errors';
import {
  type AlertingParts,
  addAlertingOutputs,
  addAlertingParts,
  addWatcherOutputs,
  addWatcherParts,
  type WatcherParts,
} from './compose';
import { WatcherAlerting } from './constructs/alerting';
import type { AlertTopic, SnapshotTable } from './constructs/poller';
import { grantTableItems, TABLE_ACTIONS } from './constructs/storage';
import type { AlertingConfig, FleetLayout, WatcherConfig } from './stack-config/fleet-layout';

/** Names the alerting stack gives its shared resources, from its stack name. */
export const sharedNames = (alertingStackName: string) => ({
  table: `${alertingStackName}-snapshots`,
  topic: `${alertingStackName}-alerts`,
  keyAlias: `alias/${alertingStackName}-alerts`,
});

/** IAM role names of a watcher stack's functions (`<stack>-poller`, `<stack>-drill`): at most 64. */
const roleName = (stackName: string, fn: 'poller' | 'drill') => `${stackName}-${fn}`;
const MAX_ROLE_NAME = 64;

export interface AlertingStackProps extends StackProps {
  readonly alerting: AlertingConfig;
  readonly tags: Readonly<Record<string, string>>;
  /** Watcher stacks in other accounts: their account and stack name (their roles' name prefix). */
  readonly crossAccountWatchers: readonly { readonly account: string; readonly stackName: string }[];
}

export class AlertingStack extends Stack {
  readonly parts: AlertingParts;

  constructor(scope: Construct, id: string, props: AlertingStackProps) {
    super(scope, id, {
      description: 'sentinel-watch: the alert topic, table and notifiers shared by the watcher stacks',
      ...props,
    });
    for (const [key, value] of Object.entries(props.tags)) Tags.of(this).add(key, value);
    this.parts = addAlertingParts(this, props.alerting);
    const names = sharedNames(this.stackName);
    const { storage, alerting } = this.parts;
    (storage.table.node.defaultChild as dynamodb.CfnTable).tableName = names.table;
    (alerting.topic.node.defaultChild as sns.CfnTopic).topicName = names.topic;
    alerting.key.addAlias(names.keyAlias);

    if (props.crossAccountWatchers.length > 0) this.allowWatchers(props.crossAccountWatchers);
    if (this.parts.slack) {
      const alarm = new cloudwatch.Alarm(this, 'SlackErrors', {
        alarmName: `${this.stackName}-slack-errors`,
        alarmDescription:
          'The sentinel-watch Slack notifier failed to post an alert (after its retries, the alert does ' +
          'not reach Slack). Check the webhook secret and the notifier log group.',
        metric: this.parts.slack.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new actions.SnsAction(alerting.topic));
      alarm.addOkAction(new actions.SnsAction(alerting.topic));
    }
    addAlertingOutputs(this, alerting.topic.topicArn, storage.table.tableName);
  }

  /** Resource policies for the poller and drill roles of watcher stacks in other accounts. */
  private allowWatchers(watchers: AlertingStackProps['crossAccountWatchers']): void {
    const { storage, alerting } = this.parts;
    const principals = [...new Set(watchers.map((w) => w.account))].map(
      (account) => new iam.AccountPrincipal(account),
    );
    const roles = {
      ArnLike: {
        'aws:PrincipalArn': watchers.map(
          (w) => `arn:${Aws.PARTITION}:iam::${w.account}:role/${w.stackName}-*`,
        ),
      },
    };
    alerting.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WatcherStacksPublish',
        principals,
        actions: ['sns:Publish'],
        resources: [alerting.topic.topicArn],
        conditions: roles,
      }),
    );
    alerting.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WatcherStacksUseTopicKey',
        principals,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { ...roles, StringEquals: { 'kms:ViaService': `sns.${this.region}.amazonaws.com` } },
      }),
    );
    const tableArn = `arn:${Aws.PARTITION}:dynamodb:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${sharedNames(this.stackName).table}`;
    (storage.table.node.defaultChild as dynamodb.CfnTable).resourcePolicy = {
      policyDocument: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'WatcherStacksItems',
            principals,
            actions: [...TABLE_ACTIONS],
            resources: [tableArn],
            conditions: roles,
          }),
        ],
      }),
    };
  }
}

export interface WatcherStackProps extends StackProps {
  readonly watcher: WatcherConfig;
  readonly alerting: AlertingConfig;
  readonly alertingStackName: string;
  /** The alerting stack's account and region as deployed (tokens when left to the CLI). */
  readonly alertingAccount: string;
  readonly alertingRegion: string;
}

export class WatcherStack extends Stack {
  readonly parts: WatcherParts;

  constructor(scope: Construct, id: string, props: WatcherStackProps) {
    super(scope, id, {
      description: `sentinel-watch: watches the Redis Sentinel deployments of ${props.watcher.name} from inside its VPC`,
      ...props,
    });
    const { watcher, alerting } = props;
    for (const [key, value] of Object.entries(watcher.config.tags)) Tags.of(this).add(key, value);
    const names = sharedNames(props.alertingStackName);
    const arn = (service: string, resource: string) =>
      `arn:${Aws.PARTITION}:${service}:${props.alertingRegion}:${props.alertingAccount}:${resource}`;
    const tableArn = arn('dynamodb', `table/${names.table}`);
    const topicArn = arn('sns', names.topic);

    // cdk-nag names a finding by the resource as written, pseudo parameters as <AWS::...>.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const keys = {
      arn: arn('kms', 'key/*'),
      shown: `arn:<AWS::Partition>:kms:${shown(props.alertingRegion, 'Region')}:${shown(props.alertingAccount, 'AccountId')}:key/*`,
    };
    const table: SnapshotTable = {
      tableName: names.table,
      grantReadWrite: (grantee) => grantTableItems(grantee, tableArn),
    };
    const topic: AlertTopic = {
      topicArn,
      grantPublish: (grantee) => this.grantPublish(grantee, topicArn, keys, names.keyAlias),
    };
    // Alarms: to the shared topic in its account; from another account, to a topic of this one.
    const alarmTopic = watcher.crossAccount
      ? new WatcherAlerting(this, 'WatcherAlarms', { emails: alerting.alertEmails }).topic
      : sns.Topic.fromTopicArn(this, 'AlertTopic', topicArn);
    this.parts = addWatcherParts(this, watcher.config, { table, topic, alarmTopic, slack: null });

    if (watcher.crossAccount) {
      // The alerting stack's policies allow these roles by name.
      (this.parts.poller.watcher.role.node.defaultChild as iam.CfnRole).roleName = roleName(
        this.stackName,
        'poller',
      );
      (this.parts.drill.watcher.role.node.defaultChild as iam.CfnRole).roleName = roleName(
        this.stackName,
        'drill',
      );
    }
    addWatcherOutputs(this, this.parts, watcher.config);
  }

  /** sns:Publish on the shared topic, and its key (found by alias: its id is not known here). */
  private grantPublish(
    grantee: iam.IGrantable,
    topicArn: string,
    keys: { readonly arn: string; readonly shown: string },
    alias: string,
  ): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [topicArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AlertTopicKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [keys.arn],
        conditions: {
          StringEquals: { 'kms:ViaService': `sns.${this.region}.amazonaws.com` },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias },
        },
      }),
    );
    const role = grantee.grantPrincipal as iam.Role;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${keys.shown}]`,
      reason:
        "The shared alert topic's KMS key lives in the alerting stack, whose key id is not known to this " +
        'stack; the statement is limited to that key by its alias (kms:ResourceAliases) and to use ' +
        'through SNS (kms:ViaService).',
    });
  }
}

export interface FleetStacks {
  readonly alerting: AlertingStack;
  readonly watchers: readonly WatcherStack[];
}

/**
 * The stacks of a fleet layout: `<base>-alerting` and `<base>-<watcher name>`, each in its account
 * and region (or the CLI's). Stack and role names are checked here, with the field named.
 */
export function buildFleet(
  scope: Construct,
  layout: FleetLayout,
  baseName: string,
  defaults: { readonly account?: string; readonly region?: string },
): FleetStacks {
  const alertingName = `${baseName}-alerting`;
  const stackName = (w: WatcherConfig) => `${baseName}-${w.name}`;
  layout.watchers.forEach((w, i) => {
    const longest = roleName(stackName(w), 'poller');
    if (stackName(w).length > 128 || (w.crossAccount && longest.length > MAX_ROLE_NAME)) {
      throw new ConfigError(
        `watchers[${i}].name`,
        `makes the stack name "${stackName(w)}" too long${w.crossAccount ? ` for its role names ("${longest}", at most ${MAX_ROLE_NAME})` : ''}: use a shorter watcher name or stack name`,
      );
    }
  });
  const alertingEnv = {
    account: layout.alerting.account ?? defaults.account,
    region: layout.alerting.region ?? defaults.region,
  };
  const alerting = new AlertingStack(scope, alertingName, {
    env: alertingEnv,
    alerting: layout.alerting,
    tags: layout.tags,
    crossAccountWatchers: layout.watchers
      .filter((w) => w.crossAccount)
      .map((w) => ({ account: w.account as string, stackName: stackName(w) })),
  });
  const watchers = layout.watchers.map((w) => {
    const stack = new WatcherStack(scope, stackName(w), {
      env: { account: w.account ?? alertingEnv.account, region: w.region ?? alertingEnv.region },
      watcher: w,
      alerting: layout.alerting,
      alertingStackName: alertingName,
      alertingAccount: layout.alerting.account ?? alerting.account,
      alertingRegion: layout.alerting.region ?? alerting.region,
    });
    // Deploy the table and topic first (`cdk deploy --all` follows this order).
    stack.addStackDependency(alerting);
    return stack;
  });
  return { alerting, watchers };
}
