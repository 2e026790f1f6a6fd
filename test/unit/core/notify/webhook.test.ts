import { renderAlert } from '../../../../lambdas/core/alert-text';
import type { Notice } from '../../../../lambdas/core/notify/notice';
import {
  webhookBody,
  webhookHeaders,
  webhookId,
  webhookSignature,
} from '../../../../lambdas/core/notify/webhook';
import { laggingOpened, laggingResolved, PRESENTATION } from '../../../helpers/notify';

const noticeOf = (n: typeof laggingOpened): Notice => renderAlert(n, PRESENTATION).notice as Notice;

describe('Function: webhookSignature', () => {
  it("matches the Standard Webhooks reference libraries' test vector", () => {
    // The secret, id, timestamp, payload and signature the standard-webhooks libraries test with.
    expect(
      webhookSignature(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('uses a secret without the whsec_ prefix as its UTF-8 bytes', () => {
    expect(webhookSignature('plain-secret-of-some-length', 'msg_1', 1, '{}')).not.toBe(
      webhookSignature('plain-secret-of-some-length!', 'msg_1', 1, '{}'),
    );
  });
});

describe('Function: webhookHeaders', () => {
  it('signs each attempt with its own timestamp and keeps the id (the idempotency key) the same', () => {
    // Prepare
    const notice = noticeOf(laggingOpened);
    const body = webhookBody(notice);
    const id = webhookId(notice);

    // Act
    const first = webhookHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id, body, 1_777_600_000_000);
    const retry = webhookHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id, body, 1_777_600_002_500);

    // Assess
    expect(first['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(retry['webhook-id']).toBe(first['webhook-id']);
    expect(retry['idempotency-key']).toBe(first['webhook-id']);
    expect(first['webhook-timestamp']).toBe('1777600000');
    expect(retry['webhook-timestamp']).toBe('1777600002');
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
  });

  it('gives each notification of an incident its own id', () => {
    expect(webhookId(noticeOf(laggingOpened))).not.toBe(webhookId(noticeOf(laggingResolved)));
  });

  it('lets a receiver header through but never over the signature headers', () => {
    // Act
    const headers = webhookHeaders('s'.repeat(20), 'msg_1', '{}', 0, {
      authorization: 'Bearer t',
      'webhook-signature': 'forged',
    });

    // Assess
    expect(headers.authorization).toBe('Bearer t');
    expect(headers['webhook-signature']).toMatch(/^v1,/);
  });
});
