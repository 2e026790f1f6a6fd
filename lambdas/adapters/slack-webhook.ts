// Posts a payload to a Slack incoming webhook with Node's fetch. Slack answers 429 with Retry-After
// when rate limited and 5xx when it has trouble: both are retried (Retry-After honoured, but bounded),
// anything else 4xx is a bad payload or a revoked webhook and is not. The URL is the secret: it is
// never put in an error message or a log line.

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
  /** Tries in all (default 4). */
  readonly attempts?: number;
  /** Backoff when Slack gives no Retry-After; doubles per try (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Longest wait between tries, whatever Retry-After asks (default 10 s). */
  readonly maxDelayMs?: number;
  /** Per request (default 5 s). */
  readonly timeoutMs?: number;
  readonly onRetry?: (info: { attempt: number; status: number | null; delayMs: number }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the number of attempts it took; rejects with SlackWebhookError. */
export async function postToSlack(
  url: string,
  payload: unknown,
  options: SlackPostOptions = {},
): Promise<number> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const body = JSON.stringify(payload);
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
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
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
    const delayMs = Math.min(maxDelay, retryAfterMs ?? base * 2 ** (attempt - 1));
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
