// A poll a sentinel event asked for goes to the front of the line of a shard's queued probes.

import type { Credentials, DeploymentConfig } from '../../../lambdas/core/config';
import type { SentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../../lambdas/core/types';
import type { SubscribeRequest } from '../../../lambdas/poller/types';
import { urgentPolls } from '../../../lambdas/poller/urgent-polls';

const deployment = (name: string) => ({ name }) as DeploymentConfig;
const credentials: Credentials = {};
const event = (type: string): SentinelEvent => ({ type, payload: '', at: 0 }) as unknown as SentinelEvent;

describe('Function: urgentPolls', () => {
  it('probes a deployment whose sentinels just announced a switch before the clock polls in line', async () => {
    // Prepare: one probe at a time; the first blocks until released
    const started: string[] = [];
    let release: () => void = () => undefined;
    const probe = async (d: DeploymentConfig) => {
      started.push(d.name);
      if (d.name === 'a') await new Promise<void>((r) => (release = r));
      return {} as Snapshot;
    };
    const requests: SubscribeRequest[] = [];
    const heard: string[] = [];
    const wired = urgentPolls(
      probe,
      async (request) => {
        requests.push(request);
        return { close: async () => undefined };
      },
      1,
    );
    await wired.subscribe?.({
      deployment: 'd',
      masterName: 'm',
      sentinels: [],
      timeoutMs: 100,
      onEvent: (e) => heard.push(e.type),
    });

    // Act: a, b, c in line; then +switch-master for d, whose poll asks last
    const polls = ['a', 'b', 'c'].map((n) => wired.probe(deployment(n), credentials));
    requests[0].onEvent(event('+switch-master'));
    polls.push(wired.probe(deployment('d'), credentials));
    release();
    await Promise.all(polls);

    // Assess: d right after the probe in flight; the event still reaches the run loop
    expect(started).toEqual(['a', 'd', 'b', 'c']);
    expect(heard).toEqual(['+switch-master']);
  });

  it('moves up a clock poll already waiting when its deployment hears a switch', async () => {
    // Prepare
    const started: string[] = [];
    let release: () => void = () => undefined;
    const probe = async (d: DeploymentConfig) => {
      started.push(d.name);
      if (d.name === 'a') await new Promise<void>((r) => (release = r));
      return {} as Snapshot;
    };
    const requests: SubscribeRequest[] = [];
    const wired = urgentPolls(
      probe,
      async (request) => {
        requests.push(request);
        return { close: async () => undefined };
      },
      1,
    );
    await wired.subscribe?.({
      deployment: 'c',
      masterName: 'm',
      sentinels: [],
      timeoutMs: 100,
      onEvent: () => undefined,
    });

    // Act: a runs, b and c wait; then c's sentinels announce a switch
    const polls = ['a', 'b', 'c'].map((n) => wired.probe(deployment(n), credentials));
    requests[0].onEvent(event('+switch-master'));
    release();
    await Promise.all(polls);

    // Assess
    expect(started).toEqual(['a', 'c', 'b']);
  });

  it('lets events that call for no poll, and a mark already used, wait in line', async () => {
    // Prepare
    const started: string[] = [];
    let release: () => void = () => undefined;
    const probe = async (d: DeploymentConfig) => {
      started.push(d.name);
      if (d.name.startsWith('a')) await new Promise<void>((r) => (release = r));
      return {} as Snapshot;
    };
    const requests: SubscribeRequest[] = [];
    const wired = urgentPolls(
      probe,
      async (request) => {
        requests.push(request);
        return { close: async () => undefined };
      },
      1,
    );
    for (const name of ['d', 'e']) {
      await wired.subscribe?.({
        deployment: name,
        masterName: 'm',
        sentinels: [],
        timeoutMs: 100,
        onEvent: () => undefined,
      });
    }

    // Act: e hears only a hello; d's mark is used by its first probe, not its second
    requests[1].onEvent(event('__sentinel__:hello'));
    requests[0].onEvent(event('+sdown'));
    const first = [wired.probe(deployment('a1'), credentials), wired.probe(deployment('b'), credentials)];
    const more = [wired.probe(deployment('e'), credentials), wired.probe(deployment('d'), credentials)];
    release();
    await Promise.all([...first, ...more]);
    const again = [wired.probe(deployment('a2'), credentials), wired.probe(deployment('b2'), credentials)];
    const d2 = wired.probe(deployment('d'), credentials);
    release();
    await Promise.all([...again, d2]);

    // Assess
    expect(started).toEqual(['a1', 'd', 'b', 'e', 'a2', 'b2', 'd']);
  });
});
