import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsFromEnv } from '../../../cli/credentials';
import { watchConfigFrom } from '../../../cli/deployment-options';
import { parseWatchConfig } from '../../../lambdas/core/config';
import { ConfigError, UsageError } from '../../../lambdas/core/errors';

describe('Function: watchConfigFrom', () => {
  it('builds one deployment from flags, using REDIS_PASSWORD only when it is set', () => {
    // Act
    const withPassword = watchConfigFrom(
      { sentinels: '127.0.0.1:26400, 127.0.0.1:26401', master: 'mymaster' },
      { REDIS_PASSWORD: 'x' },
    );
    const without = watchConfigFrom(
      { sentinels: '127.0.0.1:26400', master: 'mymaster', 'timeout-ms': '250' },
      {},
    );

    // Assess
    expect(withPassword.deployments[0]).toMatchObject({
      name: 'mymaster',
      masterName: 'mymaster',
      passwordEnv: 'REDIS_PASSWORD',
      expectedSentinels: null,
    });
    expect(without.deployments[0].passwordEnv).toBeNull();
    expect(without.deployments[0].timeoutMs).toBe(250);
  });

  it.each([
    [{ master: 'm' }, /give --sentinels/],
    [{ sentinels: '127.0.0.1:26379' }, /--master NAME is required/],
    [{ sentinels: '127.0.0.1', master: 'm' }, /^--sentinels: "127.0.0.1" is not "host:port"/],
    [
      { sentinels: '127.0.0.1:1', master: 'm', 'timeout-ms': 'soon' },
      /^--timeout-ms: "soon" is not a duration such as 500ms, 10s/,
    ],
    [{ sentinels: '127.0.0.1:1', master: 'm', 'timeout-ms': '5' }, /^--timeout-ms: must be between 50/],
    [{ config: 'x.json', master: 'm' }, /--config cannot be combined with --master/],
  ])('rejects %j with a usage error naming the flag', (values, message) => {
    expect(() => watchConfigFrom(values, {})).toThrow(UsageError);
    expect(() => watchConfigFrom(values, {})).toThrow(message);
  });

  it('reads --config files and reports their errors with the field path', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sw-config-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(
      good,
      JSON.stringify({ deployments: [{ masterName: 'm', sentinels: ['10.0.0.1:26379'] }] }),
    );
    writeFileSync(
      bad,
      JSON.stringify({ deployments: [{ masterName: 'm', sentinels: ['10.0.0.1:26379'], maxLagBytes: -5 }] }),
    );

    // Act / Assess
    expect(watchConfigFrom({ config: good }, {}).deployments[0].sentinels).toEqual([
      { host: '10.0.0.1', port: 26379 },
    ]);
    expect(() => watchConfigFrom({ config: bad }, {})).toThrow(
      'deployments[0].maxLagBytes: must be between 0 and',
    );
    expect(() => watchConfigFrom({ config: join(dir, 'missing.json') }, {})).toThrow(
      /--config: cannot read .*ENOENT/,
    );
  });
});

describe('Function: credentialsFromEnv', () => {
  const deployment = (patch: Record<string, unknown>) =>
    parseWatchConfig({ deployments: [{ masterName: 'm', sentinels: ['a:1'], ...patch }] }).deployments[0];

  it('reads the named variables', () => {
    const creds = credentialsFromEnv(
      deployment({ passwordEnv: 'PW', sentinelPasswordEnv: 'SPW', username: 'watcher' }),
      0,
      {
        PW: 'p',
        SPW: 's',
      },
    );
    expect(creds).toEqual({ password: 'p', sentinelPassword: 's', username: 'watcher' });
  });

  it('fails naming the field when a named variable is unset', () => {
    expect(() => credentialsFromEnv(deployment({ passwordEnv: 'PW' }), 0, {})).toThrow(
      new ConfigError('deployments[0].passwordEnv', 'environment variable PW is not set'),
    );
  });

  it('refuses Secrets Manager ARNs outside AWS with a hint', () => {
    const d = deployment({ passwordSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' });
    expect(() => credentialsFromEnv(d, 0, {})).toThrow(
      /^deployments\[0\]\.passwordSecretArn: the password is kept in Secrets Manager: add --aws-secrets .* or put it in an environment variable and add --password-env VAR$/,
    );
  });
});

describe('Function: watchConfigFrom with a stack config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-stack-options-'));
  const file = join(dir, 'prod.json');
  writeFileSync(
    file,
    JSON.stringify({
      deployments: [
        {
          masterName: 'm',
          sentinels: ['127.0.0.1:26379'],
          passwordSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:r-AbCdEf',
        },
      ],
      vpc: { vpcId: 'vpc-0123456789abcdef0' },
      alertEmails: ['oncall@example.com'],
    }),
  );

  it('takes --password-env for every deployment of the file, instead of its secret ARN', () => {
    const d = watchConfigFrom({ config: file, 'password-env': 'PROD_PW' }, {}).deployments[0];
    expect([d.passwordEnv, d.passwordSecretArn]).toEqual(['PROD_PW', null]);
  });

  it.each([
    [{ config: file, 'password-env': 'not a name' }, /^--password-env: /],
    [
      { sentinels: '127.0.0.1:1', master: 'm', 'aws-secrets': true },
      /--aws-secrets reads the secret ARNs of a --config file/,
    ],
  ])('rejects %j naming the flag', (values, message) => {
    expect(() => watchConfigFrom(values, {})).toThrow(UsageError);
    expect(() => watchConfigFrom(values, {})).toThrow(message);
  });
});
