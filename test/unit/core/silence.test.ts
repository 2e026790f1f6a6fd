import { ConfigError } from '../../../lambdas/core/errors';
import {
  coveringSilence,
  describeScope,
  newSilence,
  parseSilence,
  readSilences,
  type Silence,
  silenceStatus,
} from '../../../lambdas/core/silence';
import { MINUTE, NOW } from '../helpers/snapshot-factory';

const request = (overrides: Partial<Parameters<typeof newSilence>[0]> = {}) => ({
  id: 's-0123456789',
  deployment: 'orders-cache',
  startsAt: NOW,
  durationMs: 2 * 60 * MINUTE,
  reason: 'Kernel upgrade on the replicas',
  createdBy: 'alice@bastion',
  now: NOW,
  ...overrides,
});

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.field;
    throw error;
  }
  throw new Error('did not throw');
};

describe('Function: newSilence', () => {
  it('makes a silence with ISO times, the code upper-cased', () => {
    // Act
    const s = newSilence(request({ code: 'replica_lagging', subject: 'node 10.0.1.62:6379' }));

    // Assess
    expect(s).toEqual({
      id: 's-0123456789',
      deployment: 'orders-cache',
      code: 'REPLICA_LAGGING',
      subject: 'node 10.0.1.62:6379',
      startsAt: '2026-05-01T10:00:00.000Z',
      endsAt: '2026-05-01T12:00:00.000Z',
      reason: 'Kernel upgrade on the replicas',
      createdBy: 'alice@bastion',
      createdAt: '2026-05-01T10:00:00.000Z',
    });
  });

  it.each([
    ['a code that is not in the catalogue', { code: 'REPLICA_SLOW' }, 'code'],
    ['a subject without its kind', { subject: '10.0.1.62:6379' }, 'subject'],
    ['a deployment name with a #', { deployment: 'orders#1' }, 'deployment'],
    ['an empty reason', { reason: '   ' }, 'reason'],
    ['a reason on two lines', { reason: 'one\ntwo' }, 'reason'],
    ['less than a minute', { durationMs: 30_000 }, 'for'],
    ['more than a week', { durationMs: 8 * 24 * 60 * MINUTE }, 'for'],
    ['a start more than 30 days ahead', { startsAt: NOW + 31 * 24 * 60 * MINUTE }, 'start'],
    ['a silence that would be over already', { startsAt: NOW - 3 * 60 * MINUTE }, 'start'],
    ['a malformed id', { id: 'abc' }, 'id'],
  ])('rejects %s, naming the field', (_title, overrides, field) => {
    expect(fieldOf(() => newSilence(request(overrides)))).toBe(field);
  });
});

describe('Function: parseSilence / readSilences', () => {
  it('reads a stored silence back unchanged, ignoring the storage keys around it', () => {
    const s = newSilence(request());

    expect(parseSilence({ ...s, pk: 'SILENCES', sk: 'x', expiresAt: 1 }, 'item')).toEqual(s);
  });

  it('accepts a scheduled silence removed before it started (its end before its start)', () => {
    const s = newSilence(request({ startsAt: NOW + 60 * MINUTE }));
    const removed = { ...s, endsAt: new Date(NOW).toISOString(), endedBy: 'bob@laptop' };

    expect(parseSilence(removed, '')).toEqual(removed);
    expect(silenceStatus(removed, NOW)).toBe('ended');
    expect(fieldOf(() => parseSilence({ ...removed, endedBy: undefined }, 'item'))).toBe('item.endsAt');
  });

  it('keeps the valid silences of a list and counts the others', () => {
    const good = newSilence(request());

    const read = readSilences([good, { ...good, id: 'x' }, null, { ...good, startsAt: 'yesterday' }]);

    expect(read).toEqual({ silences: [good], invalid: 3 });
  });
});

describe('Function: coveringSilence / silenceStatus / describeScope', () => {
  const all: Silence = newSilence(request());
  const one: Silence = newSilence(
    request({ id: 's-00000000b2', code: 'REPLICA_LAGGING', subject: 'node 10.0.1.62:6379' }),
  );
  const alert = { deployment: 'orders-cache', code: 'REPLICA_LAGGING', subject: 'node 10.0.1.62:6379' };

  it('matches deployment, code and subject, from the start (inclusive) to the end (exclusive)', () => {
    expect(coveringSilence([one], alert, NOW)).toBe(one);
    expect(coveringSilence([one], { ...alert, subject: 'node 10.0.1.63:6379' }, NOW)).toBeNull();
    expect(coveringSilence([one], { ...alert, code: 'REPLICA_LINK_DOWN' }, NOW)).toBeNull();
    expect(coveringSilence([all], { ...alert, deployment: 'sessions' }, NOW)).toBeNull();
    expect(coveringSilence([all], alert, NOW - 1)).toBeNull();
    expect(coveringSilence([all], alert, Date.parse(all.endsAt) - 1)).toBe(all);
    expect(coveringSilence([all], alert, Date.parse(all.endsAt))).toBeNull();
    expect(silenceStatus(all, NOW - 1)).toBe('scheduled');
  });

  it('says what a silence covers in words', () => {
    expect(describeScope(all)).toBe('every alert of orders-cache');
    expect(describeScope(one)).toBe('REPLICA_LAGGING on node 10.0.1.62:6379 of orders-cache');
    expect(describeScope({ ...one, subject: null })).toBe('REPLICA_LAGGING of orders-cache');
    expect(describeScope({ ...one, code: null })).toBe('every alert on node 10.0.1.62:6379 of orders-cache');
  });
});
