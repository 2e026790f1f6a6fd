import {
  codesOf,
  fail,
  flagDown,
  healthySnapshot,
  legacySnapshot,
  MASTER_NAME,
  masterPayload,
  NOW,
  node,
  pingHistory,
  refusePing,
  run,
  sentinelAt,
  sentinelEvent,
  sentinelsCannotAuthenticate,
  withCode,
} from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  describe('Code: SENTINEL_SEES_DOWN', () => {
    it('warns when one sentinel cannot authenticate to the nodes that answer the watcher (a wrong auth-pass)', () => {
      // Prepare: the LAB-NOTES case: master and replicas flagged s_down,disconnected, NOAUTH replies
      const current = healthySnapshot();
      sentinelsCannotAuthenticate(current, [0]);

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['SENTINEL_SEES_DOWN']); // check said OK before: nothing else fires
      const [found] = withCode(result, 'SENTINEL_SEES_DOWN');
      expect(found).toMatchObject({ severity: 'warning', subject: 'deployment' });
      expect(found.message).toContain(
        'Sentinel 10.0.1.61:26379: it flags master 10.0.1.61:6379, replica 10.0.1.62:6379, replica 10.0.1.63:6379 down',
      );
      expect(found.message).toContain('auth-pass for mymaster is most likely missing or wrong');
      expect(found.message).toContain("SENTINEL SET mymaster auth-pass <the nodes' password>");
      expect(found.message).toContain('casts a standing "down" vote for the master');
      expect(found.message).toContain('1 more sentinel losing sight of it');
      expect(found.details).toMatchObject({ masterDownVotes: 1, quorum: 2, replicasBlocked: false });
      expect((found.details!.spots as { cause: string }[]).map((s) => s.cause)).toEqual([
        'auth',
        'auth',
        'auth',
      ]);
    });

    it('is critical when every sentinel flags the working master down: they keep trying to fail it over', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelsCannotAuthenticate(current);

      // Act
      const result = run(current);

      // Assess
      // Not NO_FAILOVER_TARGET (the replicas are fine, only the sentinels cannot use them), not
      // MASTER_UNREACHABLE (it answers): one cause, one finding.
      expect(codesOf(result)).toEqual(['SENTINEL_SEES_DOWN']);
      const [found] = result.findings;
      expect(found.severity).toBe('critical');
      expect(found.message).toContain('3 sentinels (quorum 2) consider the master down although it works');
      expect(found.message).toContain('no sentinel can use any replica, so no failover can succeed');
      expect(found.details).toMatchObject({ masterDownVotes: 3, replicasBlocked: true });
    });

    it('tells the failovers that abort every ~20 s inside the same finding, not as a second page', () => {
      // Prepare
      const current = healthySnapshot();
      sentinelsCannotAuthenticate(current);
      const events = [
        sentinelEvent(NOW - 3000, '+sdown', masterPayload()),
        sentinelEvent(NOW - 2900, '+odown', `${masterPayload()} #quorum 3/2`),
        sentinelEvent(NOW - 2800, '+try-failover', masterPayload()),
        sentinelEvent(NOW - 2700, '-failover-abort-no-good-slave', masterPayload()),
      ];

      // Act
      const result = run(current, { events });

      // Assess
      expect(codesOf(result)).toEqual(['SENTINEL_SEES_DOWN']);
      const [found] = result.findings;
      expect(found.message).toContain(
        'Sentinel has tried to fail over and aborted (-failover-abort-no-good-slave)',
      );
      expect(found.details?.abortedFailovers).toMatchObject({
        attempts: 1,
        reasons: ['-failover-abort-no-good-slave'],
      });
      expect(result.state.lastAbortAt).toBe(NOW - 2700);
    });

    it('names a renamed PING as the cause when the node refuses PING to the watcher as well', () => {
      // Prepare
      const current = healthySnapshot();
      refusePing(node(current, 1), "ERR unknown command 'PING', with args beginning with: ");
      for (const s of current.sentinels) flagDown(s.replicas[0], 'errors');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['SENTINEL_SEES_DOWN']);
      const [found] = result.findings;
      expect(found.message).toContain('PING is renamed or disabled on the node (rename-command)');
      expect(found.message).toContain(`SENTINEL SET ${MASTER_NAME} rename-command PING <the new name>`);
      expect(found.message).not.toContain('auth-pass');
      expect((found.details!.spots as { cause: string }[])[0].cause).toBe('ping-renamed');
    });

    it('names the network when the sentinel gets no reply at all from a node the watcher reads', () => {
      // Prepare
      const current = healthySnapshot();
      flagDown(sentinelAt(current, 2).replicas[1], 'nothing');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['SENTINEL_SEES_DOWN']);
      const [found] = result.findings;
      expect(found.severity).toBe('warning');
      expect(found.message).toContain('Sentinel 10.0.1.63:26379: it flags replica 10.0.1.63:6379 down');
      expect(found.message).toContain('it gets no reply at all while the watcher does');
      expect(found.message).toContain('redis-cli -h <ip> -p <port> PING');
      expect(found.message).toContain('will not promote it');
      expect(found.message).not.toContain('auth-pass');
    });

    it('names sentinel-to-sentinel auth when sentinels answer each other with errors', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) for (const p of s.sentinels) flagDown(p, 'errors');

      // Act
      const [found] = withCode(run(current), 'SENTINEL_SEES_DOWN');

      // Assess
      expect(found.message).toContain('cannot authenticate to its peers');
      expect(found.message).toContain('sentinel-user/sentinel-pass');
      expect(found.message).toContain('cannot authorise a failover together');
      expect((found.details!.spots as { kind: string; cause: string }[])[0]).toMatchObject({
        kind: 'sentinel',
        cause: 'sentinel-auth',
      });
    });

    it('is not raised for a flag about to clear (an OK reply within down-after), nor by a sentinel in TILT', () => {
      // Prepare
      const blip = healthySnapshot();
      const view = sentinelAt(blip, 0).master!;
      view.flags = ['s_down', 'master'];
      pingHistory(view, 1200, 100); // down-after is 5 s
      const tilted = healthySnapshot();
      sentinelsCannotAuthenticate(tilted, [0]);
      sentinelAt(tilted, 0).tilt = true;

      // Act
      const a = withCode(run(blip), 'SENTINEL_SEES_DOWN');
      const b = withCode(run(tilted), 'SENTINEL_SEES_DOWN');

      // Assess
      expect(a).toEqual([]);
      expect(b).toEqual([]);
    });

    it('is not raised for a server the watcher cannot read either: that is *_UNREACHABLE only', () => {
      // Prepare: the replica is really down, and every sentinel says so
      const current = healthySnapshot();
      fail(node(current, 2), 'refused');
      for (const s of current.sentinels) flagDown(s.replicas[1], 'nothing');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['REPLICA_UNREACHABLE']);
    });

    it("leaves a master refusing PING with MISCONF to the master's own finding", () => {
      // Prepare: MISCONF makes PING fail for everyone, so the sentinels see the master down
      const current = healthySnapshot();
      const misconf =
        'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.';
      refusePing(node(current, 0), misconf);
      node(current, 0).writeProbe = { ok: false, errorCode: 'MISCONF', message: misconf };
      node(current, 0).stats!.rdbLastBgsaveOk = false;
      for (const s of current.sentinels) flagDown(s.master!, 'errors');

      // Act
      const result = run(current);

      // Assess
      expect(codesOf(result)).toEqual(['MASTER_NOT_WRITABLE']);
    });

    it('raises nothing on a healthy deployment, nor on a snapshot stored before the PING history existed', () => {
      // Act
      const healthy = run(healthySnapshot());
      const legacy = run(legacySnapshot(healthySnapshot()));

      // Assess
      expect(healthy.findings).toEqual([]);
      expect(legacy.findings).toEqual([]);
    });

    it('still judges a stored snapshot without last-ping-reply, and does not crash on it', () => {
      // Prepare: a sentinel flagged the master down while the watcher read it; the newer field is absent
      const current = healthySnapshot();
      sentinelsCannotAuthenticate(current, [0]);
      const stored = legacySnapshot(current);

      // Act
      const found = withCode(run(stored), 'SENTINEL_SEES_DOWN');

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0].severity).toBe('warning');
    });
  });
});
