// Posts JSON to a notification endpoint (Slack, PagerDuty, a webhook) with Node's fetch, and stops in
// time. 429 (rate limited; Retry-After honoured) and 5xx are retried with backoff, like a request that
// failed or timed out, and 408 (the receiver timed out reading); any other 4xx is the payload's or the
// credentials' fault and is not. The URL may be a secret (Slack's and webhooks' are): no error or log
// names it.
//
// Time: with `deadlineAt` (the notifier passes its invocation's end, less what it keeps for the
// delivery record), no try starts that could not get its full `timeoutMs` before it, and no wait is
// taken that would push the next try past it; the post gives up instead, early, and the caller's retry
// (Lambda's, a minute later) takes over. A try is never cut shorter than `timeoutMs`: a slow endpoint
// that answers 200 late has taken the message, and a client that gave up on it would send it a second
// time (Slack answered a slow post after 6 s and got four copies with a 5 s timeout). A Retry-After
// longer than `maxDelayMs` ends the post at once: trying again sooner only earns another 429. The
// trade-off is in docs/aws.md ("From the topic to Slack").

import { SentinelWatchError } from '../core/errors';

export type DeliveryOutcome = 'rejected' | 'exhausted' | 'deadline';

/**
 * A delivery failed: `rejected` (a 4xx that retrying cannot fix), `exhausted` (tries used up),
 * `deadline` (no time left for a try or a wait it was asked for).
 */
export class DeliveryError extends SentinelWatchError {
  constructor(
    readonly target: string,
    readonly outcome: DeliveryOutcome,
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
  /** Longest wait between tries: a longer Retry-After ends the post at once (default 10 s). */
  readonly maxDelayMs?: number;
  /** Per try (default 10 s): longer than the endpoints ever answer when they work (see the header). */
  readonly timeoutMs?: number;
  /** Epoch ms by which the post has ended, one way or the other (default: none). */
  readonly deadlineAt?: number;
  readonly onRetry?: (info: { attempt: number; status: number | null; delayMs: number }) => void;
}

export const POST_DEFAULTS = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  timeoutMs: 10_000,
} as const;

/** How a channel names its failures: Slack's keep their own class (SlackWebhookError). */
export type DeliveryErrorFactory = (
  outcome: DeliveryOutcome,
  status: number | null,
  attempts: number,
  problem: string,
  options?: { cause?: unknown },
) => DeliveryError;

export interface PostRequest {
  /** What the errors call it (`Slack webhook`, `PagerDuty Events API`, `webhook incident-io`). */
  readonly target: string;
  /** Who asks to wait in a Retry-After (`Slack`, `PagerDuty`); default the target. */
  readonly service?: string;
  readonly url: string;
  readonly body: string;
  /** Headers of one attempt: called again for each, so a signature can carry the attempt's time. */
  readonly headers?: (now: number) => Record<string, string>;
  readonly error?: DeliveryErrorFactory;
}

export interface PostResult {
  readonly attempts: number;
  readonly status: number;
  /** The first 500 characters of the answer. */
  readonly text: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function postJson(request: PostRequest, options: PostOptions = {}): Promise<PostResult> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const { attempts, baseDelayMs, maxDelayMs, timeoutMs } = { ...POST_DEFAULTS, ...withoutUndefined(options) };
  const deadlineAt = options.deadlineAt ?? Number.POSITIVE_INFINITY;
  const fail: DeliveryErrorFactory =
    request.error ??
    ((outcome, status, tries, problem, o) =>
      new DeliveryError(request.target, outcome, status, tries, problem, o));
  const secondsLeft = () => `${Math.max(0, Math.floor((deadlineAt - now()) / 1000))} s`;
  if (now() + timeoutMs > deadlineAt) {
    throw fail('deadline', null, 0, `not tried: a try needs ${timeoutMs / 1000} s, ${secondsLeft()} left`);
  }
  for (let attempt = 1; ; attempt++) {
    let status: number | null = null;
    let retryAfterMs: number | null = null;
    let problem: string;
    let cause: unknown;
    try {
      const response = await doFetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request.headers?.(now()) },
        body: request.body,
        // Covers the headers and the body: a server that stalls mid-answer is cut off too.
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      // A body that breaks off after a 2xx is still a delivery: never post it again for that.
      const text = (await response.text().catch(() => '')).slice(0, 500);
      if (response.ok) return { attempts: attempt, status, text };
      // The endpoints' error bodies are short codes or JSON errors: safe to quote, one line, shortened.
      problem = `HTTP ${status}${text ? ` ${oneLine(text).slice(0, 200)}` : ''}`;
      if (status !== 408 && status !== 429 && status < 500) throw fail('rejected', status, attempt, problem);
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      // The name and code only: a message could in principle quote the URL.
      const e = error as { name?: string; cause?: { code?: string } };
      problem = `request failed (${e?.name ?? 'Error'}${e?.cause?.code ? ` ${e.cause.code}` : ''})`;
      cause = error;
    }
    if (attempt >= attempts) throw fail('exhausted', status, attempt, problem, { cause });
    const delayMs = retryAfterMs ?? Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    if (delayMs > maxDelayMs) {
      const asked = `${request.service ?? request.target} asked to wait ${Math.round(delayMs / 1000)} s`;
      throw fail('deadline', status, attempt, `${problem}; ${asked}, more than ${maxDelayMs / 1000} s`, {
        cause,
      });
    }
    if (now() + delayMs + timeoutMs > deadlineAt) {
      const wait = `the next try (after ${Math.round(delayMs / 1000)} s) would end after the deadline`;
      throw fail('deadline', status, attempt, `${problem}; ${wait}, ${secondsLeft()} left`, { cause });
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

const withoutUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

// biome-ignore lint/suspicious/noControlCharactersInRegex: flattening control characters is the point
const oneLine = (text: string): string => text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
