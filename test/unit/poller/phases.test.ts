// Clock polls spread over the tick, and the shard handover (handover.ts, shard-handover.ts): a run
// that finds an earlier one still listening keeps to the deployments' phases instead of polling all of
// them at once, marks the shard once it listens, and the earlier run stops its idle deployments when
// it reads that mark. Several deployments sleep at once here, so the clock is virtual-time.ts's.

import { parseWatchConfig, type WatchConfig } from '../../../lambdas/core/config';
import type { AlertMessage } from '../../../lambdas/core/ports';
import { parseSentinelEvent, type SentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../../lambdas/core/types';
import { nextTickAt, phaseMs, predecessorListening } from '../../../lambdas/poller/handover';
import { type DeploymentSummary, type PollerDeps, runPoller } from '../../../lambdas/poller/run';
import { MemoryShardRuns, MemoryStore } from '../helpers/memory-store';
import { healthySnapshot, NOW } from '../helpers/snapshot-factory';
import { VirtualTime } from '../helpers/virtual-time';

const NAMES = ['d0', 'd1', 'd2', 'd3'];
const SHARD = 'config-1/0';

const config = (pollEverySeconds: number | null = 10): WatchConfig =>
  parseWatchConfig({
    pollEverySeconds,
    deployments: NAMES.map((name) => ({
      name,
      masterName: 'mymaster',
      sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
    })),
  });

let time: VirtualTime;
let store: MemoryStore;
let runs: MemoryShardRuns;
let published: AlertMessage[];
/** Probe start times per deployment, ms from NOW. */
let polls: Map<string, number[]>;
let listeners: Map<string, (e: SentinelEvent) => void>;
let switched: Set<string>;
let warnings: string[];

beforeEach(() => {
  time = new VirtualTime(NOW);
  store = new MemoryStore();
  runs = new MemoryShardRuns();
  published = [];
  polls = new Map(NAMES.map((n) => [n, []]));
  listeners = new Map();
  switched = new Set();
  warnings = [];
});

const deps = (): PollerDeps => ({
  probe: async (d) => {
    polls.get(d.name)?.push(time.now - NOW);
    const s = switched.has(d.name)
      ? healthySnapshot({ at: time.now, masterIndex: 2, configEpoch: 2 })
      : healthySnapshot({ at: time.now });
    return { ...s, deployment: d.name } as Snapshot;
  },
  store,
  runs,
  publisher: { publish: async (m) => void published.push(m) },
  secrets: { getSecret: async () => 'unused' },
  clock: time.clock,
  sleep: time.sleep,
  subscribe: async (request) => {
    listeners.set(request.deployment, request.onEvent);
    return { close: async () => void listeners.delete(request.deployment) };
  },
  log: { info: () => undefined, warn: (m) => void warnings.push(m), error: () => undefined },
});

/** A run of the shard started now, for a minute plus the 25 s handover. */
const run = (owner: string, pollEverySeconds: number | null = 10) =>
  runPoller(config(pollEverySeconds), deps(), {
    owner,
    remainingMs: () => 95_000,
    windowMs: 85_000,
    handover: { shardKey: SHARD, periodMs: 60_000 },
  });

const byName = (summaries: readonly DeploymentSummary[]) =>
  Object.fromEntries(summaries.map((s) => [s.deployment, s.stopped]));

describe('Functions: phaseMs, nextTickAt, predecessorListening', () => {
  it('spreads n deployments evenly over the tick, on the epoch clock', () => {
    expect([0, 1, 2, 3].map((i) => phaseMs(i, 4, 10_000))).toEqual([0, 2_500, 5_000, 7_500]);
    expect(phaseMs(0, 1, 10_000)).toBe(0);
    expect(nextTickAt(NOW + 1, 2_500, 10_000)).toBe(NOW + 2_500);
    expect(nextTickAt(NOW + 2_500, 2_500, 10_000)).toBe(NOW + 2_500);
    expect(nextTickAt(NOW + 2_501, 2_500, 10_000)).toBe(NOW + 12_500);
  });

  it('counts an earlier run as listening only within its period plus the overlap, while it beats', () => {
    const me = { startedAt: NOW, owner: 'b' };
    const mark = (ago: number, owner = 'a', aliveAgo = 5_000) => ({
      startedAt: NOW - ago,
      owner,
      listeningAt: NOW - ago + 1_000,
      aliveAt: NOW - aliveAgo,
    });
    expect(predecessorListening(mark(61_000), me, 60_000, 25_000)).toBe(true);
    expect(predecessorListening(mark(85_000), me, 60_000, 25_000)).toBe(false);
    expect(predecessorListening(null, me, 60_000, 25_000)).toBe(false);
    // A run whose heartbeat stopped (it crashed or timed out) is no predecessor
    expect(predecessorListening(mark(61_000, 'a', 41_000), me, 60_000, 25_000)).toBe(false);
    // Our own mark, or a later run's, is no predecessor
    expect(predecessorListening(mark(0, 'b'), me, 60_000, 25_000)).toBe(false);
    expect(predecessorListening(mark(-1_000), me, 60_000, 25_000)).toBe(false);
  });
});

describe('Function: runPoller, phases and the shard handover', () => {
  it('polls everything at once when no earlier run listens, then each deployment at its phase', async () => {
    // Act
    const summary = await time.run(run('run-1'));

    // Assess: all at 0 s; then d1 at 2.5 s past each 10 s, d2 at 5 s, d3 at 7.5 s (and d0 on the 10 s),
    // from the first tick at least half a tick after the first poll
    expect(polls.get('d0')?.slice(0, 3)).toEqual([0, 10_000, 20_000]);
    expect(polls.get('d1')?.slice(0, 3)).toEqual([0, 12_500, 22_500]);
    expect(polls.get('d2')?.slice(0, 3)).toEqual([0, 5_000, 15_000]);
    expect(polls.get('d3')?.slice(0, 3)).toEqual([0, 7_500, 17_500]);
    // No later run came: each watched its whole window (last start by 85 - 3.5 - 5 = 76.5 s)
    expect(polls.get('d3')?.at(-1)).toBe(67_500);
    expect(byName(summary.deployments)).toEqual({ d0: 'done', d1: 'done', d2: 'done', d3: 'done' });
    // It marked the shard once it listened to all four, and renewed the mark every 15 s while it ran
    expect(runs.marks.get(SHARD)).toEqual({
      startedAt: NOW,
      owner: 'run-1',
      listeningAt: NOW,
      aliveAt: NOW + 75_000,
    });
  });

  it('keeps to the phases from its first poll when an earlier run still listens, and that run stops', async () => {
    // Prepare: the previous minute's run; ours starts 60.8 s later (a cold start)
    const previous = run('run-1');
    let next: Promise<{ deployments: readonly DeploymentSummary[] }> | null = null;
    time.at(NOW + 60_800, () => {
      polls = new Map(NAMES.map((n) => [n, []]));
      next = run('run-2');
    });

    // Act
    const first = await time.run(previous);
    const second = await time.run(next as unknown as Promise<{ deployments: readonly DeploymentSummary[] }>);

    // Assess: run-2 listened at 60.8 s; run-1 read its mark at 61 s and stopped every deployment
    expect(byName(first.deployments)).toEqual({
      d0: 'superseded',
      d1: 'superseded',
      d2: 'superseded',
      d3: 'superseded',
    });
    // Each deployment's polls went on at its phase, across the boundary: none twice, none skipped
    // (d0's 60 s tick was run-1's; run-2 polled from 61.8 s, a check after it listened)
    expect(polls.get('d0')?.slice(0, 2)).toEqual([70_000, 80_000]);
    expect(polls.get('d1')?.slice(0, 2)).toEqual([62_500, 72_500]);
    expect(polls.get('d2')?.slice(0, 2)).toEqual([65_000, 75_000]);
    expect(polls.get('d3')?.slice(0, 2)).toEqual([67_500, 77_500]);
    expect(byName(second.deployments)).toEqual({ d0: 'done', d1: 'done', d2: 'done', d3: 'done' });
    expect(runs.marks.get(SHARD)?.owner).toBe('run-2');
    expect(published).toHaveLength(0);
  });

  it('still polls a deployment whose sentinels announced a switch just before the handover', async () => {
    // Prepare: +switch-master for d2 at 60.7 s, heard by run-1 only (run-2 starts at 60.8 s)
    const previous = run('run-1');
    let next: Promise<unknown> | null = null;
    time.at(NOW + 60_700, () => {
      switched.add('d2');
      listeners.get('d2')?.(
        parseSentinelEvent(
          '+switch-master',
          'mymaster 10.0.1.61 6379 10.0.1.63 6379',
          '10.0.1.62:26379',
          time.now,
        ),
      );
    });
    time.at(NOW + 60_800, () => {
      next = run('run-2');
    });

    // Act
    await time.run(previous);
    await time.run(next as unknown as Promise<unknown>);

    // Assess: run-1 polled d2 after the burst's debounce (61.0 s), though run-2 listened from 60.8 s
    // and run-1 read its mark at 61 s, and sent the switch, once
    const switches = published.filter((m) => m.attributes.code === 'MASTER_CHANGED');
    expect(switches).toHaveLength(1);
    expect(polls.get('d2')).toContain(61_000);
  });

  it('polls everything at once when the earlier run stopped renewing its mark (it crashed)', async () => {
    // Prepare: the previous minute's run marked the shard, then its heartbeat stopped 45 s ago
    runs.marks.set(SHARD, {
      startedAt: NOW - 60_000,
      owner: 'run-0',
      listeningAt: NOW - 59_000,
      aliveAt: NOW - 45_000,
    });

    // Act
    await time.run(run('run-1'));

    // Assess
    expect(NAMES.map((n) => polls.get(n)?.[0])).toEqual([0, 0, 0, 0]);
  });

  it('polls everything at once, and warns, when the shard mark cannot be read or written', async () => {
    // Prepare: an earlier run's mark, but the table fails
    runs.marks.set(SHARD, {
      startedAt: NOW - 60_000,
      owner: 'run-0',
      listeningAt: NOW - 59_000,
      aliveAt: NOW - 1_000,
    });
    runs.failing = new Error('ThrottlingException');

    // Act
    const summary = await time.run(run('run-1', 10));

    // Assess
    expect(NAMES.map((n) => polls.get(n)?.[0])).toEqual([0, 0, 0, 0]);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'could not read the shard run mark: polling every deployment now',
        'could not record that this run listens: the previous run stops per deployment',
      ]),
    );
    expect(byName(summary.deployments)).toEqual({ d0: 'done', d1: 'done', d2: 'done', d3: 'done' });
  });

  it('neither reads nor writes a shard mark without pollEverySeconds', async () => {
    // Act
    await time.run(run('run-1', null));

    // Assess: one poll each, at once, as before
    expect(NAMES.map((n) => polls.get(n))).toEqual([[0], [0], [0], [0]]);
    expect(runs.marks.size).toBe(0);
  });
});

