// The default stack (explicit subnets, endpoints on): storage, alerting and the poller. The drill,
// the VPC endpoints, monitoring and outputs are in stack-monitoring.test.ts.

import { Match } from 'aws-cdk-lib/assertions';
import { TABLE_KEYS } from '../../lambdas/adapters/dynamo-store';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../lib/stack-config';
import { baseConfig, type Json, SECRET_ARN, synth } from './helpers';
import { lambdaFunction, logicalId, statementsOfFunction } from './stack-helpers';

describe('Stack: SentinelWatch (explicit subnets, endpoints on)', () => {
  const template = synth(baseConfig({ pollEverySeconds: 10 }));
  const poller = lambdaFunction(template, /poller/);

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
        // Links and times of the alert text (lambdas/core/notify/presentation.ts).
        RUNBOOK_BASE_URL: DEFAULT_RUNBOOK_BASE_URL,
        DASHBOARD_URL: { 'Fn::Join': ['', expect.arrayContaining(['#dashboards:name='])] },
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
});
