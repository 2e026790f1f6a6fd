// Scenarios: the sentinels cannot use servers that answer the watcher (Sentinel's own view as a fact).
// Real sentinels with a wrong auth-pass, a renamed PING, on a real 1+2+3 topology.

import { appendFile, readFile, writeFile } from 'node:fs/promises';
import type { WatchStep } from '../../../lambdas/probe/deployment-watcher';
import {
  hasFinding,
  hasNotification,
  healthy,
  lastFindings,
  noFinding,
  notifications,
  onSentinels,
  pollUntil,
  summary,
  useTopology,
  watchUntil,
} from './harness';

const scenario = useTopology('it-sentinel-view', { basePort: 7500 });

afterEach(async () => {
  await healthy(scenario());
}, 60_000);

describe('Scenario family: Sentinel sees servers down that answer the watcher', () => {
  it('one sentinel with a wrong auth-pass: a warning naming it and the fix; resolved once fixed', async () => {
    // Prepare
    const s = scenario();
    const bad = s.topo.sentinelPorts[1];
    const w = s.watcher();
    expect((await w.pollOnce()).findings).toEqual([]);

    // Act
    await s.topo.withClient(bad, (c) =>
      c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', 'not-the-password'),
    );
    try {
      const steps = await pollUntil(w, hasNotification('opened', 'SENTINEL_SEES_DOWN'), 30_000, 500);

      // Assess: one page, a warning (one sentinel is a standing down vote, not an outage), the cause
      expect(notifications(steps).map((n) => `${n.type} ${n.code} ${n.severity}`)).toEqual([
        'opened SENTINEL_SEES_DOWN warning',
      ]);
      const found = lastFindings(steps).filter((f) => f.code === 'SENTINEL_SEES_DOWN');
      expect(summary(found)).toEqual(['SENTINEL_SEES_DOWN warning deployment']);
      expect(found[0].message).toContain(`Sentinel 127.0.0.1:${bad}`);
      expect(found[0].message).toContain('auth-pass');
      expect(found[0].message).toContain(`SENTINEL SET ${s.topo.masterName} auth-pass`);
      expect(found[0].message).toContain('standing "down" vote');
      expect(found[0].details?.spots).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ sentinel: `127.0.0.1:${bad}`, kind: 'master', cause: 'auth' }),
        ]),
      );
      expect(JSON.stringify(steps)).not.toContain('not-the-password');
    } finally {
      // Undo
      await s.topo.withClient(bad, (c) =>
        c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', s.topo.password),
      );
    }
    const after = await pollUntil(w, hasNotification('resolved', 'SENTINEL_SEES_DOWN'), 30_000, 500);
    expect(notifications(after).map((n) => `${n.type} ${n.code}`)).toEqual(['resolved SENTINEL_SEES_DOWN']);
  }, 90_000);

  it('every sentinel with a wrong auth-pass: critical, and the aborted failovers are told inside it, not paged apart', async () => {
    // Prepare: watch with events, as `watch` and the poller do
    const s = scenario();
    const w = s.watcher({}, { events: true });

    // Act: the nodes' password rotated, the sentinels not told
    await onSentinels(s, (c) =>
      c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', 'rotated-elsewhere'),
    );
    try {
      // Until an abort heard on the sentinels' channels is told (one inferred from their leader
      // elections may come first: both are folded the same way)
      const abortEvent = (f: { details?: Readonly<Record<string, unknown>> }) =>
        ((f.details?.abortedFailovers as { reasons?: string[] } | undefined)?.reasons ?? []).length > 0;
      const steps = await watchUntil(
        w,
        (all) =>
          notifications(all).some((n) => n.type === 'opened' && n.code === 'SENTINEL_SEES_DOWN') &&
          all.some((st) => st.findings.some((f) => f.code === 'SENTINEL_SEES_DOWN' && abortEvent(f))),
        90_000,
      );

      // Assess: one page, critical; the failover attempts are told in it (a poll may catch one in
      // progress, which would page only if it lasted its grace period: it never does)
      expect(notifications(steps).map((n) => `${n.type} ${n.code} ${n.severity}`)).toEqual([
        'opened SENTINEL_SEES_DOWN critical',
      ]);
      const found = steps.flatMap((st) => st.findings).find(abortEvent)!;
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('consider the master down although it works');
      expect(found.message).toContain('no sentinel can use any replica');
      expect(found.message).toContain('-failover-abort-no-good-slave');
    } finally {
      // Undo
      await onSentinels(s, (c) => c.call('SENTINEL', 'SET', s.topo.masterName, 'auth-pass', s.topo.password));
    }
    await pollUntil(s.watcher(), noFinding('SENTINEL_SEES_DOWN'), 30_000, 500);
  }, 150_000);

  it('a sentinel that renames PING (rename-command): named, with the other commands in its config', async () => {
    // Prepare
    const s = scenario();
    const bad = s.topo.sentinelPorts[2];
    const w = s.watcher();

    // Act
    await s.topo.withClient(bad, (c) =>
      c.call('SENTINEL', 'SET', s.topo.masterName, 'rename-command', 'PING', 'PONG'),
    );
    try {
      // (it flags its peers too: rename-command applies to every instance it talks to for the master)
      const flagsMaster = (all: readonly WatchStep[]) =>
        lastFindings(all).some((f) =>
          ((f.details?.spots ?? []) as { kind: string }[]).some((x) => x.kind === 'master'),
        );
      const steps = await pollUntil(w, flagsMaster, 30_000, 500);

      // Assess
      const found = lastFindings(steps).filter((f) => f.code === 'SENTINEL_SEES_DOWN');
      expect(summary(found)).toEqual(['SENTINEL_SEES_DOWN warning deployment']);
      expect(found[0].message).toContain('rename-command');
      expect(found[0].message).toContain(`Sentinel 127.0.0.1:${bad}`);
    } finally {
      // Undo
      await s.topo.withClient(bad, (c) =>
        c.call('SENTINEL', 'SET', s.topo.masterName, 'rename-command', 'PING', 'PING'),
      );
    }
  }, 90_000);

  it('a replica with PING renamed away: every sentinel flags it down, and the fix is on the sentinels', async () => {
    // Prepare: PING renamed in the replica's config file (it can only be set there), then restarted
    const s = scenario();
    const master = (await s.topo.currentMaster())!;
    const replica = s.topo.dataPorts.find((p) => p !== master.port)!;
    const record = s.topo.processes.find((p) => p.port === replica)!;
    const original = await readFile(record.config, 'utf8');
    await appendFile(record.config, '\nrename-command PING ""\n');
    await s.topo.restart(replica).catch(() => undefined); // it cannot answer PING any more
    try {
      // Act
      const steps = await pollUntil(s.watcher(), hasFinding('SENTINEL_SEES_DOWN'), 30_000, 500);

      // Assess
      const found = lastFindings(steps).find((f) => f.code === 'SENTINEL_SEES_DOWN')!;
      expect(found.message).toContain('PING is renamed or disabled on the node');
      expect(found.message).toContain(`SENTINEL SET ${s.topo.masterName} rename-command PING`);
      expect(found.details?.spots).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ target: `127.0.0.1:${replica}`, cause: 'ping-renamed' }),
        ]),
      );
      expect(lastFindings(steps).filter((f) => f.severity === 'critical')).toEqual([]);
    } finally {
      // Undo
      await writeFile(record.config, original.replace(/\nrename-command PING ""\n/g, '\n'));
      await s.topo.restart(replica);
    }
  }, 90_000);
});
