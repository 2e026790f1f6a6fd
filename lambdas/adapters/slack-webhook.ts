// Posts a payload to a Slack incoming webhook: the generic poster (http-post.ts: retries, Retry-After,
// per-try timeout, deadline) with Slack's name on its errors. Slack answers 429 with Retry-After when
// rate limited and 5xx when it has trouble (both retried); 400 is a payload it refuses
// (`invalid_blocks`), 403/404 a revoked webhook (neither retried). The URL is the secret: it is never put
// in an error message or a log line.

import { DeliveryError, type DeliveryOutcome, POST_DEFAULTS, type PostOptions, postJson } from './http-post';

export { parseRetryAfter } from './http-post';

export const SLACK_TARGET = 'Slack webhook';

export class SlackWebhookError extends DeliveryError {
  constructor(
    outcome: DeliveryOutcome,
    status: number | null,
    attempts: number,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(SLACK_TARGET, outcome, status, attempts, problem, options);
  }
}

export type SlackPostOptions = PostOptions;

export const SLACK_POST_DEFAULTS = POST_DEFAULTS;

/** Resolves with the number of attempts it took; rejects with SlackWebhookError. */
export async function postToSlack(
  url: string,
  payload: unknown,
  options: SlackPostOptions = {},
): Promise<number> {
  const result = await postJson(
    {
      target: SLACK_TARGET,
      service: 'Slack',
      url,
      body: JSON.stringify(payload),
      error: (outcome, status, attempts, problem, o) =>
        new SlackWebhookError(outcome, status, attempts, problem, o),
    },
    options,
  );
  return result.attempts;
}
