// A generic webhook: the notice as JSON, signed (core/notify/webhook.ts: Standard Webhooks headers with
// an HMAC-SHA256 signature and the attempt's timestamp), with the same `webhook-id` and
// `Idempotency-Key` on every retry so the receiver can drop a duplicate. The secret holds the URL, the
// signing secret and any headers the receiver wants (an `Authorization` token): none of them is ever
// logged or put in an error.

import { type PostOptions, postJson } from '../adapters/http-post';
import { SecretError } from '../adapters/secrets';
import { checkHttpUrl } from '../core/notify/presentation';
import { webhookBody, webhookHeaders, webhookId } from '../core/notify/webhook';
import type { SecretSource } from '../core/ports';
import type { Channel } from '../notify/run';

export interface WebhookSecret {
  readonly url: string;
  readonly signingSecret: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookChannelProps {
  readonly name: string;
  readonly secrets: SecretSource;
  readonly secretArn: string;
  readonly post?: PostOptions;
  readonly now?: () => number;
}

/** Headers we set ourselves: a secret may not replace them. */
const RESERVED = /^(content-type|content-length|host|webhook-(id|timestamp|signature)|idempotency-key)$/i;

/**
 * `{"url": "https://...", "signingSecret": "whsec_...", "headers": {"Authorization": "Bearer ..."}}`.
 * Errors name the secret's ARN and the key, never a value.
 */
export function parseWebhookSecret(arn: string, text: string): WebhookSecret {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretError(arn, 'is not JSON: store {"url": "...", "signingSecret": "..."}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SecretError(arn, 'is not a JSON object: store {"url": "...", "signingSecret": "..."}');
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['url', 'signingSecret', 'headers'].includes(key))
      throw new SecretError(arn, `has an unknown key "${key}"`);
  }
  if (typeof v.url !== 'string' || v.url.trim() === '') throw new SecretError(arn, 'has no string "url"');
  try {
    checkHttpUrl(v.url.trim(), 'url');
  } catch {
    throw new SecretError(arn, '"url" is not an absolute http(s) URL');
  }
  if (typeof v.signingSecret !== 'string' || v.signingSecret.length < 16) {
    throw new SecretError(arn, 'has no "signingSecret" of at least 16 characters');
  }
  const headers: Record<string, string> = {};
  if (v.headers !== undefined) {
    if (typeof v.headers !== 'object' || v.headers === null || Array.isArray(v.headers)) {
      throw new SecretError(arn, '"headers" is not an object of strings');
    }
    for (const [name, h] of Object.entries(v.headers as Record<string, unknown>)) {
      if (typeof h !== 'string' || !/^[A-Za-z0-9-]+$/.test(name)) {
        throw new SecretError(arn, `"headers" has an invalid entry "${name}"`);
      }
      if (RESERVED.test(name)) throw new SecretError(arn, `"headers" may not set "${name}"`);
      headers[name] = h;
    }
  }
  return { url: v.url.trim(), signingSecret: v.signingSecret, headers };
}

export function webhookChannel(props: WebhookChannelProps): Channel {
  return {
    name: `webhook ${props.name}`,
    async deliver(notice, { deadlineAt, log }) {
      const secret = parseWebhookSecret(props.secretArn, await props.secrets.getSecret(props.secretArn));
      const body = webhookBody(notice);
      const id = webhookId(notice);
      const result = await postJson(
        {
          target: `webhook ${props.name}`,
          url: secret.url,
          body,
          headers: (now) => webhookHeaders(secret.signingSecret, id, body, now, secret.headers),
        },
        {
          ...props.post,
          ...(props.now ? { now: props.now } : {}),
          deadlineAt,
          onRetry: (info) => log.warn('webhook busy or failing; retrying', { webhook: props.name, ...info }),
        },
      );
      return { attempts: result.attempts, note: id };
    },
  };
}
