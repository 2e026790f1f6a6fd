// `sentinel-watch test-alert` with aws-sdk-client-mock: the stack's outputs, then an opened and a
// resolved of one TEST incident published to its topic, in that order.

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { describeStack } from '../../../cli/aws/stack';
import { type TestAlertDeps, testAlertCommand } from '../../../cli/commands/test-alert';
import { EXIT } from '../../../cli/io';
import { SnsAlertPublisher } from '../../../lambdas/adapters/sns-publisher';
import { UsageError } from '../../../lambdas/core/errors';
import { isTestAlert, TEST_ALERT_CODE } from '../../../lambdas/core/test-alert';
import { NOW } from '../helpers/snapshot-factory';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:SentinelWatch-AlertingTopic-AbC';
const cfn = mockClient(CloudFormationClient);
const sns = mockClient(SNSClient);

const STACK_OUTPUTS = [
  { OutputKey: 'AlertTopicArn', OutputValue: TOPIC },
  { OutputKey: 'SnapshotTableName', OutputValue: 'SentinelWatch-StorageTable-XyZ' },
  { OutputKey: 'DeploymentNames', OutputValue: 'orders-cache,sessions' },
];

let out: string[];
let err: string[];
let slept: number[];
let now: number;

const io = () => ({
  out: (t: string) => out.push(t),
  err: (t: string) => err.push(t),
  env: { USER: 'alice' } as NodeJS.ProcessEnv,
});
const deps = (): TestAlertDeps => ({
  stack: (name) => describeStack(new CloudFormationClient({ region: 'us-east-1' }), name),
  publisher: (topicArn) =>
    new SnsAlertPublisher({ client: new SNSClient({ region: 'us-east-1' }), topicArn }),
  now: () => now,
  sleep: async (ms) => {
    slept.push(ms);
    now += ms;
  },
});

beforeEach(() => {
  cfn.reset();
  sns.reset();
  out = [];
  err = [];
  slept = [];
  now = NOW;
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'SentinelWatch',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: STACK_OUTPUTS,
      },
    ],
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('Command: test-alert', () => {
  it('publishes an opened, waits, then the resolved of the same incident, both marked as a test', async () => {
    // Act
    const code = await testAlertCommand(['--stack', 'SentinelWatch', '--by', 'alice@bastion'], io(), deps());

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'SentinelWatch' });
    const calls = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    const attrs = calls.map((c) =>
      Object.fromEntries(Object.entries(c.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
    );
    expect(attrs.map((a) => [a.type, a.code, a.severity, a.deployment, a.test])).toEqual([
      ['opened', TEST_ALERT_CODE, 'critical', 'orders-cache', 'true'],
      ['resolved', TEST_ALERT_CODE, 'critical', 'orders-cache', 'true'],
    ]);
    expect(attrs.every((a) => isTestAlert(a))).toBe(true);
    expect(calls.every((c) => c.TopicArn === TOPIC)).toBe(true);
    expect(calls[0].Subject).toBe('[TEST] [CRITICAL] orders-cache: TEST_ALERT');
    expect(calls[1].Subject).toBe('[TEST] [RESOLVED] orders-cache: TEST_ALERT (lasted 10s)');
    expect(calls[0].Message).toMatch(
      /^TEST ALERT, nothing is wrong: alice@bastion ran "sentinel-watch test-alert --stack SentinelWatch"/,
    );
    expect(calls[0].Message).toContain('Nothing: this tests the alert path');
    // Same incident: a receiver that deduplicates on it (PagerDuty's dedup_key) resolves what it opened.
    const incident = (m: string | undefined) => /Incident: (.+)/.exec(m ?? '')?.[1];
    expect(incident(calls[0].Message)).toBe(incident(calls[1].Message));
    expect(slept).toEqual([10_000]);
  });

  it('takes the deployment, severity and wait from the flags', async () => {
    await testAlertCommand(
      ['--deployment', 'sessions', '--severity', 'warning', '--resolve-after', '0s'],
      io(),
      deps(),
    );

    const first = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(first.MessageAttributes?.deployment?.StringValue).toBe('sessions');
    expect(first.MessageAttributes?.severity?.StringValue).toBe('warning');
    expect(slept).toEqual([]);
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'SentinelWatch' });
  });

  it('exits 1 naming the missing output when the stack is not a sentinel-watch stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Other', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }],
    });

    const code = await testAlertCommand(['--stack', 'Other'], io(), deps());

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'sentinel-watch test-alert: stack Other has no AlertTopicArn output: is it a sentinel-watch stack, deployed from this version?',
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('exits 1 saying so when the stack does not exist', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));

    const code = await testAlertCommand(['--stack', 'Nope'], io(), deps());

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'sentinel-watch test-alert: stack Nope does not exist in this account and region (check --region / AWS_REGION)',
    ]);
  });

  it('exits 1 with the SNS error when publishing fails, and sends no resolved', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AuthorizationErrorException' }));

    const code = await testAlertCommand([], io(), deps());

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'sentinel-watch test-alert: SNS Publish failed: AuthorizationErrorException (User is not authorized)',
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('rejects a severity it does not know, naming the flag', async () => {
    await expect(testAlertCommand(['--severity', 'page'], io(), deps())).rejects.toThrow(UsageError);
    await expect(testAlertCommand(['--severity', 'page'], io(), deps())).rejects.toThrow(/^--severity:/);
  });
});
