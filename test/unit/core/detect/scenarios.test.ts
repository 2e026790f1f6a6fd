// Whole fault stories, poll by poll, through detection and the incident lifecycle together: what an
// operator would receive.

import {
  claimMaster,
  fail,
  healthySnapshot,
  type MutableSnapshot,
  NOW,
  node,
  recount,
  run,
  sentinelAt,
} from '../../helpers/snapshot-factory';
import { Watcher } from '../../helpers/watcher';

const POLL = 10_000;

const at = (i: number) => NOW + i * POLL;

describe('Scenario: the master is killed', () => {
  it('reports the switch with the new master, and the old master missing until it is back as a replica', () => {
    // Prepare
    const w = new Watcher();
    const steps: MutableSnapshot[] = [];
    steps.push(healthySnapshot({ at: at(0) }));
    // The master is down; the sentinels see it s_down.
    const down = healthySnapshot({ at: at(1) });
    fail(node(down, 0), 'refused');
    for (const s of down.sentinels) s.master!.flags = ['s_down', 'master'];
    steps.push(down);
    // .62 was promoted; .61 still down.
    const switched = healthySnapshot({ at: at(2), masterIndex: 1, configEpoch: 2 });
    fail(node(switched, 0), 'refused');
    steps.push(switched);
    // .61 restarted with its old config: claims master for ~10 s.
    const back = healthySnapshot({ at: at(3), masterIndex: 1, configEpoch: 2 });
    claimMaster(node(back, 0), { uptimeSeconds: 5, runId: 'restarted' });
    steps.push(back);
    // Converted to a replica of .62, then steady.
    for (let i = 4; i <= 7; i++) {
      const s = healthySnapshot({ at: at(i), masterIndex: 1, configEpoch: 2 });
      node(s, 0).server!.runId = 'restarted';
      steps.push(s);
    }

    // Act
    for (const s of steps) w.poll(s);

    // Assess
    // The outage and the old master's ~10 s as a second master each lasted one poll, less than their
    // grace periods: the switch itself tells that story, so they are never paged. The old master's
    // restart is its coming back: told in the resolve, not paged on its own (one cause, one page).
    expect(w.log).toEqual([
      'event MASTER_CHANGED deployment critical',
      'opened REPLICA_UNREACHABLE node 10.0.1.61:6379 warning',
      'resolved REPLICA_UNREACHABLE node 10.0.1.61:6379 warning',
    ]);
    expect(w.messages.at(-1)).toContain('Meanwhile: Node 10.0.1.61:6379 restarted');
  });
});

describe('Scenario: two sentinels stop', () => {
  it('pages NO_QUORUM once and names both sentinels, then resolves everything when they are back', () => {
    // Prepare
    const w = new Watcher();
    const broken = (i: number) => {
      const s = healthySnapshot({ at: at(i) });
      fail(sentinelAt(s, 1), 'refused');
      fail(sentinelAt(s, 2), 'refused');
      return recount(s);
    };

    // Act
    w.poll(healthySnapshot({ at: at(0) }));
    for (let i = 1; i <= 5; i++) w.poll(broken(i));
    for (let i = 6; i <= 8; i++) w.poll(healthySnapshot({ at: at(i) }));

    // Assess
    expect(w.log).toEqual([
      'opened NO_QUORUM deployment critical',
      'opened SENTINEL_UNREACHABLE sentinel 10.0.1.62:26379 warning',
      'opened SENTINEL_UNREACHABLE sentinel 10.0.1.63:26379 warning',
      'resolved NO_QUORUM deployment critical',
      'resolved SENTINEL_UNREACHABLE sentinel 10.0.1.62:26379 warning',
      'resolved SENTINEL_UNREACHABLE sentinel 10.0.1.63:26379 warning',
    ]);
  });
});

describe('Scenario: the watcher has the wrong passwords', () => {
  it('reports one AUTH_FAILED naming every server, and nothing else', () => {
    // Prepare
    const s = healthySnapshot();
    for (const n of s.nodes) fail(n, 'auth-rejected');
    for (const x of s.sentinels) fail(x, 'auth-rejected');
    recount(s);

    // Act
    const { findings } = run(s);

    // Assess
    expect(findings.map((f) => [f.code, f.subject])).toEqual([['AUTH_FAILED', 'deployment']]);
    expect(findings[0].details?.servers).toHaveLength(6);
  });
});
