// postToSlack's time budget on a fake clock: which tries it starts, which waits it takes, and when it
// gives up early so that the invocation ends before the function's timeout.

import { postToSlack, SLACK_POST_DEFAULTS, SlackWebhookError } from '../../../lambdas/adapters/slack-webhook';

let now: number;
let calls: number[];

/** A webhook that answers each post with the next reply, after `tookMs` of fake time. */
function webhook(replies: { status: number; retryAfter?: string; tookMs?: number }[]): typeof fetch {
  return (async () => {
    calls.push(now);
    const r = replies.shift() ?? { status: 200 };
    now += r.tookMs ?? 100;
    if (r.status === 0) throw Object.assign(new Error('The operation was aborted'), { name: 'TimeoutError' });
    return new Response(r.status === 200 ? 'ok' : 'busy', {
      status: r.status,
      headers: r.retryAfter ? { 'retry-after': r.retryAfter } : {},
    });
  }) as typeof fetch;
}

const options = (replies: Parameters<typeof webhook>[0], deadlineAt?: number) => ({
  fetch: webhook(replies),
  now: () => now,
  sleep: async (ms: number) => {
    now += ms;
  },
  ...(deadlineAt === undefined ? {} : { deadlineAt }),
});

beforeEach(() => {
  now = 0;
  calls = [];
});

describe('Function: postToSlack', () => {
  it('waits a whole per-try timeout (10 s) for an answer: a slow 200 is one post', async () => {
    // Act
    const attempts = await postToSlack('http://x', {}, options([{ status: 200, tookMs: 6_000 }], 24_500));

    // Assess
    expect(attempts).toBe(1);
    expect(SLACK_POST_DEFAULTS.timeoutMs).toBeGreaterThan(6_000);
  });

  it('starts no try that could not get its full timeout before the deadline', async () => {
    // Prepare: two timed-out tries of 10 s each; a third would end at 31.5 s
    const replies = [
      { status: 0, tookMs: 10_000 },
      { status: 0, tookMs: 10_000 },
    ];

    // Act
    const error = await postToSlack('http://x', {}, options(replies, 24_500)).catch((e: unknown) => e);

    // Assess
    expect(calls).toEqual([0, 10_500]);
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect((error as Error).message).toBe(
      'Slack webhook: request failed (TimeoutError); the next try (after 1 s) would end after the deadline, 4 s left (after 2 attempts)',
    );
  });

  it('honours a Retry-After that fits, and gives up at once on one that does not', async () => {
    // Act
    const fits = await postToSlack('http://x', {}, options([{ status: 429, retryAfter: '3' }], 24_500));
    calls = [];
    now = 0;
    const tooLong = await postToSlack(
      'http://x',
      {},
      options([{ status: 429, retryAfter: '9' }], 15_000),
    ).catch((e: unknown) => e as Error);

    // Assess
    expect(fits).toBe(2);
    expect(calls).toEqual([0]);
    expect((tooLong as Error).message).toBe(
      'Slack webhook: HTTP 429 busy; the next try (after 9 s) would end after the deadline, 14 s left (after 1 attempt)',
    );
  });

  it('does not even try when less than one try is left', async () => {
    // Act
    const error = await postToSlack('http://x', {}, options([], 9_000)).catch((e: unknown) => e as Error);

    // Assess
    expect((error as Error).message).toBe(
      'Slack webhook: not tried: a try needs 10 s, 9 s left (after 0 attempts)',
    );
    expect(calls).toEqual([]);
  });
});
