// The watch loop between polls: a flood of sentinel events is a few polls, not one per event, and a
// replica that looks behind in the master's INFO replication triggers a poll before the interval.

import type { SubscribeOptions } from '../../../lambdas/adapters/sentinel-events';
import type { RunBatch } from '../../../lambdas/core/batch';
import { parseDeployment } from '../../../lambdas/core/config';
import { parseSentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../../lambdas/core/types';
import {
  DeploymentWatcher,
  EVENT_MIN_GAP_MS,
  type WatchStep,
} from '../../../lambdas/probe/deployment-watcher';
import { DATA, healthySnapshot, OFFSET, SENTINELS } from '../helpers/snapshot-factory';

const deployment = (patch: Record<string, unknown> = {}) =>
  parseDeployment({ name: 'unit', masterName: 'mymaster', sentinels: ['10.0.1.61:26379'], ...patch }, 'test');

const infoReplication = (replicaOffset: number): string =>
  [
    '# Replication',
    'role:master',
    'connected_slaves:2',
    `slave0:ip=${DATA[1].host},port=${DATA[1].port},state=online,offset=${replicaOffset},lag=0`,
    `slave1:ip=${DATA[2].host},port=${DATA[2].port},state=online,offset=${OFFSET},lag=0`,
    `master_repl_offset:${OFFSET}`,
    '',
  ].join('\r\n');

function harness(options: { replicaOffset?: () => number } = {}) {
  let emit: SubscribeOptions['onEvent'] = () => undefined;
  const polls: number[] = [];
  const lagReads: string[] = [];
  const runBatch: RunBatch = async (target) => {
    lagReads.push(`${target.host}:${target.port}`);
    return {
      connected: true,
      error: null,
      auth: null,
      replies: [{ ok: true, value: infoReplication(options.replicaOffset?.() ?? OFFSET) }],
      rttMs: 1,
    };
  };
  const poll = async (): Promise<Snapshot> => {
    polls.push(Date.now());
    return healthySnapshot({ at: Date.now() }) as Snapshot;
  };
  const subscribe = async (o: SubscribeOptions) => {
    emit = o.onEvent;
    return { subscribed: () => 1, close: async () => undefined };
  };
  const event = (type: string) =>
    emit(
      parseSentinelEvent(
        type,
        `master mymaster ${DATA[0].host} ${DATA[0].port}`,
        `${SENTINELS[1].host}:26379`,
        Date.now(),
      ),
    );
  return { runBatch, poll, subscribe, polls, lagReads, event: (type: string) => event(type) };
}

beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 4, 1, 10) }));
afterEach(() => jest.useRealTimers());

describe('Class: DeploymentWatcher', () => {
  describe('Method: run', () => {
    it('turns a flood of sentinel events into at most one poll per EVENT_MIN_GAP_MS', async () => {
      // Prepare
      const h = harness();
      const w = new DeploymentWatcher(deployment({ lagCheckMs: 0 }), {}, { ...h, now: Date.now });
      const steps: WatchStep[] = [];
      const running = w.run({ intervalMs: 60_000, onStep: (s) => steps.push(s) });
      await jest.advanceTimersByTimeAsync(10);
      expect(h.polls).toHaveLength(1);

      // Act: 40 events a second for 3 s
      for (let i = 0; i < 120; i++) {
        h.event(i % 2 ? '+sdown' : '-sdown');
        await jest.advanceTimersByTimeAsync(25);
      }
      await jest.advanceTimersByTimeAsync(1000);
      w.stop();
      await jest.advanceTimersByTimeAsync(10);
      await running;

      // Assess: the first event polls at once, then one poll per 500 ms at most (not 120 polls)
      expect(EVENT_MIN_GAP_MS).toBe(500);
      const eventPolls = steps.filter((s) => s.trigger === 'event');
      expect(eventPolls.length).toBeGreaterThanOrEqual(3);
      expect(eventPolls.length).toBeLessThanOrEqual(8);
      const gaps = h.polls.slice(1).map((t, i) => t - h.polls[i]);
      expect(Math.min(...gaps.slice(1))).toBeGreaterThanOrEqual(500);
    });

    it('polls at once when the master shows a replica behind between polls, and not otherwise', async () => {
      // Prepare: replica 1 stops acknowledging after 5 s
      let behind = false;
      const h = harness({ replicaOffset: () => (behind ? OFFSET - 5_000_000 : OFFSET) });
      const w = new DeploymentWatcher(deployment({ lagCheckMs: 1000 }), {}, { ...h, now: Date.now });
      const steps: WatchStep[] = [];
      const running = w.run({ intervalMs: 60_000, onStep: (s) => steps.push(s) });
      await jest.advanceTimersByTimeAsync(5000);
      expect(steps.map((s) => s.trigger)).toEqual(['interval']);
      expect(h.lagReads.length).toBeGreaterThanOrEqual(4);
      expect(new Set(h.lagReads)).toEqual(new Set([`${DATA[0].host}:${DATA[0].port}`]));

      // Act
      behind = true;
      await jest.advanceTimersByTimeAsync(1100);
      w.stop();
      await jest.advanceTimersByTimeAsync(10);
      await running;

      // Assess
      expect(steps.map((s) => s.trigger)).toEqual(['interval', 'lag']);
    });
  });
});
