// Narrow interfaces for the outside world that handlers and orchestration depend on. Adapters in
// lambdas/adapters implement them; unit tests hand in small fakes or aws-sdk-client-mock'd adapters.

/** One message for the alert topic. SNS message attributes let subscriptions filter (e.g. email only critical). */
export interface AlertMessage {
  /** Shown by email clients; SNS allows at most 100 characters. */
  readonly subject: string;
  readonly body: string;
  /** `severity`, `code`, `deployment`, `type` at least. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Idempotency key (e.g. `incidentId:type:at`) so a retried publish can be recognised downstream. */
  readonly dedupeKey: string;
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
  getSecret(arn: string): Promise<string>;
}

/** Wall clock, epoch milliseconds; injected so tests control time. */
export type Clock = () => number;
