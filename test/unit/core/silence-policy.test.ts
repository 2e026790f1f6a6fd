// Silences poll by poll: the incident lifecycle (advanceIncidents) followed by applySilences, exactly
// as watch-cycle.ts and the poller compose them, on a fake clock of one poll a minute.

import { parseDeployment } from '../../../lambdas/core/config';
import { detectionSettings } from '../../../lambdas/core/detect';
import {
  advanceIncidents,
  emptyIncidentState,
  type IncidentState,
  type Notification,
} from '../../../lambdas/core/incidents';
import { newSilence, type Silence } from '../../../lambdas/core/silence';
import { applySilences, type SilenceState } from '../../../lambdas/core/silence-policy';
import type { Finding } from '../../../lambdas/core/types';
import { advanceWatch, emptyWatchState } from '../../../lambdas/core/watch-cycle';
import { fail, healthySnapshot, MINUTE, NOW, node } from '../helpers/snapshot-factory';

const DEPLOYMENT = 'prod-cache';
const REMINDER_MINUTES = 15;

const noQuorum: Finding = {
  code: 'NO_QUORUM',
  severity: 'critical',
  subject: 'deployment',
  message: 'CKQUORUM fails on every sentinel.',
};
const replicaDown: Finding = {
  code: 'REPLICA_UNREACHABLE',
  severity: 'warning',
  subject: 'node 10.0.1.62:6379',
  message: 'Replica 10.0.1.62:6379 refuses connections.',
};
const restarted: Finding = {
  code: 'NODE_RESTARTED',
  severity: 'warning',
  subject: 'node 10.0.1.63:6379',
  message: 'Node 10.0.1.63:6379 restarted.',
};

const silence = (overrides: Partial<Parameters<typeof newSilence>[0]> = {}): Silence =>
  newSilence({
    id: 's-00000000a1',
    deployment: DEPLOYMENT,
    startsAt: NOW,
    durationMs: 30 * MINUTE,
    reason: 'OS patching, CHG-1234',
    createdBy: 'alice@bastion',
    now: NOW,
    ...overrides,
  });

/** One deployment watched one poll at a time, the way the shells do it. */
class Story {
  incidents: IncidentState = emptyIncidentState();
  silence: SilenceState | undefined = undefined;
  sent: Notification[] = [];
  held: Notification[] = [];

  constructor(public silences: readonly Silence[] | null) {}

  /** One poll at NOW + `minute` minutes with these findings; returns what went out. */
  poll(minute: number, findings: readonly Finding[]): Notification[] {
    const now = NOW + minute * MINUTE;
    const advanced = advanceIncidents({
      incidents: this.incidents,
      findings,
      deployment: DEPLOYMENT,
      now,
      reminderMinutes: REMINDER_MINUTES,
    });
    const result = applySilences({
      deployment: DEPLOYMENT,
      notifications: advanced.notifications,
      incidents: advanced.incidents,
      silences: this.silences,
      state: this.silence,
      now,
    });
    this.incidents = result.incidents;
    this.silence = result.state;
    this.sent.push(...result.notifications);
    this.held.push(...result.silenced.map((s) => s.notification));
    return result.notifications;
  }
}

const brief = (ns: readonly Notification[]) => ns.map((n) => `${n.type} ${n.code}`);

