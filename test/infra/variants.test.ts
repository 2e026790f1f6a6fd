// Stack variants: a Slack notifier, several deployments, and the other settings (KMS keys, schedule,
// sizes, subscriptions). The VPC variants are in variants-vpc.test.ts.

import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../lib/stack-config';
import {
  baseConfig,
  deployment,
  type Json,
  resourcesOf,
  SECRET_ARN,
  SENTINEL_SECRET_ARN,
  SLACK_SECRET_ARN,
  synth,
} from './helpers';
import { functionsByDescription, watcherEgress } from './variant-helpers';

describe('Variant: Slack', () => {
  it('adds a notifier outside the VPC, subscribed to the topic, that reads only its secret', () => {
    // Act
    const template = synth(baseConfig({ slackWebhookSecretArn: SLACK_SECRET_ARN }));

    // Assess
    const slack = functionsByDescription(template)['sentinel-watch'];
    expect(slack).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 30,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          SLACK_WEBHOOK_SECRET_ARN: SLACK_SECRET_ARN,
          SLACK_MENTION: '@here',
          RUNBOOK_BASE_URL: DEFAULT_RUNBOOK_BASE_URL,
          SNAPSHOT_TABLE_NAME: { Ref: expect.stringMatching(/^StorageTable/) },
        },
      },
      DeadLetterConfig: {
        TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^NotifiersSlackDeadLetters/), 'Arn'] },
      },
    });
    expect(slack.VpcConfig).toBeUndefined();
    // Lambda's retries of a failed post are safe: the delivery record stops a second message.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^NotifiersSlackFunction') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotifiersSlackFunction'), 'Arn'] },
      FilterPolicy: Match.absent(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotifiersSlackDeadLetters'), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'sns.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotifiersSlackFunction'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^NotifiersSlackFunction') },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotifiersSlackDeadLetters'), 'Arn'] },
        },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^NotifiersSlackFunctionRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            // Its delivery records only: items whose key starts DELIVERY#slack#, never a deployment's.
            // (Actions sorted: cdk.json sets @aws-cdk/aws-iam:minimizePolicies.)
            Sid: 'DeliveryRecords',
            Effect: 'Allow',
            Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageTable'), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DELIVERY#slack#*'] } },
          },
        ]),
      },
    });
    const slackPolicy = JSON.stringify(
      resourcesOf(template, 'AWS::IAM::Policy').find(([id]) =>
        id.startsWith('NotifiersSlackFunctionRole'),
      )?.[1],
    );
    expect(slackPolicy).toContain('"Sid":"ReadConfiguredSecrets"');
    expect(slackPolicy).toContain(`"Resource":"${SLACK_SECRET_ARN}"`);
    expect(slackPolicy).not.toContain(SECRET_ARN);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'SentinelWatch-slack-errors' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'SentinelWatch-slack-undelivered',
    });
    // The poller cannot read the Slack secret.
    const pollerPolicy = JSON.stringify(
      resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith('PollerRole'))?.[1],
    );
    expect(pollerPolicy).toContain(SECRET_ARN);
    expect(pollerPolicy).not.toContain(SLACK_SECRET_ARN);
  });

  it('adds nothing for Slack without a webhook secret', () => {
    // Act
    const template = synth(baseConfig());

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'lambda' }, 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('SLACK_WEBHOOK_SECRET_ARN');
  });
});

