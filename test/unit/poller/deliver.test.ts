// deliver.ts alone, with in-memory fakes on a fake clock: which claimed entries are published, in
// what order, what a rejection or a timeout costs, and how the outcome is recorded through errors.

import type { Notification } from '../../../lambdas/core/incidents';
import type { AlertMessage } from '../../../lambdas/core/ports';
import type { SaveResult, StoredState } from '../../../lambdas/core/store-ports';
import { publishClaimed, recordOutcomes } from '../../../lambdas/poller/deliver';
import { claim, emptyPollerState, enqueue, type PollerState } from '../../../lambdas/poller/state';
import type { Budget, PollerDeps, RunOptions } from '../../../lambdas/poller/types';
import { notification } from '../helpers/notification';
import { NOW } from '../helpers/snapshot-factory';

const failure = (name: string, patch: { retryable: boolean; rejected?: boolean }) =>
  Object.assign(new Error(`SNS Publish failed: ${name}`), {
    name: 'PublishError',
    errorName: name,
    ...patch,
  });

let now: number;
let published: AlertMessage[];
let saves: number;
/** What each saveState call does, in order; then 'saved'. */
let saveScript: (SaveResult | Error)[];
let stored: StoredState<unknown> | null;
let warnings: string[];
let errors: string[];

const options: RunOptions = { owner: 'me', remainingMs: () => 60_000 };
const budget: Budget = { startedAt: NOW, hardEnd: NOW + 60_000, stopAt: NOW + 60_000, reserveMs: 5_000 };

function deps(publish: (m: AlertMessage) => Promise<void>): PollerDeps {
  return {
    probe: async () => {
      throw new Error('not used');
    },
    store: {
      putSnapshot: async () => undefined,
      history: async () => [],
      loadState: async <T>() => stored as StoredState<T> | null,
      saveState: async () => {
        saves++;
        const next = saveScript.shift() ?? 'saved';
        if (next instanceof Error) throw next;
        return next;
      },
    },
    publisher: { publish },
    secrets: { getSecret: async () => 'unused' },
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    random: () => 0.5,
    log: {
      info: () => undefined,
      warn: (message) => warnings.push(message),
      error: (message) => errors.push(message),
    },
  };
}

const claimedOf = (...ns: Notification[]) => claim(enqueue([], ns, NOW).outbox, 'me', NOW + 65_000, NOW);

beforeEach(() => {
  now = NOW;
  published = [];
  saves = 0;
  saveScript = [];
  stored = null;
  warnings = [];
  errors = [];
});

describe('Function: publishClaimed', () => {
  it('records an alert SNS rejects as failed after one try, and publishes the ones after it', async () => {
    // Prepare
    const { claimed } = claimedOf(notification(1), notification(2), notification(3));
    const rejectSecond = deps(async (m) => {
      if (m.attributes.subject === 'node 10.0.1.62:6379') {
        throw failure('InvalidParameterException', { retryable: false, rejected: true });
      }
      published.push(m);
    });

    // Act
    const outcomes = await publishClaimed(claimed, rejectSecond, options, budget, 'prod-cache');

    // Assess
    expect(outcomes.map((o) => [o.sent, o.attempts, 'rejectedAt' in o ? o.rejectedAt : null])).toEqual([
      [true, 1, null],
      [false, 1, NOW],
      [true, 1, null],
    ]);
    expect(published.map((m) => m.attributes.subject)).toEqual([
      'node 10.0.1.61:6379',
      'node 10.0.1.63:6379',
    ]);
    expect(errors).toEqual(['alert rejected by SNS: not sent, not retried']);
  });

  it('stops at a topic that refuses everything (permissions), keeping the rest in order', async () => {
    // Prepare
    const { claimed } = claimedOf(notification(1), notification(2));
    const denied = deps(async () => {
      throw failure('AuthorizationErrorException', { retryable: false, rejected: false });
    });

    // Act
    const outcomes = await publishClaimed(claimed, denied, options, budget, 'prod-cache');

    // Assess
    expect(outcomes).toEqual([
      { key: claimed[0].key, sent: false, attempts: 1, error: 'AuthorizationErrorException' },
    ]);
  });

  it('starts no try that could not end before the outcome must be recorded', async () => {
    // Prepare: 10 s left; a record needs 5 s + 0.5 s, a publish may take 3.5 s
    const { claimed } = claimedOf(notification(1));
    now = budget.hardEnd - 10_000;
    const slow = deps(async () => {
      now += 3_500;
      throw failure('TimeoutError', { retryable: true });
    });

    // Act
    const [outcome] = await publishClaimed(claimed, slow, options, budget, 'prod-cache');

    // Assess: one try (4.5 s of room), no second one (backoff + 3.5 s no longer fits)
    expect(outcome).toMatchObject({ sent: false, attempts: 1, error: 'TimeoutError' });
    expect(now).toBeLessThanOrEqual(budget.hardEnd - 5_500);
  });
});

describe('Function: recordOutcomes', () => {
  const saved = (): PollerState => ({ ...emptyPollerState(), outbox: claimedOf(notification(1)).outbox });
  /** Records that the state's one alert was sent, as saved at version 1. */
  const record = (state: PollerState) =>
    recordOutcomes(
      'prod-cache',
      state,
      1,
      [{ key: state.outbox[0].key, sent: true as const, attempts: 1, at: NOW }],
      deps(async () => undefined),
      options,
      budget,
    );

  it('retries a transient store error and records the alert as sent', async () => {
    // Prepare
    const state = saved();
    const throttled = Object.assign(new Error('throttled'), { name: 'StoreError', retryable: true });
    saveScript = [throttled, throttled];

    // Act
    const outbox = await record(state);

    // Assess
    expect(saves).toBe(3);
    expect(outbox.map((e) => e.status)).toEqual(['sent']);
    expect(warnings).toEqual([
      'could not record which alerts were sent; retrying',
      'could not record which alerts were sent; retrying',
    ]);
  });

  it('re-applies its outcomes when a retried write had landed after all (a conflict on the retry)', async () => {
    // Prepare: the first write timed out but was applied; the retry then meets version 2
    const state = saved();
    const timeout = Object.assign(new Error('timeout'), { name: 'StoreError', retryable: true });
    saveScript = [timeout, 'conflict'];
    stored = { version: 2, state: { ...state, outbox: state.outbox.map((e) => ({ ...e, status: 'sent' })) } };

    // Act
    const outbox = await record(state);

    // Assess
    expect(saves).toBe(3);
    expect(outbox.map((e) => e.status)).toEqual(['sent']);
  });

  it('does not retry a permanent store error, and says that the alerts may be sent again', async () => {
    // Prepare
    const state = saved();
    const denied = Object.assign(new Error('denied'), { name: 'StoreError', retryable: false });
    saveScript = [denied];

    // Act
    const error = await record(state).catch((e: unknown) => e);

    // Assess
    expect(error).toBe(denied);
    expect(saves).toBe(1);
    expect(errors).toEqual([
      'could not record which alerts were sent; they may be sent again after the lease',
    ]);
  });
});
