// SecretSource on AWS Secrets Manager, with a short cache: a warm Lambda reads each secret once per
// TTL, not once per poll, and a rotated password is picked up within the TTL.
//
// A secret's value may be stored either way:
//   - plain text: the whole SecretString is the value (`s3cr3t`);
//   - JSON: an object with one of the expected keys (`{"password": "s3cr3t"}`, the shape the console's
//     "other type of secret" key/value editor writes). Which keys are looked for is a constructor
//     option (`jsonKeys`, default `password`).
// A SecretString that parses as a JSON *object* is always read as JSON, anything else as plain text.
//
// Errors name the ARN and what is wrong, never the value.

import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SentinelWatchError } from '../core/errors';
import type { Clock, SecretSource } from '../core/ports';
import { callSignal, failureName } from './aws-clients';

export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;
/**
 * The poller keeps passwords longer: it reads a secret again at once when a server refuses the cached
 * password (getSecret with `fresh`), so a rotation costs no false page, and at 1,000 deployments
 * each read every 5 minutes per warm process was $44-88 a month of API calls (docs/aws.md).
 */
export const POLLER_SECRET_TTL_MS = 30 * 60_000;
/** At most one `fresh` read per secret this often: a wrong password costs one read a minute. */
export const FRESH_READ_EVERY_MS = 60_000;

/** A secret could not be read or has no usable value. Carries the ARN, never the value. */
export class SecretError extends SentinelWatchError {
  constructor(
    readonly arn: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`secret ${arn}: ${problem}`, options);
  }
}

export interface CachedSecretSourceProps {
  readonly client: SecretsManagerClient;
  readonly clock?: Clock;
  /** How long a value is reused; default 5 minutes. */
  readonly ttlMs?: number;
  /**
   * Keys read from a JSON secret, first present wins; default `['password']`. `null`: the SecretString
   * as it is (a secret holding several values, parsed by the caller).
   */
  readonly jsonKeys?: readonly string[] | null;
  /** Each read ends by then, SDK retries included (aws-clients.ts); none: the client's own limits. */
  readonly callTimeoutMs?: number;
}

interface Cached {
  readonly value: string;
  readonly fetchedAt: number;
}

export class CachedSecretSource implements SecretSource {
  readonly #client: SecretsManagerClient;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #jsonKeys: readonly string[] | null;
  readonly #callTimeoutMs: number | undefined;
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<string>>();
  /** When each secret was last read for a `fresh` request. */
  readonly #freshAt = new Map<string, number>();

  constructor(props: CachedSecretSourceProps) {
    this.#client = props.client;
    this.#clock = props.clock ?? Date.now;
    this.#ttlMs = props.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    this.#jsonKeys = props.jsonKeys === undefined ? ['password'] : props.jsonKeys;
    this.#callTimeoutMs = props.callTimeoutMs;
  }

  async getSecret(arn: string, options: { readonly fresh?: boolean } = {}): Promise<string> {
    const cached = this.#cache.get(arn);
    const now = this.#clock();
    const fresh =
      options.fresh === true &&
      now - (this.#freshAt.get(arn) ?? Number.NEGATIVE_INFINITY) >= FRESH_READ_EVERY_MS;
    if (fresh) this.#freshAt.set(arn, now);
    else if (cached && now - cached.fetchedAt < this.#ttlMs) return cached.value;
    // Deployments polled in parallel often share one secret: one request serves them all.
    const pending = this.#inFlight.get(arn);
    if (pending) return pending;
    const request = this.#fetch(arn).finally(() => this.#inFlight.delete(arn));
    this.#inFlight.set(arn, request);
    return request;
  }

  /** Forgets every cached value (e.g. after the watcher's password was rejected). */
  clear(): void {
    this.#cache.clear();
  }

  async #fetch(arn: string): Promise<string> {
    let text: string | undefined;
    const signal = callSignal(this.#callTimeoutMs);
    try {
      const out = await this.#client.send(
        new GetSecretValueCommand({ SecretId: arn }),
        signal ? { abortSignal: signal } : undefined,
      );
      text = out.SecretString;
      if (text === undefined && out.SecretBinary !== undefined) {
        throw new SecretError(arn, 'is stored as binary; store the value as a string (SecretString)');
      }
    } catch (error) {
      if (error instanceof SecretError) throw error;
      const name = failureName(error, signal);
      throw new SecretError(arn, describeFailure(name), { cause: error });
    }
    const value = this.#jsonKeys === null ? wholeValue(arn, text) : secretValue(arn, text, this.#jsonKeys);
    this.#cache.set(arn, { value, fetchedAt: this.#clock() });
    return value;
  }
}

function describeFailure(name: string): string {
  switch (name) {
    case 'ResourceNotFoundException':
      return 'does not exist (ResourceNotFoundException)';
    case 'AccessDeniedException':
      return 'cannot be read: access denied (grant secretsmanager:GetSecretValue, and kms:Decrypt for a customer key)';
    case 'DecryptionFailure':
      return 'cannot be decrypted (DecryptionFailure: check the KMS key policy)';
    case 'InvalidRequestException':
      return 'cannot be read now (InvalidRequestException: is it scheduled for deletion?)';
    default:
      return `could not be read (${name})`;
  }
}

function wholeValue(arn: string, text: string | undefined): string {
  if (text === undefined || text.trim() === '') throw new SecretError(arn, 'is empty');
  return text;
}

/** The usable value of a SecretString: plain text, or the first of `jsonKeys` in a JSON object. */
export function secretValue(arn: string, text: string | undefined, jsonKeys: readonly string[]): string {
  if (text === undefined || text.trim() === '') throw new SecretError(arn, 'is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return text;
  for (const key of jsonKeys) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  const keys = jsonKeys.map((k) => `"${k}"`).join(' or ');
  throw new SecretError(arn, `is a JSON object without a non-empty string ${keys} key`);
}
