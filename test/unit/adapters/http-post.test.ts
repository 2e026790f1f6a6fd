// postJson, the poster every notifier shares, on a fake clock: what it retries, what it does not, and
// what each attempt sends (test/unit/adapters/slack-webhook.test.ts has its time budget).

import { DeliveryError, postJson } from '../../../lambdas/adapters/http-post';

let now: number;
let sent: { at: number; headers: Record<string, string> }[];

/** A receiver that answers each post with the next reply (a status, or a body that breaks off). */
function receiver(replies: (number | 'broken-body')[]): typeof fetch {
  return (async (_url: string, init: RequestInit) => {
    sent.push({ at: now, headers: init.headers as Record<string, string> });
    now += 100;
    const r = replies.shift() ?? 200;
    if (r === 'broken-body') {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"status":'));
          controller.error(new Error('socket hang up'));
        },
      });
      return new Response(body, { status: 202 });
    }
    return new Response(r === 200 ? 'ok' : 'nope', { status: r });
  }) as typeof fetch;
}

const post = (replies: (number | 'broken-body')[]) =>
  postJson(
    {
      target: 'PagerDuty Events API',
      url: 'http://receiver.invalid/v2/enqueue',
      body: '{}',
      headers: (at) => ({ 'x-attempt-at': String(at) }),
    },
    {
      fetch: receiver(replies),
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    },
  );

beforeEach(() => {
  now = 1_000;
  sent = [];
});

describe('Function: postJson', () => {
  it('retries 408 (the receiver timed out reading) like 429 and 5xx, with fresh headers per attempt', async () => {
    // Act
    const result = await post([408, 503, 200]);

    // Assess
    expect(result.attempts).toBe(3);
    expect(sent.map((s) => s.headers['x-attempt-at'])).toEqual(['1000', '1600', '2700']);
    expect(sent.every((s) => s.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('does not retry another 4xx: the payload or the credentials are wrong', async () => {
    // Act
    const error = await post([400]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ outcome: 'rejected', status: 400, attempts: 1 });
    expect((error as Error).message).toBe('PagerDuty Events API: HTTP 400 nope (after 1 attempt)');
    expect(sent).toHaveLength(1);
  });

  it('counts a 2xx whose body breaks off as delivered: sending it again would be a duplicate', async () => {
    // Act
    const result = await post(['broken-body']);

    // Assess
    expect(result).toMatchObject({ attempts: 1, status: 202 });
    expect(sent).toHaveLength(1);
  });
});
