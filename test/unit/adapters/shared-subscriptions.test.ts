// One pub/sub connection per sentinel for all the deployments of a shard that list it, each event
// delivered to the deployments watching that master. The connection itself is a fake here; the real
// one (sentinel-events.ts) is exercised against real sentinels by the integration suites and the bench.

import type { EventSubscription, SubscribeOptions } from '../../../lambdas/adapters/sentinel-events';
import { sharedSentinelSubscriptions } from '../../../lambdas/adapters/shared-subscriptions';
import type { BatchTarget } from '../../../lambdas/core/batch';
import { parseSentinelEvent, type SentinelEvent } from '../../../lambdas/core/sentinel-event';

const s1: BatchTarget = { host: '10.0.0.1', port: 26379, tls: false, password: 'pw' };
const s2: BatchTarget = { host: '10.0.0.2', port: 26379, tls: false, password: 'pw' };

let opened: { options: SubscribeOptions; closed: boolean }[];
const fakeOpen = async (options: SubscribeOptions): Promise<EventSubscription> => {
  const entry = { options, closed: false };
  opened.push(entry);
  return {
    subscribed: () => 1,
    close: async () => {
      entry.closed = true;
    },
  };
};
const emit = (i: number, channel: string, payload: string) =>
  opened[i].options.onEvent(parseSentinelEvent(channel, payload, '10.0.0.1:26379', 0));

beforeEach(() => {
  opened = [];
});

describe('Function: sharedSentinelSubscriptions', () => {
  it('opens one connection per sentinel, whatever the number of deployments listing it', async () => {
    // Prepare
    const shared = sharedSentinelSubscriptions(fakeOpen);
    const heard: Record<string, string[]> = { a: [], b: [] };
    const listen = (name: string, masterName: string) =>
      shared.subscribe({
        deployment: name,
        masterName,
        sentinels: [s1, s2],
        timeoutMs: 100,
        onEvent: (e: SentinelEvent) => heard[name].push(`${e.type} ${e.masterName}`),
      });

    // Act
    const a = await listen('a', 'master-a');
    const b = await listen('b', 'master-b');
    emit(0, '+switch-master', 'master-a 10.0.1.1 6379 10.0.1.2 6379');
    emit(0, '+tilt', '#tilt mode entered');

    // Assess: two connections, each listening to every master; events reach their master's deployment
    expect(opened.map((o) => o.options.masterName)).toEqual([null, null]);
    expect(shared.connections()).toBe(2);
    expect(heard.a).toEqual(['+switch-master master-a', '+tilt null']);
    expect(heard.b).toEqual(['+tilt null']);

    // Closing one deployment keeps the connections; closing the last one closes them
    await a.close();
    expect(opened.some((o) => o.closed)).toBe(false);
    await b.close();
    expect(opened.every((o) => o.closed)).toBe(true);
    expect(shared.connections()).toBe(0);
  });

  it('does not share a connection between different credentials', async () => {
    const shared = sharedSentinelSubscriptions(fakeOpen);
    const onEvent = () => undefined;
    await shared.subscribe({ deployment: 'a', masterName: 'm', sentinels: [s1], timeoutMs: 100, onEvent });
    await shared.subscribe({
      deployment: 'b',
      masterName: 'm',
      sentinels: [{ ...s1, password: 'other' }],
      timeoutMs: 100,
      onEvent,
    });
    expect(opened).toHaveLength(2);
  });
});
