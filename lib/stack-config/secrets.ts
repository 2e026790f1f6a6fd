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

/**
 * Up to this many characters of secret ARNs are named one by one in the functions' IAM policy. A role's
 * inline policies hold 10,240 characters in all: 1,000 deployments' ARNs (~100 characters each) do not
 * fit, so beyond this the ARNs are granted by their common path prefix instead.
 */
export const SECRET_ARNS_BUDGET = 3000;

const ARN_PARTS = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)(.+)$/;

/**
 * The Secrets Manager resources to grant GetSecretValue on: the ARNs themselves while they fit the
 * budget, else one `<prefix>/*` per first path segment of the secret names (`sentinel-watch/orders/
 * redis-AbC123` -> `...:secret:sentinel-watch/*`). Throws ConfigError when even that does not fit.
 */
export function secretGrantResources(arns: readonly string[]): string[] {
  const length = (list: readonly string[]) => list.reduce((n, a) => n + a.length + 3, 0);
  if (length(arns) <= SECRET_ARNS_BUDGET) return [...arns];
  const grouped = new Set<string>();
  for (const arn of arns) {
    const m = ARN_PARTS.exec(arn);
    const slash = m ? m[2].indexOf('/') : -1;
    grouped.add(m && slash > 0 ? `${m[1]}${m[2].slice(0, slash + 1)}*` : arn);
  }
  const resources = [...grouped].sort();
  if (length(resources) > SECRET_ARNS_BUDGET) {
    throw new ConfigError(
      'deployments',
      `name ${arns.length} password secrets, more than one IAM policy can list (${length(resources)} ` +
        `characters of ARNs even grouped by path, at most ${SECRET_ARNS_BUDGET}): keep the secrets under a ` +
        'few common path prefixes (e.g. "sentinel-watch/<deployment>/redis"), so that one statement ' +
        'grants "sentinel-watch/*"',
    );
  }
  return resources;
}