describe('Variant: several deployments', () => {
  const config = baseConfig({
    deployments: [
      deployment({ nodes: ['10.20.1.71:6380'], sentinelPasswordSecretArn: SENTINEL_SECRET_ARN }),
      deployment({ name: 'sessions', masterName: 'sessions', sentinels: ['redis-s1.internal:26380'] }),
    ],
    dataNodePorts: [6379, 6381],
  });

  it('opens egress to every port the deployments use, and no other', () => {
    // Act
    const template = synth(config);

    // Assess
    const egress = watcherEgress(template).map((r) => [r.CidrIp, r.FromPort, r.ToPort]);
    expect(egress).toEqual([
      ['0.0.0.0/0', 443, 443],
      ['0.0.0.0/0', 6379, 6379],
      ['0.0.0.0/0', 6380, 6380],
      ['0.0.0.0/0', 6381, 6381],
      ['0.0.0.0/0', 26379, 26379],
      ['0.0.0.0/0', 26380, 26380],
    ]);
  });

  it('grants every password secret, and alarms per deployment only where asked', () => {
    // Act
    const template = synth({ ...config, detailedMetrics: ['sessions'] });

    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PollerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadConfiguredSecrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: [SECRET_ARN, SENTINEL_SECRET_ARN],
          },
        ]),
      },
    });
    const dimensions = [{ Name: 'deployment', Value: 'sessions' }];
    for (const [name, metric] of [
      ['alerts-dropped-sessions', 'AlertsDropped'],
      ['alerts-rejected-sessions', 'AlertsRejected'],
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `SentinelWatch-${name}`,
        Namespace: 'SentinelWatch',
        MetricName: metric,
        Dimensions: dimensions,
        Statistic: 'Sum',
        Threshold: 1,
        EvaluationPeriods: 1,
      });
    }
    // Some alert waited in every poll of the deployment for three 5-minute periods.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'SentinelWatch-alerts-undelivered-sessions',
      MetricName: 'AlertsPending',
      Dimensions: dimensions,
      Statistic: 'Minimum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { AlarmName: 'SentinelWatch-alerts-dropped-orders-cache' },
      0,
    );
    const dashboard = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('\\"MaxReplicaLagBytes\\",\\"deployment\\",\\"sessions\\"');
    expect(dashboard).not.toContain('\\"deployment\\",\\"orders-cache\\"');
  });

  it('with the Redis security group: egress to it, and its ingress rule per port', () => {
    // Act
    const template = synth({ ...config, redisSecurityGroupId: 'sg-0fffffffffffffff1' });

    // Assess
    const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties as Json)
      .filter((p) => p.GroupId === 'sg-0fffffffffffffff1');
    expect(ingress.map((p) => p.FromPort)).toEqual([6379, 6380, 6381, 26379, 26380]);
    for (const rule of ingress) {
      expect(rule).toMatchObject({
        IpProtocol: 'tcp',
        ToPort: rule.FromPort,
        SourceSecurityGroupId: {
          'Fn::GetAtt': [expect.stringMatching(/^NetworkWatcherSecurityGroup/), 'GroupId'],
        },
      });
    }
    const egress = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')
      .map(([, r]) => r.Properties as Json)
      .filter((p) => p.DestinationSecurityGroupId === 'sg-0fffffffffffffff1');
    expect(egress.map((p) => p.FromPort)).toEqual([6379, 6380, 6381, 26379, 26380]);
    // No CIDR egress to the Redis ports once the security group is known.
    expect(watcherEgress(template).map((r) => r.FromPort)).toEqual([443]);
  });

  it('narrows the Redis egress to redisCidrs', () => {
    // Act
    const template = synth({ ...config, redisCidrs: ['10.20.0.0/16', '10.30.0.0/16'] });

    // Assess
    const cidrs = watcherEgress(template)
      .filter((r) => r.FromPort !== 443)
      .map((r) => r.CidrIp);
    expect([...new Set(cidrs)]).toEqual(['10.20.0.0/16', '10.30.0.0/16']);
  });
});

describe('Variant: other settings', () => {
  it("filters an email subscription by severity, letting the watcher's own alarms through", () => {
    // Act
    const template = synth(
      baseConfig({
        alertEmails: ['all@example.com', { address: 'oncall@example.com', severities: ['critical'] }],
      }),
    );

    // Assess
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'oncall@example.com',
      FilterPolicy: { $or: [{ severity: ['critical'] }, { severity: [{ exists: false }] }] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'all@example.com',
      FilterPolicy: Match.absent(),
    });
  });

  it('encrypts the table with its own key, usable only through DynamoDB', () => {
    // Act
    const template = synth(baseConfig({ tableEncryption: 'customer-managed' }));

    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageTableKey'), 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PollerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'SnapshotTableKey',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageTableKey'), 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('lets the functions decrypt secrets under the given keys, via Secrets Manager only', () => {
    // Prepare
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const template = synth(baseConfig({ secretsKmsKeyArns: [keyArn] }));

    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^PollerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DecryptConfiguredSecrets',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: keyArn,
            Condition: {
              StringEquals: {
                'kms:ViaService': {
                  'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
                },
              },
            },
          },
        ]),
      },
    });
  });

  it('applies schedule, sizes, retention and reserved concurrency', () => {
    // Act
    const template = synth(
      baseConfig({
        scheduleMinutes: 5,
        memorySize: 512,
        pollerTimeoutSeconds: 120,
        drillTimeoutSeconds: 600,
        logRetentionDays: 90,
        reservedConcurrency: 1,
        noSuccessMinutes: 15,
      }),
    );

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    const fns = functionsByDescription(template);
    expect(fns['sentinel-watch poller']).toMatchObject({
      MemorySize: 512,
      Timeout: 120,
      ReservedConcurrentExecutions: 1,
    });
    expect(fns['sentinel-watch failover drill']).toMatchObject({ MemorySize: 512, Timeout: 600 });
    expect(fns['sentinel-watch failover drill'].ReservedConcurrentExecutions).toBeUndefined();
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const notRunning = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties as Json)
      .find((a) => a.AlarmName === 'SentinelWatch-poller-not-running');
    expect(JSON.stringify(notRunning?.Metrics)).toContain('"Period":900');
  });
});
