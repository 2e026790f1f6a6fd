import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TABLE_KEYS } from '../../lambdas/adapters/dynamo-store';
import { baseConfig, type Json, resourcesOf, SECRET_ARN, synth } from './helpers';

/** The Lambda function whose entry is the given handler, found by its description. */
function lambdaFunction(template: Template, description: RegExp): Json {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(([, r]) =>
    description.test(String((r.Properties as Json).Description)),
  );
  expect(found).toHaveLength(1);
  return found[0][1];
}

function logicalId(template: Template, type: string, description: RegExp): string {
  const found = resourcesOf(template, type).filter(([, r]) => description.test(JSON.stringify(r.Properties)));
  expect(found).toHaveLength(1);
  return found[0][0];
}

/** Every statement of the inline policies attached to the role of a function. */
function statementsOfFunction(template: Template, fn: Json): Json[] {
  const roleId = ((fn.Properties as Json).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify((p.Properties as Json).Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, p]) => ((p.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement);
}

describe('Stack: SentinelWatch (explicit subnets, endpoints on)', () => {
  const template = synth(baseConfig({ pollEverySeconds: 10 }));
  const poller = lambdaFunction(template, /poller/);
  const drill = lambdaFunction(template, /drill/);

  describe('storage', () => {
    it('is an on-demand table keyed as the store reads it, with TTL, PITR and KMS encryption', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
        DeletionPolicy: 'Retain',
      });
    });
  });

  describe('alerting', () => {
    it('encrypts the topic with a rotated key that CloudWatch alarms may use', () => {
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertingTopicKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    });

    it("denies publishing without TLS and lets this account's alarms publish", () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Condition: Match.objectLike({
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              }),
            }),
          ],
        },
      });
    });

    it('subscribes the alert emails', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'redis-team@example.com',
        FilterPolicy: Match.absent(),
      });
    });
  });

  describe('poller', () => {
    it('is a Node.js 24 ARM64 function with its environment', () => {
      const props = poller.Properties as Json;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 256,
        Timeout: 90,
      });
      const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
      // The deployments are in a file of the code asset (fleet-config.test.ts bundles it for real).
      expect(env).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        SENTINEL_WATCH_CONFIG_FILE: 'sentinel-watch-config.json',
        SNAPSHOT_TABLE_NAME: { Ref: expect.stringMatching(/^StorageTable/) },
        ALERT_TOPIC_ARN: { Ref: expect.stringMatching(/^AlertingTopic/) },
        DRILL_KEY_SECRET_ARN: { Ref: expect.stringMatching(/^DrillKeySecret/) },
      });
    });

    it('runs in the configured subnets with its own security group', () => {
      expect((poller.Properties as Json).VpcConfig).toEqual({
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        SecurityGroupIds: [
          { 'Fn::GetAtt': [expect.stringMatching(/^NetworkWatcherSecurityGroup/), 'GroupId'] },
        ],
      });
    });

    it('lets its security group reach only the Redis/Sentinel ports and HTTPS', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('poller and drill'),
        SecurityGroupEgress: [
          {
            CidrIp: '0.0.0.0/0',
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            Description: 'HTTPS to AWS APIs',
          },
          {
            CidrIp: '0.0.0.0/0',
            IpProtocol: 'tcp',
            FromPort: 6379,
            ToPort: 6379,
            Description: 'Redis/Sentinel 6379',
          },
          {
            CidrIp: '0.0.0.0/0',
            IpProtocol: 'tcp',
            FromPort: 26379,
            ToPort: 26379,
            Description: 'Redis/Sentinel 26379',
          },
        ],
      });
    });

    it('is scheduled every minute, as shard 0, without retries of a missed tick', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerFunction'), 'Arn'] },
            Input: '{"shard":0}',
            RetryPolicy: { MaximumRetryAttempts: 0 },
          }),
        ],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', /sentinel-watch poller/) },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    it('logs to its own log group with a retention', () => {
      const group = ((poller.Properties as Json).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 30 },
      });
      expect(template.findResources('AWS::Logs::LogGroup')[group]).toBeDefined();
    });

    it('may read its secret, use its table, publish to its topic and nothing more', () => {
      const statements = statementsOfFunction(template, poller);
      expect(statements.map((s) => s.Sid)).toEqual([
        'OwnLogGroup',
        'VpcNetworkInterfaces',
        'SnapshotTableItems',
        'PublishAlerts',
        'AlertTopicKey',
        'ReadConfiguredSecrets',
        'ReadDrillKey',
      ]);
      const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
      expect(bySid.OwnLogGroup).toMatchObject({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PollerLogs/), 'Arn'] },
      });
      expect(bySid.SnapshotTableItems).toMatchObject({
        // Sorted by @aws-cdk/aws-iam:minimizePolicies (cdk.json).
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageTable/), 'Arn'] },
      });
      expect(bySid.PublishAlerts).toMatchObject({
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^AlertingTopic/) },
      });
      expect(bySid.AlertTopicKey).toMatchObject({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
        },
      });
      expect(bySid.ReadConfiguredSecrets).toMatchObject({
        Action: 'secretsmanager:GetSecretValue',
        Resource: SECRET_ARN,
      });
      // The only wildcard: the VPC network-interface actions (acknowledged, see watcher-function.ts).
      const wildcards = statements.filter((s) => JSON.stringify(s).includes('*'));
      expect(wildcards.map((s) => s.Sid)).toEqual(['VpcNetworkInterfaces']);
      // No AWS-managed policies on the role.
      const roleId = ((poller.Properties as Json).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      expect(
        (template.findResources('AWS::IAM::Role')[roleId].Properties as Json).ManagedPolicyArns,
      ).toBeUndefined();
    });
  });

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
      // One shard: no shard alarm (poller-not-running says it), no per-deployment alarm unless asked.
      expect(alarms).toHaveLength(7);
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
        'DrillFunctionName',
        'DrillKeySecretArn',
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
            ` --cli-binary-format raw-in-base64-out --cli-read-timeout 330 --payload '{"dryRun":true}' drill-report.json`,
          ],
        ],
      });
      expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards:name=');
    });
  });
});
