// Fleets: the deployments' config no longer rides in the Lambdas' 4 KB environment, so a stack holds
// as many deployments as its shards can poll (1,000 here), and a bad fleet config fails synth with the
// field named.

import { CfnResource, TagManager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseStackConfig } from '../../lib/stack-config';
import { configErrorOf } from '../support/config-error';
import { baseConfig, buildStack, fleet, type Json, resourcesOf, synth } from './helpers';

const configError = (config: unknown) => configErrorOf(() => parseStackConfig(config));

describe('Fleet: 1,000 deployments in one stack', () => {
  it('synthesizes ten deployments, which no longer hit the environment size limit', () => {
    // Act
    const template = synth(baseConfig({ deployments: fleet(10) }));

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('synthesizes 1,000 deployments in 20 shards', () => {
    // Act
    const template = synth(baseConfig({ deployments: fleet(1000), shards: 20 }));

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('sizes the poller memory for its largest shard, and refuses less than twice its peak', () => {
    // 1 deployment: 256 MB; ~50-64 per shard: 512 MB (docs/benchmarks.md, "Fleet")
    expect(parseStackConfig(baseConfig()).memorySize).toBe(256);
    expect(parseStackConfig(baseConfig({ deployments: fleet(1000), shards: 20 })).memorySize).toBe(512);
    expect(
      configError(baseConfig({ deployments: fleet(1000), shards: 20, memorySize: 256 })).message,
    ).toMatch(
      /^memorySize: 256 MB is under twice the measured peak of a poller invocation for \d+ deployments \(~\d+ MB\): use 512 or more, or more shards$/,
    );
  });

  it('refuses too few shards for the deployments, saying how many would do', () => {
    expect(configError(baseConfig({ deployments: fleet(1000) })).message).toMatch(
      /^shards: 1 shard for 1000 deployments puts 1000 in shard 0, more than the 100 one poller invocation watches: set shards to \d+ or more$/,
    );
  });
});

describe('Fleet: shards, monitoring and tags', () => {
  const template = synth(
    baseConfig({
      deployments: fleet(1000),
      shards: 20,
      pollEverySeconds: 60,
      detailedMetrics: ['cache-0007'],
      tags: { team: 'platform', 'cost-center': '4711' },
    }),
  );
  const rules = resourcesOf(template, 'AWS::Events::Rule').map(([, r]) => r.Properties as Json);

  it('invokes the poller once per shard each minute, five shards per scheduled rule', () => {
    // Assess
    expect(rules).toHaveLength(4);
    const inputs = rules.flatMap((r) =>
      (r.Targets as Json[]).map((t) => {
        expect(t).toMatchObject({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^PollerFunction/), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        });
        return JSON.parse(t.Input as string).shard as number;
      }),
    );
    expect(inputs.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(rules.every((r) => r.ScheduleExpression === 'rate(1 minute)')).toBe(true);
  });

  it('alarms per shard and not per deployment, except where asked', () => {
    // Assess
    const names = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(
      ([, a]) => (a.Properties as Json).AlarmName as string,
    );
    expect(names.filter((n) => /-shard-\d+-not-polling$/.test(n))).toHaveLength(20);
    expect(names.filter((n) => n.includes('alerts-dropped'))).toEqual([
      'SentinelWatch-alerts-dropped',
      'SentinelWatch-alerts-dropped-cache-0007',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'SentinelWatch-shard-3-not-polling',
      MetricName: 'PollDurationMs',
      Namespace: 'SentinelWatch',
      Dimensions: [{ Name: 'shard', Value: '3' }],
      Statistic: 'SampleCount',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('ranks deployments and replicas with Contributor Insights rules over the poller log', () => {
    // Assess
    const bodies = resourcesOf(template, 'AWS::CloudWatch::InsightRule').map(([, r]) => {
      const props = r.Properties as Json;
      return [props.RuleName, JSON.stringify(props.RuleBody)];
    });
    expect(bodies.map(([name]) => name)).toEqual([
      'SentinelWatch-replica-lag',
      'SentinelWatch-open-incidents',
      'SentinelWatch-unreachable-servers',
      'SentinelWatch-poll-duration',
    ]);
    expect(bodies[0][1]).toContain('\\"Keys\\":[\\"$.deployment\\",\\"$.replica\\"]');
    expect(bodies[0][1]).toContain('\\"ValueOf\\":\\"$.ReplicaLagBytes\\"');
    expect(bodies[0][1]).toMatch(/PollerLogs/);
  });

  it('keeps the dashboard the same size whatever the number of deployments', () => {
    // Prepare
    const body = (t: typeof template) => JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    // The same detailed deployment in both: only the number of deployments differs.
    const small = synth(
      baseConfig({
        deployments: fleet(10),
        shards: 20,
        pollEverySeconds: 60,
        detailedMetrics: ['cache-0007'],
      }),
    );

    // Assess: top-N widgets, a SEARCH per shard and a Metrics Insights query, not a line per deployment
    const big = body(template);
    expect(big).toContain('insightRule');
    expect(big).toContain('SEARCH(\'{SentinelWatch,shard} MetricName=\\\\\\"PollDurationMs\\\\\\"\'');
    expect(big).toContain('SELECT SUM(Failovers) FROM SCHEMA');
    expect(big.length - body(small).length).toBeLessThan(4_000);
    expect(big.length).toBeLessThan(60_000);
  });

  it('puts the configured tags on every resource that can carry tags', () => {
    // Prepare
    const { stack } = buildStack(
      baseConfig({ deployments: fleet(30), shards: 2, tags: { team: 'platform', 'cost-center': '4711' } }),
    );
    const resources = stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
    // Both kinds of taggable L1 (TagManager, and the newer cdkTagManager of alarms, rules, endpoints)
    const taggable = resources.filter((r) => TagManager.isTaggable(r) || TagManager.isTaggableV2(r));

    // Assess
    expect(new Set(taggable.map((r) => r.cfnResourceType))).toEqual(
      new Set([
        'AWS::EC2::SecurityGroup',
        'AWS::EC2::VPCEndpoint',
        'AWS::DynamoDB::Table',
        'AWS::KMS::Key',
        'AWS::SecretsManager::Secret',
        'AWS::SNS::Topic',
        'AWS::Logs::LogGroup',
        'AWS::IAM::Role',
        'AWS::Lambda::Function',
        'AWS::Events::Rule',
        'AWS::CloudWatch::Alarm',
        'AWS::CloudWatch::InsightRule',
        'AWS::CloudWatch::Dashboard',
      ]),
    );
    const template = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: Json }>;
    for (const r of taggable) {
      const tags = template[stack.resolve(r.logicalId)].Properties.Tags;
      const list = Array.isArray(tags)
        ? tags
        : Object.entries(tags as Json).map(([Key, Value]) => ({ Key, Value }));
      expect(list).toEqual(
        expect.arrayContaining([
          { Key: 'team', Value: 'platform' },
          { Key: 'cost-center', Value: '4711' },
        ]),
      );
    }
  });
});