describe('Function: runPoller, an event during a poll', () => {
  /** One deployment whose probe takes 400 ms; `type` arrives 100 ms into the poll at 10 s. */
  async function eventDuringPoll(type: '+switch-master' | '+sdown'): Promise<number[]> {
    const one = parseWatchConfig({
      pollEverySeconds: 10,
      deployments: [{ name: 'd0', masterName: 'mymaster', sentinels: ['10.0.1.61:26379'] }],
    });
    const started: number[] = [];
    const d = deps();
    time.at(NOW + 10_100, () => {
      if (type === '+switch-master') switched.add('d0');
      const payload =
        type === '+sdown' ? 'master mymaster 10.0.1.61 6379' : 'mymaster 10.0.1.61 6379 10.0.1.63 6379';
      listeners.get('d0')?.(parseSentinelEvent(type, payload, '10.0.1.62:26379', time.now));
    });
    await time.run(
      runPoller(
        one,
        {
          ...d,
          probe: async (...args) => {
            started.push(time.now - NOW);
            await time.sleep(400);
            return d.probe(...args);
          },
        },
        { owner: 'run-1', remainingMs: () => 20_000 },
      ),
    );
    return started;
  }

  it('polls a +switch-master the running poll could not see after the debounce alone', async () => {
    // Act
    const started = await eventDuringPoll('+switch-master');

    // Assess: the poll at 10 s ends at 10.4 s; the next starts 300 ms later, not at 11 s
    expect(started.slice(0, 3)).toEqual([0, 10_000, 10_700]);
    expect(published.map((m) => m.attributes.code)).toEqual(['MASTER_CHANGED']);
  });

  it('keeps other events a second from the last poll start (a burst does not poll back to back)', async () => {
    // Act
    const started = await eventDuringPoll('+sdown');

    // Assess
    expect(started.slice(0, 3)).toEqual([0, 10_000, 11_000]);
  });
});
