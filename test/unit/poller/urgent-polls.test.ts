// A poll a sentinel event asked for goes to the front of the line of a shard's queued probes.

import type { Credentials, DeploymentConfig } from '../../../lambdas/core/config';
import type { SentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../../lambdas/core/types';
import type { SubscribeRequest } from '../../../lambdas/poller/types';
import { urgentPolls } from '../../../lambdas/poller/urgent-polls';

const credentials: Credentials = {};
const event = (type: string): SentinelEvent => ({ type, payload: '', at: 0 }) as unknown as SentinelEvent;

/**
 * One probe at a time; probes of deployments named `a...` block until `release()`. `events(name)`
 * delivers sentinel events to that deployment's subscription, as the sentinels would.
 */
async function line(subscribed: readonly string[]) {
  const started: string[] = [];
  const heard: string[] = [];
  let release: () => void = () => undefined;
  const requests = new Map<string, SubscribeRequest>();
  const wired = urgentPolls(
    async (d: DeploymentConfig) => {
      started.push(d.name);
      if (d.name.startsWith('a')) await new Promise<void>((r) => (release = r));
      return {} as Snapshot;
    },
    async (request) => {
      requests.set(request.deployment, request);
      return { close: async () => undefined };
    },
    1,
  );
  for (const deployment of subscribed) {
    await wired.subscribe?.({
      deployment,
      masterName: 'm',
      sentinels: [],
      timeoutMs: 100,
      onEvent: (e) => heard.push(`${deployment} ${e.type}`),
    });
  }
  return {
    started,
    heard,
    poll: (name: string) => wired.probe({ name } as DeploymentConfig, credentials),
    hears: (name: string, type: string) => requests.get(name)?.onEvent(event(type)),
    release: () => release(),
  };
}

describe('Function: urgentPolls', () => {
  it('probes a deployment whose sentinels just announced a switch before the clock polls in line', async () => {
    // Prepare
    const l = await line(['d']);

    // Act: a, b, c in line; then +switch-master for d, whose poll asks last
    const polls = ['a', 'b', 'c'].map(l.poll);
    l.hears('d', '+switch-master');
    polls.push(l.poll('d'));
    l.release();
    await Promise.all(polls);

    // Assess: d right after the probe in flight; the event still reaches the run loop
    expect(l.started).toEqual(['a', 'd', 'b', 'c']);
    expect(l.heard).toEqual(['d +switch-master']);
  });

  it('moves up a clock poll already waiting when its deployment hears a switch', async () => {
    // Prepare
    const l = await line(['c']);

    // Act: a runs, b and c wait; then c's sentinels announce a switch
    const polls = ['a', 'b', 'c'].map(l.poll);
    l.hears('c', '+switch-master');
    l.release();
    await Promise.all(polls);

    // Assess
    expect(l.started).toEqual(['a', 'c', 'b']);
  });

  it('lets events that call for no poll, and a mark already used, wait in line', async () => {
    // Prepare
    const l = await line(['d', 'e']);

    // Act: e hears only a hello; d's mark is used by its first probe, not its second
    l.hears('e', '__sentinel__:hello');
    l.hears('d', '+sdown');
    const first = ['a1', 'b', 'e', 'd'].map(l.poll);
    l.release();
    await Promise.all(first);
    const again = ['a2', 'b2', 'd'].map(l.poll);
    l.release();
    await Promise.all(again);

    // Assess
    expect(l.started).toEqual(['a1', 'd', 'b', 'e', 'a2', 'b2', 'd']);
  });
});
