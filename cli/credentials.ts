// Passwords for the CLI: from environment variables (`passwordEnv`, `--password-env`), or, when the
// user asks with --aws-secrets, from Secrets Manager by the ARNs a stack config names, read with the
// user's own AWS credentials. Without that flag an ARN is an error that says how to give the password:
// the CLI never calls AWS unasked.

import type { Credentials, DeploymentConfig } from '../lambdas/core/config';
import { ConfigError } from '../lambdas/core/errors';
import type { SecretSource } from '../lambdas/core/ports';

const ENV_FLAG = {
  passwordSecretArn: '--password-env',
  sentinelPasswordSecretArn: '--sentinel-password-env',
};

/**
 * Reads passwords from the environment (local runs). A variable the config names explicitly must be
 * set: a silently missing password would show up later as a confusing NOAUTH finding.
 */
export function credentialsFromEnv(
  deployment: DeploymentConfig,
  index: number,
  env: NodeJS.ProcessEnv,
): Credentials {
  const field = (key: string) => `deployments[${index}].${key}`;
  for (const key of ['passwordSecretArn', 'sentinelPasswordSecretArn'] as const) {
    if (deployment[key]) {
      throw new ConfigError(
        field(key),
        `the password is kept in Secrets Manager: add --aws-secrets to read it with your AWS credentials ` +
          `(secretsmanager:GetSecretValue), or put it in an environment variable and add ${ENV_FLAG[key]} VAR`,
      );
    }
  }
  const fromEnv = (name: string | null, key: string): string | undefined => {
    if (name === null) return undefined;
    const value = env[name];
    if (value === undefined || value === '')
      throw new ConfigError(field(key), `environment variable ${name} is not set`);
    return value;
  };
  const password = fromEnv(deployment.passwordEnv, 'passwordEnv');
  const sentinelPassword = fromEnv(deployment.sentinelPasswordEnv, 'sentinelPasswordEnv');
  return {
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(deployment.username ? { username: deployment.username } : {}),
    ...(deployment.sentinelUsername ? { sentinelUsername: deployment.sentinelUsername } : {}),
  };
}

/** Passwords from the environment, and from Secrets Manager when `secrets` is given (--aws-secrets). */
export async function credentialsFor(
  deployment: DeploymentConfig,
  index: number,
  env: NodeJS.ProcessEnv,
  secrets: SecretSource | null,
): Promise<Credentials> {
  if (secrets === null) return credentialsFromEnv(deployment, index, env);
  const fromEnv = credentialsFromEnv(
    { ...deployment, passwordSecretArn: null, sentinelPasswordSecretArn: null },
    index,
    env,
  );
  const read = (arn: string | null) => (arn === null ? Promise.resolve(undefined) : secrets.getSecret(arn));
  const [password, sentinelPassword] = await Promise.all([
    read(deployment.passwordSecretArn),
    read(deployment.sentinelPasswordSecretArn),
  ]);
  return {
    ...fromEnv,
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
  };
}

/** Credentials of every deployment, in order; secrets are read in parallel. */
export function credentialsOfAll(
  deployments: readonly DeploymentConfig[],
  env: NodeJS.ProcessEnv,
  secrets: SecretSource | null,
): Promise<Credentials[]> {
  return Promise.all(deployments.map((d, i) => credentialsFor(d, i, env, secrets)));
}