describe('Function: applySilences', () => {
  it('holds a critical back for the whole silence and announces it when the silence ends, once', () => {
    // Prepare: a 30-minute silence of the whole deployment from NOW
    const story = new Story([silence()]);

    // Act / Assess, poll by poll
    expect(story.poll(-1, [])).toEqual([]);
    expect(story.poll(1, [noQuorum])).toEqual([]); // opened: held
    for (let m = 2; m < 30; m++) expect(story.poll(m, [noQuorum])).toEqual([]); // reminder at 16: held
    expect(brief(story.held)).toEqual(['opened NO_QUORUM', 'reminder NO_QUORUM']);

    const atEnd = story.poll(30, [noQuorum]);
    expect(brief(atEnd)).toEqual(['opened NO_QUORUM']);
    expect(atEnd[0]).toMatchObject({
      severity: 'critical',
      at: new Date(NOW + 30 * MINUTE).toISOString(),
      openedAt: new Date(NOW + MINUTE).toISOString(),
      durationMs: 29 * MINUTE,
      details: { silenceId: 's-00000000a1', silenceEnded: true, heldAlerts: 2 },
    });
    expect(atEnd[0].message).toBe(
      'Silence s-00000000a1 (every alert of prod-cache: "OS patching, CHG-1234") ended (2 alerts held back); ' +
        'still open after 29 min: CKQUORUM fails on every sentinel.',
    );

    expect(story.poll(31, [noQuorum])).toEqual([]);
    expect(story.poll(32, [])).toEqual([]);
    const resolved = story.poll(33, []);
    expect(brief(resolved)).toEqual(['resolved NO_QUORUM']);
    expect(resolved[0].incidentId).toBe(atEnd[0].incidentId);
  });

  it('sends nothing for a problem that opens and resolves within the silence', () => {
    const story = new Story([silence()]);

    story.poll(1, [replicaDown]);
    story.poll(2, [replicaDown]);
    story.poll(3, []);
    story.poll(4, []); // resolved: dropped, nobody heard it open
    for (let m = 5; m <= 40; m++) story.poll(m, []);

    expect(story.sent).toEqual([]);
    expect(brief(story.held)).toEqual(['opened REPLICA_UNREACHABLE', 'resolved REPLICA_UNREACHABLE']);
  });

  it('still tells receivers that a problem paged before the silence is over, and holds its reminders', () => {
    // Prepare: the problem pages at minute -5, the silence starts at 0
    const story = new Story([silence()]);
    expect(brief(story.poll(-5, [noQuorum]))).toEqual(['opened NO_QUORUM']);

    // Act
    for (let m = -4; m <= 12; m++) story.poll(m, [noQuorum]); // reminder due at 10: held
    const gone = [story.poll(13, []), story.poll(14, [])].flat();

    // Assess
    expect(brief(story.held)).toEqual(['reminder NO_QUORUM']);
    expect(brief(gone)).toEqual(['resolved NO_QUORUM']);
    expect(brief(story.poll(30, []))).toEqual([]); // the silence ends with nothing left to tell
  });

  it('announces a held problem as a reminder when its opening had gone out before the silence', () => {
    const story = new Story([silence({ durationMs: 20 * MINUTE })]);
    story.poll(-5, [noQuorum]);
    for (let m = -4; m < 20; m++) story.poll(m, [noQuorum]);

    const atEnd = story.poll(20, [noQuorum]);

    expect(brief(atEnd)).toEqual(['reminder NO_QUORUM']);
    expect(atEnd[0].message).toMatch(
      /^Silence s-00000000a1 .* ended \(1 alert held back\); still open after 25 min/,
    );
  });

  it('covers only its code and subject: another problem of the same deployment pages', () => {
    const story = new Story([silence({ code: 'REPLICA_UNREACHABLE', subject: 'node 10.0.1.62:6379' })]);

    const sent = story.poll(1, [replicaDown, noQuorum, { ...replicaDown, subject: 'node 10.0.1.63:6379' }]);

    expect(sent.map((n) => `${n.code} ${n.subject}`)).toEqual([
      'NO_QUORUM deployment',
      'REPLICA_UNREACHABLE node 10.0.1.63:6379',
    ]);
    expect(story.held.map((n) => n.subject)).toEqual(['node 10.0.1.62:6379']);
  });

  it('ignores the silences of other deployments, and scheduled ones until they start', () => {
    const story = new Story([
      silence({ deployment: 'sessions' }),
      silence({ id: 's-00000000b2', startsAt: NOW + 10 * MINUTE }),
    ]);

    expect(brief(story.poll(1, [noQuorum]))).toEqual(['opened NO_QUORUM']);
    expect(story.poll(11, [noQuorum, replicaDown])).toEqual([]); // the scheduled one holds from 10
  });

  it('announces at the next poll when the silence is removed early (its end moved to now)', () => {
    const story = new Story([silence()]);
    story.poll(1, [noQuorum]);
    story.poll(2, [noQuorum]);

    // Act: `silence remove` at minute 3
    story.silences = [{ ...silence(), endsAt: new Date(NOW + 3 * MINUTE).toISOString(), endedBy: 'bob' }];
    const sent = story.poll(3, [noQuorum]);

    expect(brief(sent)).toEqual(['opened NO_QUORUM']);
  });

  it('holds events in a silence for good: they are history, not news, when it ends', () => {
    const story = new Story([silence()]);

    story.poll(1, [restarted]);
    const after = [story.poll(30, []), story.poll(31, [])].flat();

    expect(brief(story.held)).toEqual(['event NODE_RESTARTED']);
    expect(after).toEqual([]);
  });

  it('keeps honouring the silences it knows when a read fails, until they end', () => {
    const story = new Story([silence()]);
    story.poll(1, []);

    // Act: the store cannot be read from minute 2 on
    story.silences = null;
    const during = story.poll(2, [noQuorum]);
    const atEnd = story.poll(30, [noQuorum]);

    expect(during).toEqual([]);
    expect(brief(atEnd)).toEqual(['opened NO_QUORUM']);
  });

  it('keeps a problem that resolved quietly held if it comes back in the silence, and opens it after', () => {
    const story = new Story([silence()]);
    story.poll(1, [replicaDown]);
    story.poll(2, []);
    story.poll(3, []); // resolved quietly
    for (let m = 4; m < 30; m++) story.poll(m, [replicaDown]); // back: a held "back again" reminder

    const atEnd = story.poll(30, [replicaDown]);

    expect(brief(atEnd)).toEqual(['opened REPLICA_UNREACHABLE']);
    expect(story.sent).toEqual(atEnd);
  });

  it('says once that the silence ended when the problem escalates in the poll it ends', () => {
    // Prepare: paged as a warning at 0; a silence from 1 to 16 holds the reminder due at 15
    const story = new Story([silence({ startsAt: NOW + MINUTE, durationMs: 15 * MINUTE })]);
    const warning = { ...noQuorum, severity: 'warning' as const };
    story.poll(0, [warning]);
    for (let m = 1; m < 16; m++) story.poll(m, [warning]);
    expect(brief(story.held)).toEqual(['reminder NO_QUORUM']);

    // Act: at 16 the silence is over and the problem is now critical
    const atEnd = story.poll(16, [noQuorum]);

    // Assess: one message, the escalation, saying the silence ended
    expect(brief(atEnd)).toEqual(['reminder NO_QUORUM']);
    expect(atEnd[0].severity).toBe('critical');
    expect(atEnd[0].message).toMatch(
      /^Silence s-00000000a1 .* ended \(1 alert held back\); still open: Now critical \(was warning\)/,
    );
    expect(story.poll(17, [noQuorum])).toEqual([]);
  });
});

