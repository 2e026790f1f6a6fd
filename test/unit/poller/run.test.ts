// run.ts with plain in-memory fakes: the polling loop within one invocation (ticks, sentinel events,
// the time budget) and the outbox's conflict handling, on a fake clock.

import type { WatchConfig } from '../../../lambdas/core/config';
import { parseWatchConfig } from '../../../lambdas/core/config';
import type { AlertMessage, AlertPublisher } from '../../../lambdas/core/ports';
import { parseSentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../../lambdas/core/types';
import { isSupersededBy, runWindowMs } from '../../../lambdas/poller/handover';
import {
  type PollerDeps,
  type RunOptions,
  runPoller,
  type SubscribeRequest,
} from '../../../lambdas/poller/run';
import type { PollerState } from '../../../lambdas/poller/state';
import { MemoryStore } from '../helpers/memory-store';
import { healthySnapshot, NOW } from '../helpers/snapshot-factory';

const config = (patch: Record<string, unknown> = {}): WatchConfig =>
  parseWatchConfig({
    deployments: [
      {
        name: 'prod-cache',
        masterName: 'mymaster',
        sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
      },
    ],
    ...patch,
  });

let now: number;
let store: MemoryStore;
let published: AlertMessage[];
let probeTimes: number[];
/** Sentinel events to deliver when the clock passes `at` (epoch ms). */
let scheduled: { at: number; channel: string; payload: string }[];
let onEvent: SubscribeRequest['onEvent'] | null;

const publisher: AlertPublisher = {
  publish: async (m) => {
    published.push(m);
  },
};

/** Moves the clock to `until`, delivering due events; stops early at an event that aborts `signal`. */
function advance(until: number, signal?: AbortSignal): void {
  for (;;) {
    const next = scheduled[0];
    if (!next || next.at > until) break;
    scheduled.shift();
    now = Math.max(now, next.at);
    onEvent?.(parseSentinelEvent(next.channel, next.payload, '10.0.1.62:26379', now));
    if (signal?.aborted) return;
  }
  now = Math.max(now, until);
}

const deps = (patch: Partial<PollerDeps> = {}): PollerDeps => ({
  probe: async () => {
    probeTimes.push(now - NOW);
    // The sentinels switched to 10.0.1.63 two seconds into the minute.
    const s =
      now - NOW >= 2_000
        ? healthySnapshot({ at: now, masterIndex: 2, configEpoch: 2 })
        : healthySnapshot({ at: now });
    return s as Snapshot;
  },
  store,
  publisher,
  secrets: { getSecret: async () => 'unused' },
  clock: () => now,
  sleep: async (ms, signal) => advance(now + ms, signal),
  subscribe: async (request) => {
    onEvent = request.onEvent;
    return { close: async () => undefined };
  },
  random: () => 0.5,
  ...patch,
});

/** A healthy deployment all minute. */
const steadyProbe = async (): Promise<Snapshot> => {
  probeTimes.push(now - NOW);
  return healthySnapshot({ at: now }) as Snapshot;
};

const options = (patch: Partial<RunOptions> = {}): RunOptions => ({
  owner: 'inv-1',
  remainingMs: () => 60_000,
  ...patch,
});

beforeEach(() => {
  now = NOW;
  store = new MemoryStore();
  published = [];
  probeTimes = [];
  scheduled = [];
  onEvent = null;
});

describe('Function: runPoller', () => {
  it('polls once per invocation without pollEverySeconds', async () => {
    // Act
    const summary = await runPoller(config(), deps(), options());

    // Assess
    expect(probeTimes).toEqual([0]);
    expect(summary.deployments[0]).toMatchObject({ polls: 1, stopped: 'done' });
    expect(store.snapshots).toHaveLength(1);
  });

  it('polls every pollEverySeconds within the minute and leaves room before the next invocation', async () => {
    // Prepare
    const steady = deps({ probe: steadyProbe });

    // Act
    const summary = await runPoller(config({ pollEverySeconds: 10 }), steady, options());

    // Assess: the last poll starts by 60 s - pollTimeoutMs (3.5 s) - reserve (5 s)
    expect(probeTimes).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(summary.deployments[0]).toMatchObject({ polls: 6, published: 0, stopped: 'done' });
    expect(now - NOW).toBeLessThanOrEqual(60_000);
    expect(published).toHaveLength(0);
  });

  it('stops by the Lambda timeout when it comes before the end of the minute', async () => {
    // Act
    await runPoller(
      config({ pollEverySeconds: 5 }),
      deps({ probe: steadyProbe }),
      options({ remainingMs: () => 20_000 }),
    );

    // Assess: 20 s - 3.5 s - 5 s = 11.5 s is the latest start
    expect(probeTimes).toEqual([0, 5_000, 10_000]);
  });

  it('polls at once on a sentinel event, debounced, and puts the failover timeline in the alert', async () => {
    // Prepare: what the sentinels announce while the master fails over
    scheduled = [
      { at: NOW + 2_100, channel: '+sdown', payload: 'master mymaster 10.0.1.61 6379' },
      { at: NOW + 2_200, channel: '+odown', payload: 'master mymaster 10.0.1.61 6379 #quorum 2/2' },
      { at: NOW + 2_250, channel: '+try-failover', payload: 'master mymaster 10.0.1.61 6379' },
      { at: NOW + 3_300, channel: '+switch-master', payload: 'mymaster 10.0.1.61 6379 10.0.1.63 6379' },
      { at: NOW + 3_400, channel: '__sentinel__:hello', payload: '10.0.1.62,26379,...' },
    ];

    // Act
    await runPoller(config({ pollEverySeconds: 10 }), deps(), options());

    // Assess: +sdown at 2.1 s, 300 ms for the burst; +switch-master at 3.3 s; then back to the
    // deployment's ticks (its phase of every 10 s: 10 s is the first at least half a tick away)
    expect(probeTimes.slice(0, 4)).toEqual([0, 2_400, 3_600, 10_000]);
    expect(published).toHaveLength(1);
    const [alert] = published;
    expect(alert.subject).toBe('[CRITICAL] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379');
    expect(alert.body).toContain('Failover timeline, times UTC');
    expect(alert.body).toMatch(
      /10:00:02\.100 · \+sdown master mymaster 10\.0\.1\.61 6379 · sentinel 10\.0\.1\.62:26379/,
    );
    expect(alert.body).toContain('+try-failover');
    expect(alert.body).not.toContain('__sentinel__');
  });

  it('sends nothing when another invocation saved the state first, and stops (one poll per run)', async () => {
    // Prepare: a first poll, then a rival that saves between our load and our save
    await runPoller(config(), deps(), options());
    now += 60_000;
    store.beforeSave = () => {
      const s = store.states.get('prod-cache')!;
      store.states.set('prod-cache', { ...s, version: s.version + 1 });
    };

    // Act
    const summary = await runPoller(config(), deps(), options({ owner: 'inv-2' }));

    // Assess
    expect(summary.deployments[0]).toMatchObject({ polls: 1, stopped: 'conflict' });
    expect(published).toHaveLength(0);
  });

  describe('handover between runs (pollEverySeconds)', () => {
    /** Makes the next saveState lose to a save by another run (its mark in the state). */
    const rivalSavesFirst = (run: { startedAt: number; owner: string }) => {
      store.beforeSave = () => {
        const s = store.states.get('prod-cache')!;
        store.states.set('prod-cache', {
          version: s.version + 1,
          state: { ...(s.state as PollerState), run },
        });
      };
    };

    it('keeps watching past its minute until the handover window ends', async () => {
      // Act
      const summary = await runPoller(
        config({ pollEverySeconds: 10 }),
        deps({ probe: steadyProbe }),
        options({ windowMs: runWindowMs(10), remainingMs: () => 90_000 }),
      );

      // Assess: the last poll starts by 60 s + 25 s - pollTimeoutMs (3.5 s) - reserve (5 s) = 76.5 s
      expect(probeTimes).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000]);
      expect(summary.deployments[0]).toMatchObject({ stopped: 'done' });
    });

    it('stops watching a deployment once a later run has saved it, and sends nothing more', async () => {
      // Prepare: the third save loses to the next minute's run
      let saves = 0;
      const counting = deps({
        probe: async () => {
          if (++saves === 3) rivalSavesFirst({ startedAt: NOW + 60_000, owner: 'inv-next' });
          return steadyProbe();
        },
      });

      // Act
      const summary = await runPoller(config({ pollEverySeconds: 10 }), counting, options());

      // Assess: the third poll lost its save and is not repeated; the state stays the later run's
      expect(probeTimes).toEqual([0, 10_000, 20_000]);
      expect(summary.deployments[0]).toMatchObject({ polls: 3, stopped: 'superseded' });
      expect(store.state().run).toEqual({ startedAt: NOW + 60_000, owner: 'inv-next' });
      expect(published).toHaveLength(0);
    });

    it('polls again at once when an earlier run (in its last seconds) saved first, and carries on', async () => {
      // Prepare: the previous minute's run saved the state; it saves again while we poll
      await runPoller(config(), deps({ probe: steadyProbe }), options({ owner: 'inv-prev' }));
      now += 60_000;
      probeTimes = [];
      rivalSavesFirst({ startedAt: NOW, owner: 'inv-prev' });

      // Act
      const summary = await runPoller(
        config({ pollEverySeconds: 10 }),
        deps({ probe: steadyProbe }),
        options({ owner: 'inv-2' }),
      );

      // Assess: the lost first poll is repeated at once, then the ticks go on; our mark is saved
      expect(probeTimes.slice(0, 3)).toEqual([60_000, 60_000, 70_000]);
      expect(summary.deployments[0]).toMatchObject({ stopped: 'done' });
      expect(store.state().run).toEqual({ startedAt: NOW + 60_000, owner: 'inv-2' });
    });

    it('settles a duplicate delivery of one tick on the run with the larger owner id', () => {
      expect(isSupersededBy({ startedAt: NOW, owner: 'b' }, { startedAt: NOW, owner: 'a' })).toBe(true);
      expect(isSupersededBy({ startedAt: NOW, owner: 'a' }, { startedAt: NOW, owner: 'b' })).toBe(false);
      expect(isSupersededBy(null, { startedAt: NOW, owner: 'a' })).toBe(false);
    });

    it('listens to the sentinels before its first poll saves', async () => {
      // Prepare
      const order: string[] = [];

      // Act
      await runPoller(
        config({ pollEverySeconds: 10 }),
        deps({
          probe: async () => {
            order.push('probe');
            return steadyProbe();
          },
          subscribe: async () => {
            order.push('subscribe');
            return { close: async () => undefined };
          },
        }),
        options({ remainingMs: () => 15_000 }),
      );

      // Assess
      expect(order.slice(0, 2)).toEqual(['subscribe', 'probe']);
    });
  });

  it("records what it sent when a rival saved meanwhile, keeping the rival's changes", async () => {
    // Prepare
    await runPoller(config(), deps(), options());
    now += 60_000;
    const slowPublisher: AlertPublisher = {
      publish: async (m) => {
        // While we publish, another invocation saves: it sees our entry claimed and leaves it alone.
        store.beforeSave = () => {
          const s = store.states.get('prod-cache')!;
          const state = s.state as PollerState;
          store.states.set('prod-cache', {
            version: s.version + 1,
            state: { ...state, drill: { id: 'rival-was-here', startedAt: 1 } },
          });
        };
        published.push(m);
      },
    };

    // Act
    const summary = await runPoller(
      config(),
      deps({ publisher: slowPublisher }),
      options({ owner: 'inv-2' }),
    );

    // Assess
    expect(summary.deployments[0]).toMatchObject({ published: 1, pending: 0, stopped: 'done' });
    expect(store.state().outbox.map((e) => [e.status, e.claimedBy])).toEqual([['sent', null]]);
    expect(store.state().drill).toEqual({ id: 'rival-was-here', startedAt: 1 });
    expect(store.states.get('prod-cache')?.version).toBe(4);
  });

  it('stops publishing at the first alert that keeps failing, so later ones keep their order', async () => {
    // Prepare: two alerts at once (a switch and a replica down), a topic that refuses everything
    const failing: AlertPublisher = {
      publish: async () => {
        throw Object.assign(new Error('nope'), {
          name: 'PublishError',
          errorName: 'InternalError',
          retryable: true,
        });
      },
    };
    await runPoller(config(), deps(), options());
    now += 60_000;
    const twoProblems = deps({
      publisher: failing,
      probe: async () => {
        const s = healthySnapshot({ at: now, masterIndex: 2, configEpoch: 2 });
        s.nodes[1].reachable = false;
        s.nodes[1].error = { class: 'refused', message: 'connect ECONNREFUSED' };
        s.nodes[1].role = null;
        s.nodes[1].replication = null;
        s.nodes[1].server = null;
        return s as Snapshot;
      },
    });

    // Act
    const summary = await runPoller(config(), twoProblems, options({ owner: 'inv-2' }));

    // Assess
    const outbox = store.state().outbox;
    expect(outbox.length).toBeGreaterThanOrEqual(2);
    expect(outbox.map((e) => e.status).every((s) => s === 'pending')).toBe(true);
    expect(outbox.map((e) => e.attempts)).toEqual([4, ...outbox.slice(1).map(() => 0)]);
    expect(summary.deployments[0].pending).toBe(outbox.length);
  });

  it('fails, after polling the others, for a deployment whose password variable is not set', async () => {
    // Prepare
    const two = parseWatchConfig({
      deployments: [
        {
          name: 'a',
          masterName: 'mymaster',
          sentinels: ['10.0.1.61:26379'],
          passwordEnv: 'NOT_SET_ANYWHERE',
        },
        { name: 'b', masterName: 'mymaster', sentinels: ['10.0.1.61:26379'] },
      ],
    });

    // Act
    const error = (await runPoller(two, deps({ env: {} }), options()).catch((e: unknown) => e)) as Error;

    // Assess
    expect(error.message).toBe(
      'poll failed for 1 deployment: a: deployments[0].passwordEnv: environment variable NOT_SET_ANYWHERE is not set',
    );
    expect(store.states.has('b')).toBe(true);
    expect(store.states.has('a')).toBe(false);
  });
});

