import { incidentKey, type Notification } from '../../../lambdas/core/incidents';
import type { Finding } from '../../../lambdas/core/types';
import { at, Lifecycle, lagging } from '../helpers/incident-lifecycle';
import { NOW } from '../helpers/snapshot-factory';

describe('Function: advanceIncidents', () => {
  describe('Keying', () => {
    it('keeps one incident per code and subject', () => {
      // Prepare
      const other: Finding = { ...lagging, subject: 'node 10.0.1.63:6379' };
      const linkDown: Finding = { ...lagging, code: 'REPLICA_LINK_DOWN' };
      const life = new Lifecycle(60, () => 0);

      // Act
      const sent = life.poll([lagging, other, linkDown, { ...lagging, message: 'duplicate' }], at(0));

      // Assess
      expect(sent.map((n) => `${n.code} ${n.subject}`)).toEqual([
        'REPLICA_LAGGING node 10.0.1.62:6379',
        'REPLICA_LAGGING node 10.0.1.63:6379',
        'REPLICA_LINK_DOWN node 10.0.1.62:6379',
      ]);
      expect(Object.keys(life.state.incidents).sort()).toEqual([
        'REPLICA_LAGGING node 10.0.1.62:6379',
        'REPLICA_LAGGING node 10.0.1.63:6379',
        'REPLICA_LINK_DOWN node 10.0.1.62:6379',
      ]);
    });

    it('resolves one subject while another with the same code stays open', () => {
      // Prepare
      const other: Finding = { ...lagging, subject: 'node 10.0.1.63:6379' };
      const life = new Lifecycle();
      life.poll([lagging, other], at(0));

      // Act
      life.poll([other], at(1));
      const sent = life.poll([other], at(2));

      // Assess
      expect(sent.map((n) => [n.type, n.subject])).toEqual([['resolved', 'node 10.0.1.62:6379']]);
    });

    it('keeps the latest message and details of a persisting finding for its reminders', () => {
      // Prepare
      const life = new Lifecycle(60);
      life.poll([lagging], at(0));

      // Act
      life.poll([{ ...lagging, message: 'Worse now.', details: { lagBytes: 9_000_000 } }], at(30));
      const [reminder] = life.poll(
        [{ ...lagging, message: 'Worse now.', details: { lagBytes: 9_000_000 } }],
        at(60),
      );

      // Assess
      expect(reminder.message).toBe('Still open after 60 min: Worse now.');
      expect(reminder.details).toEqual({ lagBytes: 9_000_000, returns: 0 });
    });
  });

  describe('Grace periods', () => {
    const unreachable: Finding = {
      code: 'MASTER_UNREACHABLE',
      severity: 'critical',
      subject: 'node 10.0.1.61:6379',
      message: 'The master does not answer.',
    };
    const seconds = (s: number) => NOW + s * 1000;

    it('never announces a condition that is gone within its grace period', () => {
      // Prepare: MASTER_UNREACHABLE has 10 s of grace
      const life = new Lifecycle();

      // Act: seen at 0 s and 3 s (a failover in progress), gone at 4 s and after
      life.poll([unreachable], seconds(0));
      life.poll([unreachable], seconds(3));
      life.poll([], seconds(4));
      life.poll([], seconds(5));

      // Assess
      expect(life.sent).toEqual([]);
      expect(life.state.incidents).toEqual({});
    });

    it('opens it once it outlasts the grace period, dated from when it was first seen', () => {
      const life = new Lifecycle();
      expect(life.poll([unreachable], seconds(0))).toEqual([]);
      expect(life.poll([unreachable], seconds(5))).toEqual([]);
      const sent = life.poll([unreachable], seconds(10));
      expect(sent).toMatchObject([
        { type: 'opened', code: 'MASTER_UNREACHABLE', openedAt: new Date(seconds(0)).toISOString() },
      ]);
      expect(life.poll([unreachable], seconds(15))).toEqual([]);
      life.poll([], seconds(20));
      expect(life.poll([], seconds(25))).toMatchObject([{ type: 'resolved', durationMs: 20_000 }]);
    });

    it('opens a stuck (critical) failover at once, a normal one only after 30 s', () => {
      const failover: Finding = {
        code: 'FAILOVER_IN_PROGRESS',
        severity: 'warning',
        subject: 'deployment',
        message: 'A failover runs.',
      };
      const life = new Lifecycle();
      expect(life.poll([failover], seconds(0))).toEqual([]);
      expect(life.poll([{ ...failover, severity: 'critical' }], seconds(6))).toMatchObject([
        { type: 'opened', severity: 'critical' },
      ]);
    });

    it('pages conditions without a grace period on first sight', () => {
      expect(new Lifecycle().poll([lagging], seconds(0))).toMatchObject([
        { type: 'opened', code: 'REPLICA_LAGGING' },
      ]);
    });
  });

  describe('Returns after a resolve, and events folded into an incident', () => {
    const noQuorum: Finding = {
      code: 'NO_QUORUM',
      severity: 'critical',
      subject: 'deployment',
      message: 'No automatic failover is possible.',
    };
    const seconds = (s: number) => NOW + s * 1000;

    it('announces a real problem that follows a resolved blip once it has lasted 20 s (silent until the next reminder before)', () => {
      // Prepare: a 2 s blip, resolved; 37 s after it cleared the real outage starts (polls every 5 s)
      const life = new Lifecycle(60);
      life.poll([noQuorum], seconds(0));
      life.poll([noQuorum], seconds(2));
      life.poll([], seconds(4));
      life.poll([], seconds(6)); // resolved

      // Act
      const sent: Notification[] = [];
      for (let t = 41; t <= 120; t += 5) sent.push(...life.poll([noQuorum], seconds(t)));

      // Assess
      expect(life.sent.slice(0, 2).map((n) => n.type)).toEqual(['opened', 'resolved']);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        type: 'reminder',
        code: 'NO_QUORUM',
        at: new Date(seconds(61)).toISOString(),
      });
      expect(sent[0].message).toMatch(/^Back again for 20 s after it had cleared: No automatic failover/);
      expect(sent[0].incidentId).toBe(life.sent[0].incidentId);
    });

    it('announces a real problem after two blips: the user was last told "resolved"', () => {
      // Prepare: blip 1 (opened, resolved), blip 2 (back for one poll, silent), then the real outage
      const life = new Lifecycle(60);
      life.poll([noQuorum], seconds(0));
      life.poll([], seconds(5));
      life.poll([], seconds(10)); // resolved
      life.poll([noQuorum], seconds(15)); // blip 2: not confirmed
      life.poll([], seconds(20));
      life.poll([], seconds(25));

      // Act
      const sent: Notification[] = [];
      for (let t = 40; t <= 120; t += 5) sent.push(...life.poll([noQuorum], seconds(t)));

      // Assess
      expect(life.sent.slice(0, 2).map((n) => n.type)).toEqual(['opened', 'resolved']);
      expect(sent.map((n) => [n.type, n.at])).toEqual([['reminder', new Date(seconds(60)).toISOString()]]);
      expect(sent[0].message).toMatch(/^Back again for 20 s after it had cleared/);
    });

    it('keeps a return that clears before it is confirmed silent: a fast flap pages once per reminder period', () => {
      // Prepare: present for one 10 s poll, absent for two, for 50 minutes
      const life = new Lifecycle(60);

      // Act
      for (let t = 0; t < 3000; t += 10) life.poll(t % 30 === 0 ? [noQuorum] : [], seconds(t));

      // Assess
      const pages = life.sent.filter((n) => n.type === 'opened' || n.type === 'reminder');
      expect(pages.map((n) => n.type)).toEqual(['opened']);
    });

    it('confirms a return only after two polls, however far apart', () => {
      // Prepare: the Lambda polls once a minute
      const life = new Lifecycle(60);
      life.poll([noQuorum], at(0));
      life.poll([], at(1));
      life.poll([], at(2)); // resolved

      // Act
      const first = life.poll([noQuorum], at(5));
      const second = life.poll([noQuorum], at(6));

      // Assess
      expect(first).toEqual([]);
      expect(second.map((n) => n.type)).toEqual(['reminder']);
      expect(second[0].message).toMatch(/^Back again for 60 s after it had cleared/);
    });

    it('waits a grace period longer than 20 s before confirming a return of that condition', () => {
      // Prepare: NO_FAILOVER_TARGET has a 30 s grace
      const target: Finding = {
        ...noQuorum,
        code: 'NO_FAILOVER_TARGET',
        message: 'Automatic failover is impossible now.',
      };
      const life = new Lifecycle(60);
      for (const t of [0, 10, 20, 30]) life.poll([target], seconds(t)); // opened at 30
      life.poll([], seconds(40));
      life.poll([], seconds(50)); // resolved

      // Act
      const sent = [60, 70, 80, 90].map((t) => life.poll([target], seconds(t)).map((n) => n.type));

      // Assess
      expect(sent).toEqual([[], [], [], ['reminder']]);
    });

    it('tells the restart of a server that was unreachable in its resolve, not as a page of its own', () => {
      // Prepare
      const unreachable: Finding = {
        code: 'REPLICA_UNREACHABLE',
        severity: 'warning',
        subject: 'node 10.0.1.63:6379',
        message: 'Replica 10.0.1.63:6379 refuses connections.',
      };
      const restarted: Finding = {
        code: 'NODE_RESTARTED',
        severity: 'warning',
        subject: 'node 10.0.1.63:6379',
        message: 'Node 10.0.1.63:6379 restarted 4 s ago.',
      };
      const life = new Lifecycle(60);
      life.poll([unreachable], at(0));
      life.poll([unreachable], at(1));

      // Act
      const back = life.poll([restarted], at(2));
      const quiet = life.poll([], at(3));

      // Assess
      expect(back).toEqual([]);
      expect(quiet).toHaveLength(1);
      expect(quiet[0]).toMatchObject({ type: 'resolved', code: 'REPLICA_UNREACHABLE' });
      expect(quiet[0].message).toContain('Meanwhile: Node 10.0.1.63:6379 restarted 4 s ago.');
      expect(life.sent.map((n) => n.type)).toEqual(['opened', 'resolved']);
      expect(life.state.incidents[incidentKey('REPLICA_UNREACHABLE', 'node 10.0.1.63:6379')].folded).toEqual(
        [],
      );
    });

    it('still pages a critical restart (a master back without a failover) beside its open incident', () => {
      // Prepare
      const unreachable: Finding = {
        code: 'MASTER_UNREACHABLE',
        severity: 'critical',
        subject: 'node 10.0.1.61:6379',
        message: 'The master does not answer.',
      };
      const life = new Lifecycle(60, () => 0);
      life.poll([unreachable], at(0));

      // Act
      const sent = life.poll(
        [{ ...unreachable, code: 'NODE_RESTARTED', message: 'The master restarted without a failover.' }],
        at(1),
      );

      // Assess
      expect(sent.map((n) => [n.type, n.code])).toEqual([['event', 'NODE_RESTARTED']]);
    });

    it('reads an incident state stored before returns and folded events were kept', () => {
      // Prepare: a resolved incident as stored by the previous version (no returnedAt/returnPolls/folded)
      const life = new Lifecycle(60);
      life.poll([noQuorum], at(0));
      life.poll([], at(1));
      life.poll([], at(2));
      const key = incidentKey('NO_QUORUM', 'deployment');
      const { returnedAt: _r, returnPolls: _p, folded: _f, ...stored } = life.state.incidents[key];
      life.state = { ...life.state, incidents: { [key]: stored } };

      // Act
      const sent = [5, 6].map((m) => life.poll([noQuorum], at(m)).map((n) => n.type));

      // Assess
      expect(sent).toEqual([[], ['reminder']]);
    });
  });
});
