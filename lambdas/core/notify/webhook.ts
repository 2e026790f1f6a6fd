// The generic webhook: the notice as JSON, signed the Standard Webhooks way (standardwebhooks.com, v1),
// which signature libraries for most languages already verify:
//
//   webhook-id:        msg_<hex>: the same for every retry of one notification (idempotency key)
//   webhook-timestamp: Unix seconds of this attempt (the receiver rejects old ones: no replay)
//   webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">
//
// plus `Idempotency-Key` (the same id, for receivers that look for that header). The key is the secret's
// `signingSecret`: `whsec_<base64>` is decoded as Standard Webhooks secrets are, any other string is
// used as its UTF-8 bytes. Pure (node:crypto is computation, not I/O).

import { createHash, createHmac } from 'node:crypto';
import type { Notice } from './notice';

export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  idempotencyKey: 'idempotency-key',
} as const;

/** The body a receiver gets: exactly the notice (docs/webhook.md has its JSON schema). */
export const webhookBody = (notice: Notice): string => JSON.stringify(notice);

/** Stable per notification, safe in a header whatever the deployment or subject names hold. */
export const webhookId = (notice: Notice): string =>
  `msg_${createHash('sha256').update(notice.id).digest('hex').slice(0, 32)}`;

export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** `v1,<base64>` over `<id>.<timestamp>.<body>`. */
export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', signingKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** The headers of one attempt (signed anew each time: the timestamp is the attempt's). */
export function webhookHeaders(
  secret: string,
  id: string,
  body: string,
  nowMs: number,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    ...extra,
    'content-type': 'application/json',
    'user-agent': 'sentinel-watch',
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: webhookSignature(secret, id, timestamp, body),
    [WEBHOOK_HEADERS.idempotencyKey]: id,
  };
}
