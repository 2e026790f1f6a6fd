import type { Notification } from '../../../lambdas/core/incidents';
import type { Snapshot } from '../../../lambdas/core/types';
import {
  claim,
  compactSnapshot,
  enqueue,
  loadPollerState,
  MAX_PENDING,
  type OutboxEntry,
  overflowVictims,
  SENT_KEPT_MS,
  settle,
} from '../../../lambdas/poller/state';
import { notification } from '../helpers/notification';
import { healthySnapshot, NOW } from '../helpers/snapshot-factory';

describe('Function: enqueue', () => {
  it('queues new notifications as pending and refuses a key it already has', () => {
    // Prepare
    const first = enqueue([], [notification(1)], NOW).outbox;

    // Act
    const again = enqueue(first, [notification(1), notification(2)], NOW + 1);

    // Assess
    expect(again.outbox.map((e) => [e.notification.subject, e.status])).toEqual([
      ['node 10.0.1.61:6379', 'pending'],
      ['node 10.0.1.62:6379', 'pending'],
    ]);
    expect(again.duplicates).toHaveLength(1);
  });

  it('forgets sent entries after an hour and drops the oldest pending beyond the cap', () => {
    // Prepare
    const sent = settle(claim(enqueue([], [notification(0)], NOW).outbox, 'me', NOW + 1, NOW).outbox, 'me', [
      { key: enqueue([], [notification(0)], NOW).outbox[0].key, sent: true, attempts: 1, at: NOW },
    ]);
    const many = Array.from({ length: MAX_PENDING + 2 }, (_, i) => notification(i + 1));

    // Act
    const later = enqueue(sent, many, NOW + SENT_KEPT_MS);

    // Assess
    expect(later.outbox).toHaveLength(MAX_PENDING);
    expect(later.dropped.map((e) => e.notification.subject)).toEqual([
      'node 10.0.1.61:6379',
      'node 10.0.1.62:6379',
    ]);
    expect(later.outbox.every((e) => e.status === 'pending')).toBe(true);
  });
});

describe('Function: overflowVictims', () => {
  const entry = (i: number, patch: Partial<Notification>): OutboxEntry => ({
    ...enqueue([], [notification(i, patch)], NOW + i).outbox[0],
  });

  it('drops infos before warnings before criticals, reminders first, then the oldest', () => {
    // Prepare: the oldest entries are the criticals
    const pending = [
      entry(1, { severity: 'critical' }),
      entry(2, { severity: 'critical', type: 'reminder' }),
      entry(3, { severity: 'warning' }),
      entry(4, { severity: 'info' }),
      entry(5, { severity: 'warning', type: 'reminder' }),
      entry(6, { severity: 'info' }),
    ];

    // Act
    const victims = overflowVictims(pending, 5);

    // Assess
    expect(victims.map((e) => e.notification.subject)).toEqual([
      'node 10.0.1.64:6379',
      'node 10.0.1.66:6379',
      'node 10.0.1.65:6379',
      'node 10.0.1.63:6379',
      'node 10.0.1.62:6379',
    ]);
  });

  it('keeps every critical when enqueue overflows with less severe alerts queued', () => {
    // Prepare: a critical first, then a full outbox of infos
    const critical = enqueue([], [notification(0, { severity: 'critical' })], NOW).outbox;
    const infos = Array.from({ length: MAX_PENDING }, (_, i) => notification(i + 1, { severity: 'info' }));

    // Act
    const result = enqueue(critical, infos, NOW + 1);

    // Assess
    expect(result.outbox).toHaveLength(MAX_PENDING);
    expect(result.outbox[0].notification.severity).toBe('critical');
    expect(result.dropped.map((e) => e.notification.subject)).toEqual(['node 10.0.1.61:6379']);
  });
});

describe('Function: settle (size)', () => {
  /** A switch alert with a long failover timeline: the largest kind the poller queues (~12 KB). */
  const big = (i: number): Notification =>
    notification(i, {
      code: 'MASTER_CHANGED',
      severity: 'critical',
      type: 'event',
      details: {
        timeline: {
          entries: Array.from({ length: 60 }, (_, k) => ({
            at: new Date(NOW + k).toISOString(),
            offsetMs: k * 500,
            sentinel: `10.20.30.${50 + (k % 3)}:26379`,
            type: '+sdown',
            detail: 'slave 10.20.30.40:6379 10.20.30.40 6379 @ orders-cache-primary 10.20.30.41 6379',
          })),
        },
      },
    });
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

  it('keeps only what refuses a duplicate of a sent alert, not its text and details', () => {
    // Prepare
    const { outbox } = claim(enqueue([], [big(1)], NOW).outbox, 'me', NOW + 60_000, NOW);

    // Act
    const settled = settle(outbox, 'me', [{ key: outbox[0].key, sent: true, attempts: 1, at: NOW }]);

    // Assess
    expect(settled[0].key).toBe(outbox[0].key);
    expect(bytes(settled[0])).toBeLessThan(1_000);
    expect(enqueue(settled, [big(1)], NOW + 1).duplicates).toHaveLength(1);
  });
});

