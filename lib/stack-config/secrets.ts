// Secrets Manager and KMS references in the stack config. IAM grants exactly the secrets named here,
// so only full ARNs are accepted.

import { describe } from '../../lambdas/core/address';
import { ConfigError } from '../../lambdas/core/errors';
import { list, requiredPattern } from './fields';

/** A full secret ARN ends with the 6 characters Secrets Manager appends to the name. */
const FULL_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function fullSecretArn(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ConfigError(field, `must be a string, got ${describe(value)}`);
  const text = value.trim();
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(text)) {
    throw new ConfigError(field, `"${text}" is not a Secrets Manager secret ARN`);
  }
  if (!FULL_SECRET_ARN.test(text)) {
    throw new ConfigError(
      field,
      `"${text}" is a partial ARN: give the full ARN, ending in the "-" and 6 characters Secrets ` +
        'Manager appends to the name (as the console shows it), so that IAM can grant exactly this secret',
    );
  }
  return text;
}

/** `secretsKmsKeyArns`: customer-managed keys the secrets are encrypted with. */
export function parseSecretsKmsKeyArns(value: unknown): string[] {
  if (value === undefined) return [];
  return list(
    value,
    'secretsKmsKeyArns',
    (v, f) => requiredPattern(v, f, KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)'),
    false,
    true,
  );
}
