// The default stack (explicit subnets, endpoints on): the drill, the VPC endpoints, monitoring
// (alarms, dashboard) and the outputs. Storage, alerting and the poller are in stack.test.ts.

import { Match } from 'aws-cdk-lib/assertions';
import { baseConfig, type Json, resourcesOf, synth } from './helpers';
import { lambdaFunction, logicalId, statementsOfFunction } from './stack-helpers';

describe('Stack: SentinelWatch (explicit subnets, endpoints on)', () => {
  const template = synth(baseConfig({ pollEverySeconds: 10 }));
  const poller = lambdaFunction(template, /poller/);
  const drill = lambdaFunction(template, /drill/);

  describe('drill', () => {
    it('shares the network and environment, has a 5-minute timeout and no schedule', () => {
      const props = drill.Properties as Json;
      const pollerProps = poller.Properties as Json;
      expect(props).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 300 });
      expect(props.VpcConfig).toEqual(pollerProps.VpcConfig);
      expect(props.Environment).toEqual(pollerProps.Environment);
      // One rule only, and it targets the poller.
      template.resourceCountIs('AWS::Events::Rule', 1);
      const drillId = logicalId(template, 'AWS::Lambda::Function', /failover drill/);
      expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain(drillId);
      // Nothing may invoke it but IAM principals of the account (no resource policy).
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission');
      expect(JSON.stringify(permissions)).not.toContain(drillId);
    });

    it('is never retried by Lambda', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', /failover drill/) },
        MaximumRetryAttempts: 0,
      });
    });

    it('has a dry-run alias, on a published version, for principals that may only dry-run', () => {
      const drillId = logicalId(template, 'AWS::Lambda::Function', /failover drill/);
      template.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'dry-run',
        FunctionName: { Ref: drillId },
        FunctionVersion: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^DrillFunctionCurrentVersion'), 'Version'],
        },
      });
    });

    it('has the same permissions as the poller, on its own log group', () => {
      const sids = statementsOfFunction(template, drill).map((s) => s.Sid);
      expect(sids).toEqual(statementsOfFunction(template, poller).map((s) => s.Sid));
    });
  });

  describe('VPC endpoints (explicit subnets: on by default)', () => {
    it("adds a DynamoDB gateway endpoint to the subnets' route tables", () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
        RouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa2'],
      });
    });

    it('adds SNS and Secrets Manager interface endpoints reachable from the watcher only', () => {
      for (const service of ['sns', 'secretsmanager']) {
        template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
          VpcEndpointType: 'Interface',
          ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
          PrivateDnsEnabled: true,
          SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        });
      }
      template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: {
          'Fn::GetAtt': [Match.stringLikeRegexp('NetworkWatcherSecurityGroup'), 'GroupId'],
        },
        FromPort: 443,
        ToPort: 443,
      });
    });
  });

  describe('monitoring', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
    const alarm = (name: string) => {
      const found = alarms.find((a) => a.AlarmName === `SentinelWatch-${name}`);
      expect(found).toBeDefined();
      return found as Json;
    };
    const topicRef = { Ref: expect.stringMatching(/^AlertingTopic/) };

    it('alarms on poller errors and throttles, to the topic and back', () => {
      for (const [name, metric] of [
        ['poller-errors', 'Errors'],
        ['poller-throttled', 'Throttles'],
      ]) {
        expect(alarm(name)).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [topicRef],
          OKActions: [topicRef],
        });
      }
    });

    it('alarms when no poller run succeeded for noSuccessMinutes, missing data included', () => {
      const notRunning = alarm('poller-not-running');
      expect(notRunning).toMatchObject({
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'breaching',
        AlarmActions: [topicRef],
      });
      const metrics = notRunning.Metrics as Json[];
      expect(metrics.find((m) => m.Expression)).toMatchObject({
        Expression: 'FILL(invocations, 0) - FILL(errors, 0)',
        ReturnData: true,
      });
      expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat)).toEqual([
        expect.objectContaining({
          Metric: expect.objectContaining({ MetricName: 'Invocations', Namespace: 'AWS/Lambda' }),
          Period: 300,
          Stat: 'Sum',
        }),
        expect.objectContaining({
          Metric: expect.objectContaining({ MetricName: 'Errors', Namespace: 'AWS/Lambda' }),
          Period: 300,
          Stat: 'Sum',
        }),
      ]);
    });

    it('alarms on drill errors and on dropped, rejected and undelivered alerts of the whole fleet', () => {
      expect(alarm('drill-errors')).toMatchObject({ MetricName: 'Errors', AlarmActions: [topicRef] });
      for (const [name, metric] of [
        ['alerts-dropped', 'AlertsDropped'],
        ['alerts-rejected', 'AlertsRejected'],
      ]) {
        expect(alarm(name)).toMatchObject({
          Namespace: 'SentinelWatch',
          MetricName: metric,
          Statistic: 'Sum',
          Threshold: 1,
          EvaluationPeriods: 1,
          AlarmActions: [topicRef],
          OKActions: [topicRef],
        });
        expect(alarm(name).Dimensions).toBeUndefined();
      }
      // Some alert still pending after a poll in each of three 5-minute periods.
      expect(alarm('alerts-undelivered')).toMatchObject({
        Namespace: 'SentinelWatch',
        MetricName: 'AlertsPending',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 3,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
      });
      expect(alarm('alerts-undelivered').Dimensions).toBeUndefined();
      // Emails SNS gave up on (lib/constructs/alerting.ts).
      expect(alarm('email-undelivered')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        AlarmActions: [topicRef],
      });
      // One shard: no shard alarm (poller-not-running says it), no per-deployment alarm unless asked.
      expect(alarms).toHaveLength(8);
    });

    it("draws the poller's fleet metrics on a dashboard", () => {
      const body = JSON.stringify(
        (template.findResources('AWS::CloudWatch::Dashboard') as Record<string, Json>)[
          logicalId(template, 'AWS::CloudWatch::Dashboard', /./)
        ].Properties,
      );
      for (const metric of ['MaxReplicaLagBytes', 'UnreachableNodes', 'OpenIncidents', 'PollDurationMs']) {
        expect(body).toContain(`\\"SentinelWatch\\",\\"${metric}\\"`);
      }
      expect(body).not.toContain('\\"deployment\\",\\"orders-cache\\"');
    });
  });

  describe('outputs', () => {
    it('gives the topic, table, drill function, dashboard URL, drill command, security group, and what doctor reads', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(Object.keys(outputs).sort()).toEqual([
        'AlarmNamePrefix',
        'AlertTopicArn',
        'DashboardName',
        'DashboardUrl',
        'DeploymentNames',
        'DrillCommand',
        'DrillDryRunAliasArn',
        'DrillFunctionName',
        'DrillKeySecretArn',
        'EmailDlqUrl',
        'NotifierAlarmTopicArn',
        'OnCallPolicyArn',
        'PollerFunctionName',
        'PollerNoSuccessMinutes',
        'SnapshotTableName',
        'WatcherSecurityGroupId',
      ]);
      const drillId = logicalId(template, 'AWS::Lambda::Function', /failover drill/);
      expect(outputs.DrillFunctionName.Value).toEqual({ Ref: drillId });
      expect(outputs.DrillCommand.Value).toEqual({
        'Fn::Join': [
          '',
          [
            'aws lambda invoke --region ',
            { Ref: 'AWS::Region' },
            ' --function-name ',
            { Ref: drillId },
            ` --qualifier dry-run --cli-binary-format raw-in-base64-out --cli-read-timeout 330 --payload '{"dryRun":true}' drill-report.json`,
          ],
        ],
      });
      expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards:name=');
    });
  });
});