describe('Function: claim', () => {
  it("takes free entries and expired claims, never another invocation's live claim", () => {
    // Prepare
    const queued = enqueue([], [notification(1), notification(2), notification(3)], NOW).outbox;
    const held = [
      queued[0],
      { ...queued[1], claimedBy: 'other', claimedUntil: NOW + 1_000 },
      { ...queued[2], claimedBy: 'crashed', claimedUntil: NOW - 1 },
    ];

    // Act
    const { outbox, claimed } = claim(held, 'me', NOW + 60_000, NOW);

    // Assess
    expect(claimed.map((e) => e.key)).toEqual([queued[0].key, queued[2].key]);
    expect(outbox.map((e) => e.claimedBy)).toEqual(['me', 'other', 'me']);
  });
});

describe('Function: settle', () => {
  it('marks our sent entries, releases our failed and untried ones, and leaves others alone', () => {
    // Prepare
    const queued = enqueue(
      [],
      [notification(1), notification(2), notification(3), notification(4)],
      NOW,
    ).outbox;
    const { outbox } = claim(queued.slice(0, 3), 'me', NOW + 60_000, NOW);
    const withOther = [...outbox, { ...queued[3], claimedBy: 'other', claimedUntil: NOW + 60_000 }];

    // Act
    const settled = settle(withOther, 'me', [
      { key: queued[0].key, sent: true, attempts: 2, at: NOW + 5 },
      { key: queued[1].key, sent: false, attempts: 4, error: 'ThrottledException' },
    ]);

    // Assess
    expect(settled.map((e) => [e.status, e.claimedBy, e.attempts, e.lastError])).toEqual([
      ['sent', null, 2, null],
      ['pending', null, 4, 'ThrottledException'],
      ['pending', null, 0, null],
      ['pending', 'other', 0, null],
    ]);
    expect(settled[0].sentAt).toBe(NOW + 5);
  });
});

describe('Function: settle (rejected)', () => {
  it('marks an entry SNS rejected as failed, never claimed again, and forgets it after an hour', () => {
    // Prepare
    const queued = enqueue([], [notification(1), notification(2)], NOW).outbox;
    const { outbox } = claim(queued, 'me', NOW + 60_000, NOW);

    // Act
    const settled = settle(outbox, 'me', [
      {
        key: queued[0].key,
        sent: false,
        attempts: 1,
        error: 'InvalidParameterException',
        rejectedAt: NOW + 7,
      },
    ]);
    const again = claim(settled, 'next', NOW + 120_000, NOW + 60_000);
    const later = enqueue(settled, [], NOW + 7 + SENT_KEPT_MS);

    // Assess
    expect(settled[0]).toMatchObject({
      status: 'failed',
      failedAt: NOW + 7,
      claimedBy: null,
      attempts: 1,
      lastError: 'InvalidParameterException',
    });
    expect(again.claimed.map((e) => e.key)).toEqual([queued[1].key]);
    expect(enqueue(settled, [notification(1)], NOW + 8).duplicates).toHaveLength(1);
    expect(later.outbox.map((e) => e.key)).toEqual([queued[1].key]);
  });
});

describe('Function: loadPollerState', () => {
  it('starts empty from nothing or garbage, and keeps readable outbox entries of a damaged state', () => {
    // Prepare
    const entry = enqueue([], [notification(1)], NOW).outbox[0];

    // Act
    const empty = loadPollerState(undefined);
    const damaged = loadPollerState({ detection: 'x', incidents: 3, outbox: [entry, { junk: true }] });

    // Assess
    expect(empty.outbox).toEqual([]);
    expect(empty.lastSnapshot).toBeNull();
    expect(damaged.outbox).toEqual([entry]);
    expect(damaged.incidents).toEqual({ version: 1, incidents: {}, events: {} });
  });
});

describe('Function: compactSnapshot', () => {
  it('keeps what detection compares and drops the bulky lists', () => {
    // Prepare
    const full = healthySnapshot() as Snapshot;

    // Act
    const compact = compactSnapshot(full);

    // Assess
    expect(compact.master).toEqual(full.master);
    expect(compact.nodes.map((n) => n.server?.runId)).toEqual(full.nodes.map((n) => n.server?.runId));
    expect(compact.sentinels.map((s) => s.master?.configEpoch)).toEqual(
      full.sentinels.map((s) => s.master?.configEpoch),
    );
    expect(compact.sentinels.every((s) => s.replicas.length === 0 && s.sentinels.length === 0)).toBe(true);
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(full).length * 0.7);
  });
});
