// Deadlines for every AWS SDK call the handlers and the CLI make. The SDK has none by default: a
// request to an endpoint that accepts the connection and never answers waits until the Lambda is
// killed. And `requestTimeout` alone does not help: @smithy/node-http-handler 4.x only logs a warning
// when it passes, unless `throwOnRequestTimeout` is set too.
//
// Two layers, so that each call has one number a reader can rely on:
//   - per attempt (client config): `requestTimeout` bounds the wait for the response's first byte,
//     `socketTimeout` any silence while the body streams (a large page that keeps flowing is not cut),
//     `connectionTimeout` the TCP connect. The SDK retries a timed-out attempt (TimeoutError is
//     transient) up to `maxAttempts`, with its own short backoff.
//   - per call (`callSignal`): an abort signal that ends the call, retries and backoff included, at
//     `callTimeoutMs` whatever the endpoint does (a trickling body, a long Retry-After).
// The adapters pass a `callSignal` on every `send`; tests/integration/aws-deadlines.test.ts proves each
// client of each bundled handler against a local server that never answers.

export interface AwsCallLimits {
  /** Per attempt: time to the first byte of the answer, and the longest silence after it. */
  readonly attemptTimeoutMs: number;
  /** Attempts per call, the first included (the SDK's own retries). */
  readonly maxAttempts: number;
  /** The whole call, retries included: it fails with TimeoutError by then. */
  readonly callTimeoutMs: number;
}

/** TCP connect, per attempt: VPC endpoints and AWS answer a SYN in milliseconds. */
const CONNECT_TIMEOUT_MS = 1_000;

/**
 * The limits each client uses. AWS answers these calls in tens of milliseconds; the attempt timeouts
 * leave two orders of magnitude for a bad day, and the call timeouts fit the poller's 5 s reserve
 * (state save, outcome record) and the Slack notifier's 30 s.
 */
export const AWS_LIMITS = {
  /** The poller's Publish: one attempt per call, because its outbox retries (with backoff, across polls). */
  outboxPublish: { attemptTimeoutMs: 3_000, maxAttempts: 1, callTimeoutMs: 3_500 },
  /** A Publish with nobody to retry it (the drill's report): the SDK retries. */
  publish: { attemptTimeoutMs: 3_000, maxAttempts: 3, callTimeoutMs: 8_000 },
  dynamodb: { attemptTimeoutMs: 2_000, maxAttempts: 3, callTimeoutMs: 5_000 },
  secretsManager: { attemptTimeoutMs: 3_000, maxAttempts: 2, callTimeoutMs: 5_000 },
  /** `sentinel-watch history` from an operator's machine: farther from the region, more patience. */
  cliDynamodb: { attemptTimeoutMs: 5_000, maxAttempts: 3, callTimeoutMs: 15_000 },
} as const satisfies Record<string, AwsCallLimits>;

/** Client constructor options for these limits (spread into `new XxxClient({...})`). */
export function clientConfig(limits: AwsCallLimits) {
  return {
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, limits.attemptTimeoutMs),
      requestTimeout: limits.attemptTimeoutMs,
      // Without it a passed requestTimeout is only a logged warning and the request keeps waiting.
      throwOnRequestTimeout: true,
      socketTimeout: limits.attemptTimeoutMs,
    },
  };
}

/**
 * The abort signal of one call (`send(command, { abortSignal })`), or none without a deadline (unit
 * tests with mocked clients). Node's timeout signals do not keep the process alive.
 */
export const callSignal = (callTimeoutMs: number | undefined): AbortSignal | undefined =>
  callTimeoutMs === undefined ? undefined : AbortSignal.timeout(callTimeoutMs);

/**
 * The name to report for a failed call: `TimeoutError` when our own call deadline ended it (the SDK
 * reports an abort as `AbortError`), else the SDK's error name.
 */
export function failureName(error: unknown, signal: AbortSignal | undefined): string {
  if (signal?.aborted) return 'TimeoutError';
  return (error as Error | undefined)?.name ?? typeof error;
}