describe('Function: runPoller, between polls', () => {
  it('asks the next poll about the replicas the last poll saw (its compacted snapshot)', async () => {
    // Prepare
    const previous: (Snapshot | null | undefined)[] = [];
    const probe: PollerDeps['probe'] = async (_d, _c, before) => {
      previous.push(before);
      return healthySnapshot({ at: now }) as Snapshot;
    };

    // Act
    await runPoller(config({ pollEverySeconds: 20 }), deps({ probe }), options());

    // Assess: the first poll has nothing before it; each later one gets the poll before
    expect(previous[0]).toBeNull();
    expect(previous[1]?.takenAt).toBe(new Date(NOW).toISOString());
    expect(previous[2]?.takenAt).toBe(new Date(NOW + 20_000).toISOString());
  });

  it('samples the master every lagCheckMs and polls at once when a replica looks behind', async () => {
    // Prepare: the master's view shows a replica behind from 4.5 s on
    const samples: { at: number; master: string }[] = [];
    const lag: PollerDeps['lag'] = async (_d, _c, master) => {
      samples.push({ at: now - NOW, master: `${master.host}:${master.port}` });
      return now - NOW >= 4_500;
    };

    // Act
    await runPoller(config({ pollEverySeconds: 20 }), deps({ probe: steadyProbe, lag }), options());

    // Assess: one sample a second, on the master the poll found; the 5 s sample triggers a poll
    // (after the 300 ms debounce); the next trigger waits 5 s, however behind the samples say
    expect(samples.slice(0, 5)).toEqual(
      [1, 2, 3, 4, 5].map((s) => ({ at: s * 1_000, master: '10.0.1.61:6379' })),
    );
    expect(probeTimes.slice(0, 3)).toEqual([0, 5_300, 10_600]);
  });

  it('keeps to the ticks when the lag probe fails (the master hung up)', async () => {
    // Prepare: a lag probe that fails (the master hung up) never triggers a poll
    const lag: PollerDeps['lag'] = async () => {
      throw new Error('connection lost');
    };

    // Act
    await runPoller(config({ pollEverySeconds: 20 }), deps({ probe: steadyProbe, lag }), options());

    // Assess
    expect(probeTimes).toEqual([0, 20_000, 40_000]);
  });
});
