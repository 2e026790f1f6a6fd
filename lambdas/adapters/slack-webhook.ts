// Posts a payload to a Slack incoming webhook with Node's fetch. Slack answers 429 with Retry-After
// when rate limited and 5xx when it has trouble: both are retried (Retry-After honoured), anything
// else 4xx is a bad payload or a revoked webhook and is not. The URL is the secret: it is never put
// in an error message or a log line.
//
// Time: with `deadlineAt` (the notifier passes its invocation's end, less what it keeps for the
// delivery record), no try starts that could not get its full `timeoutMs` before it, and no wait is
// taken that would push the next try past it; the post gives up instead, early, and the caller's
// retry (Lambda's, a minute later) takes over. A try is never cut shorter than `timeoutMs`: a slow
// Slack that answers 200 late has posted the message, and a client that gave up on it would post it
// a second time. The trade-off is in docs/aws.md.

import { SentinelWatchError } from '../core/errors';

export class SlackWebhookError extends SentinelWatchError {
  constructor(
    readonly status: number | null,
    readonly attempts: number,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Slack webhook: ${problem} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`, options);
  }
}

export interface SlackPostOptions {
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Tries in all (default 4). */
  readonly attempts?: number;
  /** Backoff when Slack gives no Retry-After; doubles per try (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Longest wait between tries: a longer Retry-After ends the post at once (default 10 s). */
  readonly maxDelayMs?: number;
  /** Per try (default 10 s): longer than Slack ever answers when it works (see the header). */
  readonly timeoutMs?: number;
  /** Epoch ms by which the post has ended, one way or the other (default: none). */
  readonly deadlineAt?: number;
  readonly onRetry?: (info: { attempt: number; status: number | null; delayMs: number }) => void;
}

export const SLACK_POST_DEFAULTS = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  timeoutMs: 10_000,
} as const;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the number of attempts it took; rejects with SlackWebhookError. */
export async function postToSlack(
  url: string,
  payload: unknown,
  options: SlackPostOptions = {},
): Promise<number> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const { attempts, baseDelayMs, maxDelayMs, timeoutMs } = { ...SLACK_POST_DEFAULTS, ...options };
  const deadlineAt = options.deadlineAt ?? Number.POSITIVE_INFINITY;
  const body = JSON.stringify(payload);
  const secondsLeft = () => `${Math.max(0, Math.floor((deadlineAt - now()) / 1000))} s`;
  if (now() + timeoutMs > deadlineAt) {
    throw new SlackWebhookError(
      null,
      0,
      `not tried: a try needs ${timeoutMs / 1000} s, ${secondsLeft()} left`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    let status: number | null = null;
    let retryAfterMs: number | null = null;
    let problem: string;
    let cause: unknown;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      const text = (await response.text().catch(() => '')).slice(0, 200);
      if (response.ok) return attempt;
      // Slack's error bodies are short codes (`invalid_payload`, `no_service`): safe to quote.
      problem = `HTTP ${status}${text ? ` ${oneLine(text)}` : ''}`;
      if (status !== 429 && status < 500) throw new SlackWebhookError(status, attempt, problem);
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    } catch (error) {
      if (error instanceof SlackWebhookError) throw error;
      // Network errors: the name and code only (a message could in principle quote the URL).
      const e = error as { name?: string; cause?: { code?: string } };
      problem = `request failed (${e?.name ?? 'Error'}${e?.cause?.code ? ` ${e.cause.code}` : ''})`;
      cause = error;
    }
    if (attempt >= attempts) throw new SlackWebhookError(status, attempt, problem, { cause });
    const delayMs = retryAfterMs ?? Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Trying again before Slack's Retry-After only earns another 429.
    if (delayMs > maxDelayMs) {
      const asked = `Slack asked to wait ${Math.round(delayMs / 1000)} s`;
      throw new SlackWebhookError(status, attempt, `${problem}; ${asked}, more than ${maxDelayMs / 1000} s`, {
        cause,
      });
    }
    if (now() + delayMs + timeoutMs > deadlineAt) {
      const wait = `the next try (after ${Math.round(delayMs / 1000)} s) would end after the deadline`;
      throw new SlackWebhookError(status, attempt, `${problem}; ${wait}, ${secondsLeft()} left`, { cause });
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
