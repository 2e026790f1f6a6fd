// Narrow interfaces for the outside world that handlers and orchestration depend on. Adapters in
// lambdas/adapters implement them; unit tests hand in small fakes or aws-sdk-client-mock'd adapters.

import type { Notice } from './notify/notice';

/** One message for the alert topic. SNS message attributes let subscriptions filter (e.g. email only critical). */
export interface AlertMessage {
  /** Shown by email clients; SNS allows at most 100 characters. */
  readonly subject: string;
  readonly body: string;
  /** `severity`, `code`, `deployment`, `type` at least. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Idempotency key (e.g. `incidentId:type:at`) so a retried publish can be recognised downstream. */
  readonly dedupeKey: string;
  /**
   * The structured form notifiers render from (notify/notice.ts). When present, the publisher sends it
   * to machine subscribers (Lambda, SQS, HTTP/S) and the text body to email.
   */
  readonly notice?: Notice;
}

export interface AlertPublisher {
  /**
   * Rejects with an error that may say more: `retryable: false` when trying the same call again
   * cannot help, `rejected: true` when the message itself was refused (others may still pass).
   */
  publish(message: AlertMessage): Promise<void>;
}

/** Reads a secret's string value (Secrets Manager in AWS). Implementations cache for a short TTL. */
export interface SecretSource {
  /**
   * The secret's value. `fresh`: read it again rather than from a cache (a server just refused the
   * cached password: it may have been rotated); a source may still answer from a read a moment old.
   */
  getSecret(arn: string, options?: { readonly fresh?: boolean }): Promise<string>;
}

/** Wall clock, epoch milliseconds; injected so tests control time. */
export type Clock = () => number;
