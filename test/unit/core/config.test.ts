import { parseWatchConfig, parseWatchConfigText } from '../../../lambdas/core/config';
import { ConfigError } from '../../../lambdas/core/errors';
import {
  DEFAULT_MAX_REPLY_BYTES,
  MAX_DEPLOYMENTS,
  MAX_NODES,
  MAX_SENTINELS,
} from '../../../lambdas/core/limits';

const good = {
  deployments: [
    {
      name: 'orders-cache',
      masterName: 'mymaster',
      sentinels: ['10.2.1.61:26379', '10.2.1.62:26379', '10.2.1.63:26379'],
      passwordEnv: 'REDIS_PASSWORD',
      expectedReplicas: 2,
      expectedSentinels: 3,
      maxLagBytes: 1048576,
      maxLagSeconds: 10,
    },
  ],
};

/** Runs parse and returns the ConfigError it throws, failing the test when it does not throw. */
function configError(input: unknown): ConfigError {
  try {
    parseWatchConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const withDeployment = (patch: Record<string, unknown>) => ({
  deployments: [{ ...good.deployments[0], ...patch }],
});

describe('Function: parseWatchConfig', () => {
  it('accepts the documented example and applies defaults', () => {
    // Act
    const config = parseWatchConfig(good);

    // Assess
    expect(config.deployments).toHaveLength(1);
    const d = config.deployments[0];
    expect(d.name).toBe('orders-cache');
    expect(d.sentinels).toEqual([
      { host: '10.2.1.61', port: 26379 },
      { host: '10.2.1.62', port: 26379 },
      { host: '10.2.1.63', port: 26379 },
    ]);
    expect(d.passwordEnv).toBe('REDIS_PASSWORD');
    expect(d.passwordSecretArn).toBeNull();
    expect(d.tls).toBe(false);
    expect(d.timeoutMs).toBe(1000);
    expect(d.pollTimeoutMs).toBe(3500);
    expect(d.reminderMinutes).toBe(60);
    expect(d.nodes).toEqual([]);
    expect(config.pollEverySeconds).toBeNull();
    expect(config.retentionDays).toBe(30);
  });

  it('reads the poller settings at the top level', () => {
    // Act
    const config = parseWatchConfig({ ...good, pollEverySeconds: 10, retentionDays: 7 });

    // Assess
    expect(config.pollEverySeconds).toBe(10);
    expect(config.retentionDays).toBe(7);
    expect(parseWatchConfig({ ...good, pollEverySeconds: null }).pollEverySeconds).toBeNull();
  });

  it('defaults the name to the master name, and leaves expectedSentinels to what the sentinels report', () => {
    const d = parseWatchConfig({
      deployments: [{ masterName: 'm1', sentinels: ['a.example:26379', '[::1]:26380'] }],
    }).deployments[0];
    expect(d.name).toBe('m1');
    expect(d.expectedSentinels).toBeNull(); // derived from what the sentinels report
    expect(d.expectedReplicas).toBe(2);
    expect(d.sentinels[1]).toEqual({ host: '::1', port: 26380 });
  });

  it('accepts a Secrets Manager ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redis-pw-AbCdEf';
    expect(
      parseWatchConfig(withDeployment({ passwordEnv: undefined, passwordSecretArn: arn })).deployments[0]
        .passwordSecretArn,
    ).toBe(arn);
  });

  it.each([
    [{}, 'deployments', 'non-empty array'],
    [{ deployments: [] }, 'deployments', 'non-empty array'],
    [{ deployments: [{ sentinels: ['a:1'] }] }, 'deployments[0].masterName', 'is required'],
    [withDeployment({ masterName: '' }), 'deployments[0].masterName', 'must not be empty'],
    [withDeployment({ masterName: 'my master' }), 'deployments[0].masterName', 'white space'],
    [withDeployment({ sentinels: ['10.2.1.61'] }), 'deployments[0].sentinels[0]', 'is not "host:port"'],
    [withDeployment({ sentinels: ['10.2.1.61:99999'] }), 'deployments[0].sentinels[0]', 'out of range'],
    [withDeployment({ sentinels: ['a:1', 'a:1'] }), 'deployments[0].sentinels[1]', 'listed twice'],
    [withDeployment({ sentinels: [] }), 'deployments[0].sentinels', 'non-empty array'],
    [withDeployment({ sentinels: [26379] }), 'deployments[0].sentinels[0]', 'must be a "host:port" string'],
    [withDeployment({ maxLagBytes: -1 }), 'deployments[0].maxLagBytes', 'between 0 and'],
    [withDeployment({ maxLagSeconds: '10' }), 'deployments[0].maxLagSeconds', 'must be a number'],
    [withDeployment({ expectedReplicas: 1.5 }), 'deployments[0].expectedReplicas', 'whole number'],
    [withDeployment({ tls: 'yes' }), 'deployments[0].tls', 'true or false'],
    [
      withDeployment({ passwordEnv: 'REDIS-PASSWORD' }),
      'deployments[0].passwordEnv',
      'not an environment variable',
    ],
    [
      withDeployment({ passwordSecretArn: 'my-secret' }),
      'deployments[0].passwordSecretArn',
      'not a Secrets Manager',
    ],
    [
      withDeployment({ passwordSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }),
      'deployments[0].passwordSecretArn',
      'not both',
    ],
    [withDeployment({ name: 'orders cache' }), 'deployments[0].name', 'letters, digits'],
    [withDeployment({ timeoutMs: 10 }), 'deployments[0].timeoutMs', 'between 50'],
    [{ deployments: [good.deployments[0], good.deployments[0]] }, 'deployments[1].name', 'used twice'],
    [{ deployments: [null] }, 'deployments[0]', 'must be an object'],
    [{ ...good, pollEverySeconds: 1 }, 'pollEverySeconds', 'between 2 and 60'],
    [{ ...good, pollEverySeconds: 7.5 }, 'pollEverySeconds', 'whole number'],
    [{ ...good, pollEverySeconds: '10' }, 'pollEverySeconds', 'must be a number'],
    [{ ...good, retentionDays: 0 }, 'retentionDays', 'between 1 and 3650'],
  ])('rejects %j naming %s', (input, field, problem) => {
    // Act
    const error = configError(input);

    // Assess
    expect(error.field).toBe(field);
    expect(error.message).toContain(problem);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('rejects unknown keys and suggests the right spelling', () => {
    const error = configError(withDeployment({ mastername: 'x' }));
    expect(error.field).toBe('deployments[0].mastername');
    expect(error.message).toContain('did you mean "masterName"');
    expect(configError({ ...good, deployment: [] }).field).toBe('deployment');
    expect(configError({ ...good, pollEverySecond: 10 }).field).toBe('pollEverySecond');
    expect(configError({ ...good, RetentionDays: 10 }).message).toContain('did you mean "retentionDays"');
  });
});

describe('Function: parseWatchConfigText', () => {
  it('reports JSON syntax errors against the file name', () => {
    expect(() => parseWatchConfigText('{"deployments": [', 'prod.json')).toThrow(
      /^prod\.json: is not valid JSON/,
    );
  });

  it('accepts a file that starts with a UTF-8 byte order mark (Windows editors write one)', () => {
    // Prepare: what readFile(..., 'utf8') returns for such a file
    const text = `\uFEFF${JSON.stringify(good)}`;

    // Act
    const config = parseWatchConfigText(text, 'prod.json');

    // Assess
    expect(config.deployments[0].name).toBe('orders-cache');
  });
});

describe('Function: parseWatchConfig, limits', () => {
  it.each([
    ['sentinels', MAX_SENTINELS],
    ['nodes', MAX_NODES],
  ])('rejects more than the cap of %s at once, before reading any entry', (key, cap) => {
    // Prepare: 100,000 entries, each of them invalid: the list's size must be the first complaint
    const huge = Array.from({ length: 100_000 }, () => 'not an address');

    // Act
    const error = configError(withDeployment({ [key]: huge }));

    // Assess
    expect(error.field).toBe(`deployments[0].${key}`);
    expect(error.message).toContain(`at most ${cap}`);
  });

  it('accepts a list at the cap', () => {
    const sentinels = Array.from({ length: MAX_SENTINELS }, (_, i) => `10.0.0.${i + 1}:26379`);
    expect(
      parseWatchConfig(withDeployment({ sentinels, expectedSentinels: 3 })).deployments[0].sentinels,
    ).toHaveLength(MAX_SENTINELS);
  });

  it('rejects more deployments than the cap, naming deployments', () => {
    const many = Array.from({ length: MAX_DEPLOYMENTS + 1 }, (_, i) => ({
      ...good.deployments[0],
      name: `d${i}`,
    }));
    const error = configError({ deployments: many });
    expect(error.field).toBe('deployments');
    expect(error.message).toContain(`at most ${MAX_DEPLOYMENTS}`);
  });

  it('finds duplicates in a long list quickly (no pairwise comparison)', () => {
    const sentinels = Array.from({ length: MAX_SENTINELS }, (_, i) => `10.0.0.${i + 1}:26379`);
    sentinels[MAX_SENTINELS - 1] = sentinels[0];
    expect(configError(withDeployment({ sentinels })).field).toBe(
      `deployments[0].sentinels[${MAX_SENTINELS - 1}]`,
    );
  });

  it('names masterName, not the absent name, when a master name cannot be the deployment name', () => {
    // Prepare: no `name` in the file, so the master name would be used as the deployment name
    const { name: _name, ...noName } = good.deployments[0];

    // Act
    const error = configError({ deployments: [{ ...noName, masterName: 'mäster' }] });

    // Assess
    expect(error.field).toBe('deployments[0].masterName');
    expect(error.message).toContain('add a "name"');
  });

  it('still names name when the file has one', () => {
    expect(configError(withDeployment({ name: 'ördres' })).field).toBe('deployments[0].name');
  });

  it.each([
    ['localhost:26379', '127.0.0.1:26379'],
    ['LOCALHOST:26379', '127.0.0.1:26379'],
    ['Redis-1.Example.COM:26379', 'redis-1.example.com:26379'],
    ['[::1]:26379', '[0:0:0:0:0:0:0:1]:26379'],
    ['127.0.0.1:26379', '[::ffff:127.0.0.1]:26379'],
  ])('treats %s and %s as the same server', (a, b) => {
    const error = configError(withDeployment({ sentinels: [a, b] }));
    expect(error.field).toBe('deployments[0].sentinels[1]');
    expect(error.message).toContain('listed twice');
  });

  it('takes maxReplyBytes within its range, 1 MiB by default', () => {
    expect(parseWatchConfig(good).deployments[0].maxReplyBytes).toBe(DEFAULT_MAX_REPLY_BYTES);
    expect(parseWatchConfig(withDeployment({ maxReplyBytes: 4_194_304 })).deployments[0].maxReplyBytes).toBe(
      4_194_304,
    );
    expect(configError(withDeployment({ maxReplyBytes: 1000 })).field).toBe('deployments[0].maxReplyBytes');
    expect(configError(withDeployment({ maxReplyBytes: 2 ** 40 })).field).toBe(
      'deployments[0].maxReplyBytes',
    );
  });
});
