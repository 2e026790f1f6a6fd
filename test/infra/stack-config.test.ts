import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseFleetConfig } from '../../lambdas/core/fleet-config';
import { loadStackConfig, parseStackConfig, stackNameFrom } from '../../lib/stack-config';
import { configErrorOf } from '../support/config-error';
import {
  baseConfig,
  deployment,
  explicitVpc,
  type Json,
  SECRET_ARN,
  SENTINEL_SECRET_ARN,
  SLACK_SECRET_ARN,
} from './helpers';

const configError = (config: unknown) => configErrorOf(() => parseStackConfig(config));

describe('Function: parseStackConfig', () => {
  describe('defaults', () => {
    it('fills in every default of a minimal config', () => {
      // Act
      const config = parseStackConfig(baseConfig());

      // Assess
      expect(config).toMatchObject({
        scheduleMinutes: 1,
        retentionDays: 30,
        pollEverySeconds: null,
        vpcEndpoints: 'auto',
        pollerTimeoutSeconds: 60,
        drillTimeoutSeconds: 300,
        memorySize: 256,
        reservedConcurrency: null,
        logRetentionDays: 30,
        noSuccessMinutes: 5,
        tableEncryption: 'aws-managed',
        slackWebhookSecretArn: null,
        redisSecurityGroupId: null,
        redisCidrs: ['0.0.0.0/0'],
        dataNodePorts: [6379],
        redisPorts: [6379, 26379],
        alertEmails: [{ address: 'redis-team@example.com', severities: null }],
        passwordSecretArns: [SECRET_ARN],
      });
      expect(config.vpc).toEqual({
        kind: 'explicit',
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        routeTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa2'],
      });
      // The deployment itself went through the shared parser (its defaults applied).
      expect(config.deployments[0]).toMatchObject({
        name: 'orders-cache',
        expectedReplicas: 2,
        timeoutMs: 1000,
      });
    });

    it('hands the Lambdas the user input that the shared parser accepts the same way', () => {
      // Prepare
      const input = baseConfig({ pollEverySeconds: 10, retentionDays: 7 });

      // Act
      const config = parseStackConfig(input);

      // Assess
      expect(JSON.parse(config.fleetConfigJson)).toEqual({
        format: 'sentinel-watch/fleet-config/1',
        shards: 1,
        detailedMetrics: [],
        watch: { deployments: input.deployments, pollEverySeconds: 10, retentionDays: 7 },
      });
      expect(parseFleetConfig(JSON.parse(config.fleetConfigJson))).toEqual({
        watch: config.watch,
        shards: 1,
        detailedMetrics: [],
      });
    });

    it('gives the poller a longer timeout when it keeps polling within the minute', () => {
      expect(parseStackConfig(baseConfig({ pollEverySeconds: 10 })).pollerTimeoutSeconds).toBe(90);
    });

    it('widens the no-success window to two scheduled runs', () => {
      expect(parseStackConfig(baseConfig({ scheduleMinutes: 5 })).noSuccessMinutes).toBe(10);
    });

    it('collects the ports of sentinels, listed nodes and dataNodePorts, once each', () => {
      // Prepare
      const config = baseConfig({
        deployments: [
          deployment({ nodes: ['10.20.1.71:6380'] }),
          deployment({ name: 'sessions', sentinels: ['redis-s1.internal:26380', '10.30.1.1:26379'] }),
        ],
        dataNodePorts: [6379, 6381],
      });

      // Act / Assess
      expect(parseStackConfig(config).redisPorts).toEqual([6379, 6380, 6381, 26379, 26380]);
    });

    it('lists every password secret once, and applies emailSeverities to plain addresses', () => {
      // Prepare
      const config = baseConfig({
        deployments: [
          deployment({ sentinelPasswordSecretArn: SENTINEL_SECRET_ARN }),
          deployment({ name: 'sessions' }),
        ],
        alertEmails: ['team@example.com', { address: 'all@example.com', severities: ['info', 'critical'] }],
        emailSeverities: ['critical'],
      });

      // Act
      const parsed = parseStackConfig(config);

      // Assess
      expect(parsed.passwordSecretArns).toEqual([SECRET_ARN, SENTINEL_SECRET_ARN]);
      expect(parsed.alertEmails).toEqual([
        { address: 'team@example.com', severities: ['critical'] },
        { address: 'all@example.com', severities: ['critical', 'info'] },
      ]);
    });

    it('takes { vpcId } alone as a lookup', () => {
      expect(parseStackConfig(baseConfig({ vpc: { vpcId: 'vpc-0123456789abcdef0' } })).vpc).toEqual({
        kind: 'lookup',
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: null,
      });
    });
  });

  describe('errors name the field', () => {
    const cases: [string, Json, string, RegExp][] = [
      [
        'missing master name',
        baseConfig({ deployments: [deployment({ masterName: undefined })] }),
        'deployments[0].masterName',
        /is required/,
      ],
      [
        'malformed sentinel address',
        baseConfig({ deployments: [deployment({ sentinels: ['10.20.1.61'] })] }),
        'deployments[0].sentinels[0]',
        /is not "host:port"/,
      ],
      [
        'unknown root key',
        baseConfig({ scheduleMinute: 1 }),
        'scheduleMinute',
        /did you mean "scheduleMinutes"/,
      ],
      [
        'unknown deployment key',
        baseConfig({ deployments: [deployment({ maxLag: 5 })] }),
        'deployments[0].maxLag',
        /unknown key/,
      ],
      ['unknown vpc key', baseConfig({ vpc: explicitVpc({ subnets: [] }) }), 'vpc.subnets', /unknown key/],
      ['negative threshold', baseConfig({ noSuccessMinutes: -1 }), 'noSuccessMinutes', /between 1 and 1440/],
      [
        'negative lag threshold',
        baseConfig({ deployments: [deployment({ maxLagBytes: -1 })] }),
        'deployments[0].maxLagBytes',
        /between 0 and/,
      ],
      ['zero schedule', baseConfig({ scheduleMinutes: 0 }), 'scheduleMinutes', /between 1 and 60/],
      [
        'polling within the minute, scheduled less often',
        baseConfig({ pollEverySeconds: 10, scheduleMinutes: 5 }),
        'pollEverySeconds',
        /needs scheduleMinutes 1.*other 4 would go unwatched/,
      ],
      [
        'no-success window shorter than two runs',
        baseConfig({ scheduleMinutes: 5, noSuccessMinutes: 5 }),
        'noSuccessMinutes',
        /at least twice scheduleMinutes \(10\)/,
      ],
      [
        'passwordEnv in AWS',
        baseConfig({
          deployments: [deployment({ passwordSecretArn: undefined, passwordEnv: 'REDIS_PASSWORD' })],
        }),
        'deployments[0].passwordEnv',
        /cannot be used in AWS.*Secrets Manager.*passwordSecretArn/,
      ],
      [
        'sentinelPasswordEnv in AWS',
        baseConfig({ deployments: [deployment({ sentinelPasswordEnv: 'SENTINEL_PASSWORD' })] }),
        'deployments[0].sentinelPasswordEnv',
        /sentinelPasswordSecretArn/,
      ],
      [
        'partial secret ARN',
        baseConfig({
          deployments: [
            deployment({ passwordSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redis' }),
          ],
        }),
        'deployments[0].passwordSecretArn',
        /partial ARN/,
      ],
      [
        'partial Slack secret ARN',
        baseConfig({ slackWebhookSecretArn: 'slack' }),
        'slackWebhookSecretArn',
        /not a Secrets Manager/,
      ],
      ['no vpc', baseConfig({ vpc: undefined }), 'vpc', /is required/],
      ['bad vpc id', baseConfig({ vpc: explicitVpc({ vpcId: 'vpc-xyz' }) }), 'vpc.vpcId', /not a VPC id/],
      [
        'a zone per subnet',
        baseConfig({ vpc: explicitVpc({ availabilityZones: ['us-east-1a'] }) }),
        'vpc.availabilityZones',
        /2 subnets, 1 zones/,
      ],
      [
        'route tables with endpoints on',
        baseConfig({ vpc: explicitVpc({ routeTableIds: undefined }) }),
        'vpc.routeTableIds',
        /required with explicit subnetIds while vpcEndpoints is on/,
      ],
      [
        'bad subnet id',
        baseConfig({ vpc: explicitVpc({ subnetIds: ['subnet-1', 'x'] }) }),
        'vpc.subnetIds[0]',
        /not a subnet id/,
      ],
      ['bad email', baseConfig({ alertEmails: ['nobody'] }), 'alertEmails[0]', /not an email address/],
      [
        'unknown severity',
        baseConfig({ alertEmails: [{ address: 'a@example.com', severities: ['urgent'] }] }),
        'alertEmails[0].severities[0]',
        /one of "critical", "warning", "info"/,
      ],
      ['bad vpcEndpoints', baseConfig({ vpcEndpoints: 'yes' }), 'vpcEndpoints', /"auto", true or false/],
      [
        'log retention CloudWatch lacks',
        baseConfig({ logRetentionDays: 31 }),
        'logRetentionDays',
        /one of the periods/,
      ],
      ['memory too small', baseConfig({ memorySize: 64 }), 'memorySize', /between 128 and 10240/],
      [
        'poller timeout shorter than a poll',
        baseConfig({ deployments: [deployment({ pollTimeoutMs: 60_000 })], pollerTimeoutSeconds: 30 }),
        'pollerTimeoutSeconds',
        /between 75 and 900/,
      ],
      [
        'bad security group id',
        baseConfig({ redisSecurityGroupId: 'redis' }),
        'redisSecurityGroupId',
        /security group id/,
      ],
      ['bad CIDR', baseConfig({ redisCidrs: ['10.0.0.0/33'] }), 'redisCidrs[0]', /not an IPv4 CIDR/],
      ['nowhere to reach Redis', baseConfig({ redisCidrs: [] }), 'redisCidrs', /non-empty/],
      [
        'bad table encryption',
        baseConfig({ tableEncryption: 'kms' }),
        'tableEncryption',
        /"aws-managed", "customer-managed"/,
      ],
    ];

    it.each(cases)('%s', (_title, config, field, problem) => {
      // Act
      const error = configError(config);

      // Assess
      expect(error.field).toBe(field);
      expect(error.message.startsWith(`${field}: `)).toBe(true);
      expect(error.message).toMatch(problem);
    });

    it.each([
      ['shards not a number', { shards: 'two' }, 'shards: must be a number, got "two"'],
      ['too many shards', { shards: 201 }, 'shards: must be between 1 and 200, got 201'],
      [
        'detailedMetrics naming no deployment',
        { detailedMetrics: ['orders'] },
        'detailedMetrics[0]: "orders" is not the name of a configured deployment',
      ],
      [
        'a reserved concurrency below two runs per shard with pollEverySeconds',
        { shards: 2, pollEverySeconds: 10, reservedConcurrency: 3 },
        'reservedConcurrency: must be at least 4 (2 shards, two runs of each during the handover between minutes); got 3',
      ],
      [
        'a poller timeout without room for the handover',
        { pollEverySeconds: 10, pollerTimeoutSeconds: 70 },
        'pollerTimeoutSeconds: must be at least 75 with pollEverySeconds: each run watches its minute and the ' +
          'first 10 s of the next run (so that a switch while the next run starts is not missed), then saves ' +
          'and publishes; got 70',
      ],
      ['tags not an object', { tags: ['team'] }, 'tags: must be an object, got an array'],
      ['a tag value not a string', { tags: { team: 7 } }, 'tags.team: must be a string, got number 7'],
      [
        'a tag key reserved by AWS',
        { tags: { 'aws:team': 'x' } },
        'tags.aws:team: tag keys starting with "aws:" are reserved by AWS',
      ],
      [
        'a tag value with a character AWS refuses',
        { tags: { team: 'a;b' } },
        'tags.team: a tag value may hold letters, digits, spaces and _ . : / = + - @ only',
      ],
    ])('rejects %s, naming the field', (_label, patch, message) => {
      expect(configError(baseConfig(patch)).message).toBe(message);
    });

    it('refuses more password secrets than an IAM policy can list when they share no path', () => {
      // Prepare: 60 secrets named without a path prefix
      const many = Array.from({ length: 60 }, (_, i) =>
        deployment({
          name: `d-${i}`,
          passwordSecretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-password-${i}-AbC123`,
        }),
      );

      // Act
      const error = configError(baseConfig({ deployments: many }));

      // Assess
      expect(error.field).toBe('deployments');
      expect(error.message).toMatch(/keep the secrets under a few common path prefixes/);
    });

    it('accepts a Slack secret given as a full ARN', () => {
      expect(
        parseStackConfig(baseConfig({ slackWebhookSecretArn: SLACK_SECRET_ARN })).slackWebhookSecretArn,
      ).toBe(SLACK_SECRET_ARN);
    });
  });
});

describe('Function: loadStackConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-watch-config-'));

  it('reads the file named in context', () => {
    // Prepare
    writeFileSync(join(dir, 'watch.json'), JSON.stringify(baseConfig({ scheduleMinutes: 2 })));
    const app = new App({ context: { 'sentinel-watch:configFile': 'watch.json' } });

    // Act / Assess
    expect(loadStackConfig(app.node, dir).scheduleMinutes).toBe(2);
  });

  it('prefers an inline config, as an object or as JSON text from -c', () => {
    // Prepare
    const asObject = new App({
      context: {
        'sentinel-watch:config': baseConfig({ scheduleMinutes: 3 }),
        'sentinel-watch:configFile': 'x',
      },
    });
    const asText = new App({
      context: { 'sentinel-watch:config': JSON.stringify(baseConfig({ scheduleMinutes: 4 })) },
    });

    // Act / Assess
    expect(loadStackConfig(asObject.node, dir).scheduleMinutes).toBe(3);
    expect(loadStackConfig(asText.node, dir).scheduleMinutes).toBe(4);
  });

  it('reads config/example.json by default, and that example is valid', () => {
    expect(loadStackConfig(new App().node, join(__dirname, '../..')).deployments[0].name).toBe(
      'orders-cache',
    );
  });

  it('names the context key or the file when they are wrong', () => {
    // Prepare
    writeFileSync(join(dir, 'broken.json'), '{ "deployments": [ }');
    const missing = new App({ context: { 'sentinel-watch:configFile': 'missing.json' } });
    const broken = new App({ context: { 'sentinel-watch:configFile': 'broken.json' } });
    const badInline = new App({ context: { 'sentinel-watch:config': '{nope' } });

    // Act / Assess
    expect(() => loadStackConfig(missing.node, dir)).toThrow(
      /^sentinel-watch:configFile: cannot read missing.json/,
    );
    expect(() => loadStackConfig(broken.node, dir)).toThrow(/^broken.json: is not valid JSON/);
    expect(() => loadStackConfig(badInline.node, dir)).toThrow(/^sentinel-watch:config: is not valid JSON/);
  });

  it('checks the stack name from context', () => {
    expect(stackNameFrom(new App().node)).toBe('SentinelWatch');
    expect(stackNameFrom(new App({ context: { 'sentinel-watch:stackName': 'Orders-Watch' } }).node)).toBe(
      'Orders-Watch',
    );
    expect(() => stackNameFrom(new App({ context: { 'sentinel-watch:stackName': 'a b' } }).node)).toThrow(
      /^sentinel-watch:stackName: /,
    );
  });
});
