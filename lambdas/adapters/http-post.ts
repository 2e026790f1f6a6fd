// Posts JSON to a notification endpoint (Slack, PagerDuty, a webhook) with Node's fetch, and stops in
// time. 429 (rate limited; Retry-After honoured, but bounded) and 5xx are retried with backoff, like a
// request that failed or timed out; any other 4xx is the payload's or the credentials' fault and is not.
// Every attempt has its own timeout, and the whole delivery a deadline (the Lambda's remaining time):
// an endpoint that accepts the connection and never answers costs at most the deadline, never the
// function's timeout. 408 (the receiver timed out reading) is retried too. The URL may be a secret (Slack's and webhooks' are): no error or log names it.

import { SentinelWatchError } from '../core/errors';

/** A delivery failed: `rejected` (a 4xx that retrying cannot fix), `exhausted` (tries used up), `deadline`. */
export class DeliveryError extends SentinelWatchError {
  constructor(
    readonly target: string,
    readonly outcome: 'rejected' | 'exhausted' | 'deadline',
    readonly status: number | null,
    readonly attempts: number,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${problem} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`, options);
  }
}

export interface PostOptions {
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Tries in all (default 4). */
  readonly attempts?: number;
  /** Backoff without Retry-After; doubles per try (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Longest wait between tries, whatever Retry-After asks (default 10 s). */
  readonly maxDelayMs?: number;
  /** Per attempt (default 5 s). */
  readonly timeoutMs?: number;
  /** Epoch ms after which nothing is started or awaited (default: none). */
  readonly deadlineAt?: number;
  readonly onRetry?: (info: { attempt: number; status: number | null; delayMs: number }) => void;
}

export interface PostRequest {
  /** What the errors call it (`Slack webhook`, `PagerDuty`, `webhook incident-io`). */
  readonly target: string;
  readonly url: string;
  readonly body: string;
  /** Headers of one attempt: called again for each, so a signature can carry the attempt's time. */
  readonly headers?: (now: number) => Record<string, string>;
}

export interface PostResult {
  readonly attempts: number;
  readonly status: number;
  /** The first 500 characters of the answer. */
  readonly text: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** An attempt is not started with less time than this before the deadline. */
const MIN_ATTEMPT_MS = 100;

export async function postJson(request: PostRequest, options: PostOptions = {}): Promise<PostResult> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const deadlineAt = options.deadlineAt ?? Number.POSITIVE_INFINITY;
  let status: number | null = null;
  let problem = 'not attempted';
  let cause: unknown;
  for (let attempt = 1; ; attempt++) {
    const left = deadlineAt - now();
    if (left < MIN_ATTEMPT_MS) {
      throw new DeliveryError(
        request.target,
        'deadline',
        status,
        attempt - 1,
        `deadline reached; last: ${problem}`,
        {
          cause,
        },
      );
    }
    let retryAfterMs: number | null = null;
    const budget = Math.min(timeoutMs, left);
    try {
      const response = await doFetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request.headers?.(now()) },
        body: request.body,
        // Covers the headers and the body: a server that stalls mid-answer is cut off too.
        signal: AbortSignal.timeout(budget),
      });
      status = response.status;
      const text = (await response.text()).slice(0, 500);
      if (response.ok) return { attempts: attempt, status, text };
      // The endpoints' error bodies are short codes or JSON errors: safe to quote, one line, shortened.
      problem = `HTTP ${status}${text ? ` ${oneLine(text).slice(0, 200)}` : ''}`;
      cause = undefined;
      if (status !== 408 && status !== 429 && status < 500) {
        throw new DeliveryError(request.target, 'rejected', status, attempt, problem);
      }
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      // The name and code only: a message could in principle quote the URL.
      const e = error as { name?: string; cause?: { code?: string } };
      problem =
        e?.name === 'TimeoutError' || e?.name === 'AbortError'
          ? `no answer within ${budget} ms`
          : `request failed (${e?.name ?? 'Error'}${e?.cause?.code ? ` ${e.cause.code}` : ''})`;
      status = null;
      cause = error;
    }
    if (attempt >= attempts)
      throw new DeliveryError(request.target, 'exhausted', status, attempt, problem, { cause });
    const delayMs = Math.min(maxDelay, retryAfterMs ?? base * 2 ** (attempt - 1));
    if (now() + delayMs + MIN_ATTEMPT_MS > deadlineAt) {
      throw new DeliveryError(
        request.target,
        'deadline',
        status,
        attempt,
        `no time left to retry; last: ${problem}`,
        {
          cause,
        },
      );
    }
    options.onRetry?.({ attempt, status, delayMs });
    await sleep(delayMs);
  }
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: flattening control characters is the point
const oneLine = (text: string): string => text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