describe('Function: applySilences (bounds)', () => {
  it('keeps its part of the STATE item small whatever a silence holds back', () => {
    // Prepare: 150 problems held by one silence with the longest reason allowed
    const story = new Story([silence({ reason: 'x'.repeat(500) })]);
    const many = Array.from({ length: 150 }, (_, i) => ({
      ...replicaDown,
      subject: `node 10.0.${i}.62:6379`,
    }));

    // Act
    story.poll(1, many);

    // Assess
    expect(Object.keys(story.silence?.held ?? {})).toHaveLength(100);
    expect(Buffer.byteLength(JSON.stringify(story.silence))).toBeLessThan(40 * 1024);
  });
});

describe('Function: advanceWatch with silences', () => {
  const deployment = parseDeployment(
    {
      name: DEPLOYMENT,
      masterName: 'mymaster',
      sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
    },
    'test',
  );
  const settings = detectionSettings(deployment);

  it('keeps the findings of a silenced poll and holds back its notifications', () => {
    // Prepare: a replica down in a silence of its code
    const first = advanceWatch({
      state: emptyWatchState(),
      snapshot: healthySnapshot({ at: NOW }),
      settings,
      reminderMinutes: REMINDER_MINUTES,
      now: NOW,
    });
    const down = healthySnapshot({ at: NOW + MINUTE });
    fail(node(down, 2), 'refused');

    // Act
    const second = advanceWatch({
      state: first.state,
      snapshot: down,
      settings,
      reminderMinutes: REMINDER_MINUTES,
      now: NOW + MINUTE,
      silences: [silence({ code: 'REPLICA_UNREACHABLE' })],
    });
    const afterEnd = advanceWatch({
      state: second.state,
      snapshot: { ...down, takenAt: new Date(NOW + 31 * MINUTE).toISOString() },
      settings,
      reminderMinutes: REMINDER_MINUTES,
      now: NOW + 31 * MINUTE,
      silences: [silence({ code: 'REPLICA_UNREACHABLE' })],
    });

    // Assess
    expect(second.findings.map((f) => f.code)).toContain('REPLICA_UNREACHABLE');
    expect(second.notifications.filter((n) => n.code === 'REPLICA_UNREACHABLE')).toEqual([]);
    expect(second.silenced?.map((s) => [s.notification.type, s.silenceId])).toEqual([
      ['opened', 's-00000000a1'],
    ]);
    expect(brief(afterEnd.notifications.filter((n) => n.code === 'REPLICA_UNREACHABLE'))).toEqual([
      'opened REPLICA_UNREACHABLE',
    ]);
  });
});
