import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsSecretSource, REQUEST_HANDLER } from '../../../cli/aws-secrets';
import { credentialsFor } from '../../../cli/credentials';
import { parseWatchConfig } from '../../../lambdas/core/config';
import { ConfigError, SentinelWatchError } from '../../../lambdas/core/errors';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const sm = mockClient(SecretsManagerClient);
const PASSWORD_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/redis-AbCdEf';
const SENTINEL_ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:orders/sentinel-GhIjKl';
const VALUE = 'redis-pw-never-printed';

const deployment = (patch: Record<string, unknown>) =>
  parseWatchConfig({ deployments: [{ masterName: 'm', sentinels: ['127.0.0.1:1'], ...patch }] })
    .deployments[0];

beforeEach(() => sm.reset());

describe('Function: credentialsFor', () => {
  it('reads both passwords from Secrets Manager, each in the region of its ARN', async () => {
    // Prepare
    sm.on(GetSecretValueCommand, { SecretId: PASSWORD_ARN }).resolves({ SecretString: VALUE });
    sm.on(GetSecretValueCommand, { SecretId: SENTINEL_ARN }).resolves({
      SecretString: JSON.stringify({ password: 'sentinel-pw' }),
    });
    const regions: string[] = [];
    const secrets = awsSecretSource((region) => {
      regions.push(region);
      return new SecretsManagerClient({ region });
    });

    // Act
    const credentials = await credentialsFor(
      deployment({
        passwordSecretArn: PASSWORD_ARN,
        sentinelPasswordSecretArn: SENTINEL_ARN,
        username: 'watcher',
      }),
      0,
      {},
      secrets,
    );

    // Assess
    expect(credentials).toEqual({ password: VALUE, sentinelPassword: 'sentinel-pw', username: 'watcher' });
    expect(regions.sort()).toEqual(['eu-west-1', 'us-east-2']);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('still reads environment variables the config names next to a secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: VALUE });
    const credentials = await credentialsFor(
      deployment({ passwordSecretArn: PASSWORD_ARN, sentinelPasswordEnv: 'SPW' }),
      0,
      { SPW: 'from-env' },
      awsSecretSource((region) => new SecretsManagerClient({ region })),
    );
    expect(credentials).toEqual({ password: VALUE, sentinelPassword: 'from-env' });
  });

  it('without --aws-secrets, says how to give the password, naming the field', async () => {
    // Act / Assess
    await expect(
      credentialsFor(deployment({ sentinelPasswordSecretArn: SENTINEL_ARN }), 2, {}, null),
    ).rejects.toThrow(
      new ConfigError(
        'deployments[2].sentinelPasswordSecretArn',
        'the password is kept in Secrets Manager: add --aws-secrets to read it with your AWS credentials ' +
          '(secretsmanager:GetSecretValue), or put it in an environment variable and add ' +
          '--sentinel-password-env VAR',
      ),
    );
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });

  it('fails naming the secret, never its value, when it cannot be read', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error(`not authorized to read ${VALUE}`), { name: 'AccessDeniedException' }),
    );

    // Act
    const error = await credentialsFor(
      deployment({ passwordSecretArn: PASSWORD_ARN }),
      0,
      {},
      awsSecretSource((region) => new SecretsManagerClient({ region })),
    ).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );

    // Assess
    expect(error).toBeInstanceOf(SentinelWatchError);
    expect(error.message).toBe(
      `secret ${PASSWORD_ARN}: cannot be read: access denied (grant secretsmanager:GetSecretValue, and kms:Decrypt for a customer key)`,
    );
  });
});

describe('Function: awsSecretSource', () => {
  it('gives every request a deadline that ends it', () => {
    expect(REQUEST_HANDLER).toEqual({
      requestTimeout: 5000,
      connectionTimeout: 2000,
      throwOnRequestTimeout: true,
    });
  });
});
