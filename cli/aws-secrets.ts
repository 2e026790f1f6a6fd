// --aws-secrets: Secrets Manager with the user's AWS credentials (the SDK's default chain: env,
// profile, SSO, instance role). Loaded only when asked for, so other runs never load the SDK.
//
// Each secret is read in the region its ARN names (a bastion's default region may be another one).
// Every request has a deadline that really ends it (throwOnRequestTimeout: without it the SDK only
// logs a warning and keeps waiting), and is retried once at most: a CLI run should fail in seconds.

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CachedSecretSource } from '../lambdas/adapters/secrets';
import type { SecretSource } from '../lambdas/core/ports';

export const REQUEST_HANDLER = {
  requestTimeout: 5_000,
  connectionTimeout: 2_000,
  throwOnRequestTimeout: true,
};

export function awsSecretSource(
  clientFor: (region: string) => SecretsManagerClient = (region) =>
    new SecretsManagerClient({ region, maxAttempts: 2, requestHandler: REQUEST_HANDLER }),
): SecretSource {
  const sources = new Map<string, CachedSecretSource>();
  return {
    getSecret(arn: string): Promise<string> {
      // arn:aws:secretsmanager:<region>:<account>:secret:<name> (validated by the config schema)
      const region = arn.split(':')[3];
      let source = sources.get(region);
      if (!source) {
        source = new CachedSecretSource({ client: clientFor(region) });
        sources.set(region, source);
      }
      return source.getSecret(arn);
    },
  };
}
