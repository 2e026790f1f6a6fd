import {
  fail,
  healthySnapshot,
  node,
  recount,
  run,
  sentinelAt,
  withCode,
} from '../../helpers/snapshot-factory';

const SECRET = 'hunter2-secret';

describe('Function: detect', () => {
  describe('Code: AUTH_FAILED', () => {
    it('blames the watcher secret when every data node rejects the password', () => {
      // Prepare
      const current = healthySnapshot();
      for (const n of current.nodes) fail(n, 'auth-rejected');

      // Act
      const result = run(current);
      const found = withCode(result, 'AUTH_FAILED');

      // Assess
      // One cause (the watcher's secret), one finding: not one page per node.
      expect(found.map((f) => [f.subject, f.severity])).toEqual([['deployment', 'critical']]);
      expect(found[0].message).toContain('refused by every server it asks');
      expect(found[0].message).toContain('passwordEnv or passwordSecretArn is wrong');
      expect(found[0].details).toMatchObject({
        errorClasses: ['auth-rejected'],
        fix: 'watcher',
        servers: ['node 10.0.1.61:6379', 'node 10.0.1.62:6379', 'node 10.0.1.63:6379'],
      });
    });

    it('says a server without ACL users (Redis 5) refused the username, and how to fix it', () => {
      // Prepare
      const current = healthySnapshot();
      for (const n of current.nodes) {
        fail(n, 'auth-rejected');
        n.error!.message = "ERR wrong number of arguments for 'auth' command";
      }
      fail(sentinelAt(current, 1), 'auth-rejected');
      sentinelAt(current, 1).error!.message = "ERR wrong number of arguments for 'auth' command";

      // Act
      const found = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found.map((f) => f.subject)).toEqual(['deployment', 'sentinel 10.0.1.62:26379']);
      expect(found[0].message).toContain('does not support ACL users (it predates Redis 6.0');
      expect(found[0].message).toContain('Remove username from the watcher');
      expect(found[1].message).toContain('Remove sentinelUsername from the watcher');
    });

    it('blames the node when only one node rejects the password the others accept', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 2), 'auth-rejected');

      // Act
      const [found] = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found).toMatchObject({
        severity: 'warning',
        subject: 'node 10.0.1.63:6379',
        details: { fix: 'server' },
      });
      expect(found.message).toContain('its requirepass differs');
    });

    it('says the watcher sent no password when a node requires one', () => {
      // Prepare
      const current = healthySnapshot();
      for (const n of current.nodes) fail(n, 'auth-required');

      // Act
      const [found] = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found.message).toContain('requires a password and the watcher sent none');
      expect(found.message).toContain('set passwordEnv or passwordSecretArn');
    });

    it('names the unprotected node when a password is sent where none is set, as a warning', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 1), 'auth-not-configured');

      // Act
      const result = run(current);
      const [found] = withCode(result, 'AUTH_FAILED');

      // Assess
      expect(found).toMatchObject({
        severity: 'warning',
        subject: 'node 10.0.1.62:6379',
        details: { fix: 'server' },
      });
      expect(found.message).toContain(
        'has no password (requirepass is not set) while the other data nodes accept',
      );
      expect(result.findings.map((f) => f.code)).toEqual(['AUTH_FAILED']);
    });

    it('tells to remove the watcher password when no node has one', () => {
      // Prepare
      const current = healthySnapshot();
      for (const n of current.nodes) fail(n, 'auth-not-configured');

      // Act
      const [found] = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found.message).toContain('remove passwordEnv/passwordSecretArn');
    });

    it('reports sentinels with the sentinel password settings, critical when all reject it', () => {
      // Prepare
      const current = healthySnapshot();
      for (const s of current.sentinels) fail(s, 'auth-rejected');
      recount(current);

      // Act
      const found = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found.map((f) => [f.subject, f.severity])).toEqual([['deployment', 'critical']]);
      expect(found[0].message).toContain('sentinelPasswordEnv or sentinelPasswordSecretArn');
      expect(found[0].details?.servers).toHaveLength(3);
    });

    it('is a warning for one sentinel that requires a password the others do not', () => {
      // Prepare
      const current = healthySnapshot();
      fail(sentinelAt(current, 0), 'auth-required');
      recount(current);

      // Act
      const [found] = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found).toMatchObject({ severity: 'warning', subject: 'sentinel 10.0.1.61:26379' });
      expect(found.message).toContain('this sentinel alone has requirepass set');
    });

    it('never contains the password, even when the probe message carried one', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 0), 'auth-rejected');
      node(current, 0).error = { class: 'auth-rejected', message: `WRONGPASS ${SECRET}`, command: 'AUTH' };

      // Act
      const text = JSON.stringify(run(current).findings);

      // Assess
      expect(text).not.toContain(SECRET);
    });

    it('is not raised when every server accepts the credentials', () => {
      // Act
      const found = withCode(run(healthySnapshot()), 'AUTH_FAILED');

      // Assess
      expect(found).toEqual([]);
    });

    it('is not raised for a server that is down for another reason', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 1), 'refused');

      // Act
      const found = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found).toEqual([]);
    });

    it('keeps a node with its own password apart from the watcher’s wrong sentinel secret: one finding each', () => {
      // Prepare
      const current = healthySnapshot();
      fail(node(current, 2), 'auth-rejected');
      for (const s of current.sentinels) fail(s, 'auth-rejected');
      recount(current);

      // Act
      const found = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found.map((f) => [f.subject, f.details?.fix])).toEqual([
        ['deployment', 'watcher'],
        ['node 10.0.1.63:6379', 'server'],
      ]);
      expect(found[0].details?.servers).toEqual([
        'sentinel 10.0.1.61:26379',
        'sentinel 10.0.1.62:26379',
        'sentinel 10.0.1.63:26379',
      ]);
    });

    it('reports a single server on the watcher’s side under its own name (nothing to group)', () => {
      // Prepare: the master rejects the password; both replicas are down, so nothing says who is right
      const current = healthySnapshot();
      fail(node(current, 0), 'auth-rejected');
      fail(node(current, 1), 'refused');
      fail(node(current, 2), 'refused');

      // Act
      const found = withCode(run(current), 'AUTH_FAILED');

      // Assess
      expect(found.map((f) => [f.subject, f.severity])).toEqual([['node 10.0.1.61:6379', 'critical']]);
    });
  });
});
