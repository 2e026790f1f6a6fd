// What the on-call commands need of the stack: the outputs `doctor` and `test-alert` read (by the same
// keys cli/aws/stack.ts looks for), and one managed policy with exactly their calls, writes to the
// table limited to the SILENCES partition, attached to the roles `onCallRoleArns` lists.

import { App } from 'aws-cdk-lib';
import { DLQ_OUTPUT_SUFFIX, FUNCTION_OUTPUT_SUFFIX, OUTPUT_KEYS } from '../../cli/aws/stack';
import { ConfigError } from '../../lambdas/core/errors';
import { SentinelWatchStack } from '../../lib/sentinel-watch-stack';
import { parseStackConfig } from '../../lib/stack-config';
import {
  ACCOUNT,
  baseConfig,
  deployment,
  type Json,
  REGION,
  resourcesOf,
  SLACK_SECRET_ARN,
  synth,
} from './helpers';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/platform/oncall-engineers`;

function configError(config: Json): ConfigError {
  try {
    parseStackConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const statements = (template: ReturnType<typeof synth>): Json[] => {
  const [[, policy]] = resourcesOf(template, 'AWS::IAM::ManagedPolicy');
  return ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement;
};
const bySid = (all: Json[], sid: string) => all.find((s) => s.Sid === sid);

describe('Stack: on-call outputs and access', () => {
  const template = synth(
    baseConfig({
      deployments: [deployment(), deployment({ name: 'sessions' })],
      slackWebhookSecretArn: SLACK_SECRET_ARN,
      noSuccessMinutes: 7,
      onCallRoleArns: [ROLE],
    }),
  );
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

  it('has every output the doctor and test-alert read, under the keys they look for', () => {
    for (const key of Object.values(OUTPUT_KEYS)) expect(Object.keys(outputs)).toContain(key);
    expect(outputs.DeploymentNames.Value).toBe('orders-cache,sessions');
    expect(outputs.PollerNoSuccessMinutes.Value).toBe('7');
    expect(outputs.AlarmNamePrefix.Value).toBe('SentinelWatch-');
    expect(
      Object.keys(outputs)
        .filter((k) => k.endsWith(FUNCTION_OUTPUT_SUFFIX))
        .sort(),
    ).toEqual(['DrillFunctionName', 'PollerFunctionName', 'SlackFunctionName']);
    // No dead-letter queue in this stack yet: the doctor says so instead of guessing one.
    expect(Object.keys(outputs).filter((k) => k.endsWith(DLQ_OUTPUT_SUFFIX))).toEqual([]);
  });

  it('names every alarm with the prefix the doctor lists them by', () => {
    const names = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) =>
      String((a.Properties as Json).AlarmName),
    );
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n.startsWith('SentinelWatch-')).toBe(true);
  });

  it('lets on-call write silences and nothing else of the table', () => {
    const all = statements(template);
    expect(bySid(all, 'WriteSilencesOnly')).toEqual({
      Sid: 'WriteSilencesOnly',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageTable/), 'Arn'] },
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['SILENCES'] } },
    });
    // Actions come sorted: cdk.json sets @aws-cdk/aws-iam:minimizePolicies.
    expect(bySid(all, 'ReadTable')?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    const writes = all.filter((s) =>
      JSON.stringify(s.Action).match(/dynamodb:(Put|Update|Delete|BatchWrite)/),
    );
    expect(writes.map((s) => s.Sid)).toEqual(['WriteSilencesOnly']);
  });

  it('grants test-alert and doctor their calls on this stack\'s resources, and GetMetricData alone on "*"', () => {
    const all = statements(template);
    expect(bySid(all, 'PublishTestAlerts')?.Action).toEqual(['sns:ListSubscriptionsByTopic', 'sns:Publish']);
    expect(bySid(all, 'DescribeThisStack')).toMatchObject({
      Action: 'cloudformation:DescribeStacks',
      Resource: { Ref: 'AWS::StackId' },
    });
    expect(JSON.stringify(bySid(all, 'ThisStacksAlarms')?.Resource)).toContain(':alarm:SentinelWatch-*');
    const wildcard = all.filter((s) => s.Resource === '*');
    expect(wildcard.map((s) => s.Action)).toEqual(['cloudwatch:GetMetricData']);
  });

  it('attaches the policy to the roles of onCallRoleArns, by name', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: ['oncall-engineers'] });
  });

  it('rejects a role of another account at synth, naming the field', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = parseStackConfig(
      baseConfig({ onCallRoleArns: ['arn:aws:iam::210987654321:role/oncall'] }),
    );

    expect(
      () =>
        new SentinelWatchStack(app, 'SentinelWatch', { config, env: { account: ACCOUNT, region: REGION } }),
    ).toThrow(/^onCallRoleArns\[0\]: arn:aws:iam::210987654321:role\/oncall is in account 210987654321/);
  });
});

describe('Function: parseStackConfig (onCallRoleArns)', () => {
  it.each([
    [['arn:aws:iam::123456789012:user/alice'], 'onCallRoleArns[0]'],
    ['arn:aws:iam::123456789012:role/x', 'onCallRoleArns'],
    [[ROLE, ROLE], 'onCallRoleArns[1]'],
  ])('rejects %j, naming %s', (value, field) => {
    expect(configError(baseConfig({ onCallRoleArns: value })).field).toBe(field);
  });

  it('defaults to none', () => {
    expect(parseStackConfig(baseConfig()).onCallRoleArns).toEqual([]);
  });
});
