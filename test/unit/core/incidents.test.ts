import { incidentKey } from '../../../lambdas/core/incidents';
import type { Finding } from '../../../lambdas/core/types';
import { at, Lifecycle, lagging } from '../helpers/incident-lifecycle';
import { MINUTE } from '../helpers/snapshot-factory';

describe('Function: advanceIncidents', () => {
  it('opens an incident for a new finding with an `opened` notification', () => {
    // Prepare
    const life = new Lifecycle();

    // Act
    const sent = life.poll([lagging], at(0));

    // Assess
    expect(sent).toEqual([
      {
        type: 'opened',
        code: 'REPLICA_LAGGING',
        severity: 'warning',
        subject: 'node 10.0.1.62:6379',
        message: 'Replica 10.0.1.62:6379 is lagging.',
        deployment: 'prod-cache',
        at: '2026-05-01T10:00:00.000Z',
        incidentId: 'prod-cache:REPLICA_LAGGING node 10.0.1.62:6379@2026-05-01T10:00:00.000Z',
        openedAt: '2026-05-01T10:00:00.000Z',
        details: { lagBytes: 5_000_000, lagSeconds: 0 },
      },
    ]);
    expect(Object.keys(life.state.incidents)).toEqual(['REPLICA_LAGGING node 10.0.1.62:6379']);
  });

  it('sends nothing while the finding persists, then a reminder every reminderMinutes', () => {
    // Prepare
    const life = new Lifecycle(60);

    // Act
    for (let m = 0; m <= 130; m++) life.poll([lagging], at(m));

    // Assess
    expect(life.sent.map((n) => [n.type, n.at])).toEqual([
      ['opened', '2026-05-01T10:00:00.000Z'],
      ['reminder', '2026-05-01T11:00:00.000Z'],
      ['reminder', '2026-05-01T12:00:00.000Z'],
    ]);
    const reminder = life.sent[1];
    expect(reminder.durationMs).toBe(60 * MINUTE);
    expect(reminder.message).toBe('Still open after 60 min: Replica 10.0.1.62:6379 is lagging.');
    expect(reminder.incidentId).toBe(life.sent[0].incidentId);
  });

  it('resolves after two polls without the finding, saying how long it lasted', () => {
    // Prepare
    const life = new Lifecycle();
    life.poll([lagging], at(0));
    life.poll([lagging], at(1));
    life.poll([lagging], at(2));

    // Act
    const firstAbsent = life.poll([], at(3));
    const secondAbsent = life.poll([], at(4));

    // Assess
    expect(firstAbsent).toEqual([]);
    expect(secondAbsent).toHaveLength(1);
    expect(secondAbsent[0]).toMatchObject({
      type: 'resolved',
      severity: 'warning',
      durationMs: 3 * MINUTE,
      openedAt: '2026-05-01T10:00:00.000Z',
      at: '2026-05-01T10:04:00.000Z',
    });
    expect(secondAbsent[0].message).toMatch(
      /^Resolved after 3 min: REPLICA_LAGGING on node 10\.0\.1\.62:6379 is no longer reported\./,
    );
  });

  it('does not resolve when the finding misses a single poll', () => {
    // Prepare
    const life = new Lifecycle();

    // Act
    life.poll([lagging], at(0));
    life.poll([], at(1));
    life.poll([lagging], at(2));
    life.poll([], at(3));
    life.poll([lagging], at(4));

    // Assess
    expect(life.sent.map((n) => n.type)).toEqual(['opened']);
  });

  it('reminds at once, with the new severity, when the finding escalates', () => {
    // Prepare
    const life = new Lifecycle();
    life.poll([lagging], at(0));

    // Act
    const sent = life.poll([{ ...lagging, severity: 'critical' }], at(5));
    const again = life.poll([{ ...lagging, severity: 'critical' }], at(6));
    const calmer = life.poll([lagging], at(7));

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'reminder',
      severity: 'critical',
      details: { escalatedFrom: 'warning' },
    });
    expect(sent[0].message).toMatch(/^Now critical \(was warning\), open for 5 min:/);
    expect(again).toEqual([]);
    expect(calmer).toEqual([]);
  });

  it('resolves with the highest severity it was notified at', () => {
    // Prepare
    const life = new Lifecycle();
    life.poll([{ ...lagging, severity: 'critical' }], at(0));
    life.poll([lagging], at(1));

    // Act
    life.poll([], at(2));
    const [resolved] = life.poll([], at(3));

    // Assess
    expect(resolved).toMatchObject({ type: 'resolved', severity: 'critical' });
  });

  describe('Flapping', () => {
    it('pages at most once per reminder period while a finding comes and goes, and resolves once it is stable', () => {
      // Prepare: present one poll in four for 3 hours, then gone
      const life = new Lifecycle(60);

      // Act
      for (let m = 0; m < 300; m++) life.poll(m < 180 && m % 4 === 0 ? [lagging] : [], at(m));

      // Assess
      const pages = life.sent.filter((n) => n.type === 'opened' || n.type === 'reminder');
      expect(pages.map((n) => [n.type, n.at])).toEqual([
        ['opened', '2026-05-01T10:00:00.000Z'],
        ['reminder', '2026-05-01T11:00:00.000Z'],
        ['reminder', '2026-05-01T12:00:00.000Z'],
      ]);
      const resolved = life.sent.filter((n) => n.type === 'resolved');
      // The first clear resolves; once it came back it is flapping and resolves only after 60 quiet minutes.
      expect(resolved.map((n) => n.at)).toEqual(['2026-05-01T10:02:00.000Z', '2026-05-01T13:57:00.000Z']);
      expect(resolved[1].message).toContain('It came back 44 times after clearing; quiet for 60 min now.');
      expect(pages[1].message).toMatch(
        /^Back again, open for 60 min and flapping \(came back \d+ times after clearing\)/,
      );
      expect(new Set(life.sent.map((n) => n.incidentId)).size).toBe(1);
    });

    it('reopens silently within the reminder period after a resolve', () => {
      // Prepare
      const life = new Lifecycle(60);
      life.poll([lagging], at(0));
      life.poll([], at(1));
      life.poll([], at(2)); // resolved

      // Act
      const back = life.poll([lagging], at(10));

      // Assess
      expect(back).toEqual([]);
      expect(life.state.incidents[incidentKey('REPLICA_LAGGING', 'node 10.0.1.62:6379')]).toMatchObject({
        status: 'open',
        reopens: 1,
      });
    });

    it('sends a reminder at once when it comes back and the last page is a reminder period old', () => {
      // Prepare: open for 90 min (reminded at 60), resolved at 92, back at 125
      const life = new Lifecycle(60);
      for (let m = 0; m <= 90; m++) life.poll([lagging], at(m));
      life.poll([], at(91));
      life.poll([], at(92));

      // Act
      const back = life.poll([lagging], at(125));

      // Assess
      expect(back).toHaveLength(1);
      expect(back[0]).toMatchObject({ type: 'reminder', incidentId: life.sent[0].incidentId });
      expect(back[0].message).toMatch(
        /^Back again, open for 2 h 5 min and flapping \(came back 1 time after clearing\)/,
      );
    });

    it('opens a new incident when it comes back after the cool-down', () => {
      // Prepare
      const life = new Lifecycle(60);
      life.poll([lagging], at(0));
      life.poll([], at(1));
      life.poll([], at(2)); // resolved
      life.poll([], at(70)); // cool-down over: forgotten

      // Act
      const back = life.poll([lagging], at(71));

      // Assess
      expect(Object.keys(life.state.incidents)).toHaveLength(1);
      expect(back).toHaveLength(1);
      expect(back[0].type).toBe('opened');
      expect(back[0].incidentId).not.toBe(life.sent[0].incidentId);
    });
  });

  describe('Events', () => {
    const switched = (from: string, to: string): Finding => ({
      code: 'MASTER_CHANGED',
      severity: 'critical',
      subject: 'deployment',
      message: `The sentinels switched the master from ${from} to ${to}.`,
      details: { previous: from, current: to },
    });

    it('sends one `event` per master switch, even two within a reminder period, and keeps no incident', () => {
      // Prepare
      const life = new Lifecycle(60);

      // Act
      const first = life.poll([switched('10.0.1.61:6379', '10.0.1.62:6379')], at(0));
      const quiet = life.poll([], at(1));
      const second = life.poll([switched('10.0.1.62:6379', '10.0.1.63:6379')], at(2));

      // Assess
      expect(first).toEqual([
        {
          type: 'event',
          code: 'MASTER_CHANGED',
          severity: 'critical',
          subject: 'deployment',
          message: 'The sentinels switched the master from 10.0.1.61:6379 to 10.0.1.62:6379.',
          deployment: 'prod-cache',
          at: '2026-05-01T10:00:00.000Z',
          incidentId: 'prod-cache:MASTER_CHANGED deployment@2026-05-01T10:00:00.000Z',
          openedAt: '2026-05-01T10:00:00.000Z',
          details: { previous: '10.0.1.61:6379', current: '10.0.1.62:6379' },
        },
      ]);
      expect(quiet).toEqual([]);
      expect(second.map((n) => [n.type, n.details?.current])).toEqual([['event', '10.0.1.63:6379']]);
      expect(life.state.incidents).toEqual({});
    });

    it('throttles NODE_RESTARTED of one node to one per reminder period, counting the rest', () => {
      // Prepare
      const restarted: Finding = {
        code: 'NODE_RESTARTED',
        severity: 'warning',
        subject: 'node 10.0.1.63:6379',
        message: 'Node restarted.',
      };
      const life = new Lifecycle(60);

      // Act: a crash loop, restarting every 5 minutes for 70 minutes
      for (let m = 0; m <= 70; m += 5) life.poll([restarted], at(m));

      // Assess
      expect(life.sent.map((n) => [n.type, n.at])).toEqual([
        ['event', '2026-05-01T10:00:00.000Z'],
        ['event', '2026-05-01T11:00:00.000Z'],
      ]);
      expect(life.sent[1].message).toBe('Node restarted. (11 more since the last report.)');
      expect(life.sent[1].details).toEqual({ suppressed: 11 });
    });
  });
});
