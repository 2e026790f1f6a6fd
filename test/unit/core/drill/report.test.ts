import {
  abortReasonFromEvents,
  abortReasonFromReply,
  buildDrillReport,
  type DrillCheck,
  timelineEntry,
} from '../../../../lambdas/core/drill';
import { parseSentinelEvent } from '../../../../lambdas/core/sentinel-event';
import { DATA, NOW } from '../../helpers/snapshot-factory';
import { drillLeg, finalAt, ok, passedInput } from './fixtures';

describe('Function: buildDrillReport', () => {
  it("reports a passed drill with the drill leg's numbers and advice on lost writes", () => {
    // Act
    const r = buildDrillReport(passedInput());

    // Assess
    expect(r).toMatchObject({
      passed: true,
      outcome: 'passed',
      dryRun: false,
      previousMaster: DATA[0],
      newMaster: DATA[1],
      startedAt: '2026-05-01T10:00:00.000Z',
      durationMs: 22_000,
      timeToSwitchMs: 1100,
      timeToVerifiedMs: 21_300,
      writeOutageMs: 820,
      failedWrites: 10,
      clientWritesLost: 0,
      splitBrainWindowMs: 10_050,
      acknowledgedWritesLost: 1070,
      abortReason: null,
      error: null,
    });
    expect(r.summary).toBe(
      'PASSED: 10.0.1.61:6379 -> 10.0.1.62:6379, switched in 1.1 s, verified in 21.3 s; writes stopped for 820 ms; ' +
        'the old master acknowledged 1070 writes that were lost; master now 10.0.1.62:6379',
    );
    expect(r.timeline.map((e) => e.atMs)).toEqual([30, 1130]);
    expect(r.advice).toHaveLength(2);
    expect(r.advice[0]).toContain('min-replicas-to-write 1');
    expect(r.advice[0]).toContain('10.1 s after +switch-master (980 writes)');
    expect(r.advice[1]).toContain('retry writes');
  });

  it('advises clients to follow +switch-master when the sentinel-aware client lost writes', () => {
    const leg = drillLeg({
      clientWrites: {
        attempted: 10,
        acknowledged: 10,
        failed: 0,
        outageMs: 0,
        longestGapMs: 12,
        windows: [],
        lost: 94,
      },
    });
    const r = buildDrillReport(passedInput({ legs: [leg] }));
    expect(r.clientWritesLost).toBe(94);
    expect(r.summary).toContain('writes stopped for 0 ms and 94 acknowledged to the client were lost;');
    expect(
      r.advice.some(
        (a) =>
          a.startsWith('94 writes acknowledged to the sentinel-aware client were lost') &&
          a.includes('failoverDetector'),
      ),
    ).toBe(true);
  });

  it('gives no advice when nothing was lost or failed', () => {
    const leg = drillLeg({
      clientWrites: {
        attempted: 10,
        acknowledged: 10,
        failed: 0,
        outageMs: 0,
        longestGapMs: 12,
        windows: [],
        lost: 0,
      },
      oldMasterWrites: {
        attempted: 5,
        acknowledged: 3,
        acknowledgedAfterSwitch: 0,
        windowMs: 0,
        lost: 0,
        firstErrorAfterSwitch: 'READONLY',
      },
    });
    expect(buildDrillReport(passedInput({ legs: [leg] })).advice).toEqual([]);
  });

  it('reports a preflight refusal with the failing check, and that nothing changed', () => {
    // Prepare
    const refused: DrillCheck = {
      name: 'ckquorum',
      phase: 'preflight',
      passed: false,
      detail: '10.0.1.61:26379: NOQUORUM 1 usable Sentinels.',
      elapsedMs: 5,
    };

    // Act
    const r = buildDrillReport(
      passedInput({ checks: [refused, ok('final', 'final-master')], legs: [], finalState: finalAt(0) }),
    );

    // Assess
    expect(r).toMatchObject({
      passed: false,
      outcome: 'refused',
      newMaster: null,
      timeToSwitchMs: null,
      writeOutageMs: null,
    });
    expect(r.summary).toBe(
      'REFUSED: ckquorum: 10.0.1.61:26379: NOQUORUM 1 usable Sentinels.; nothing was changed, master now 10.0.1.61:6379',
    );
  });

  it('reports a failover Sentinel refused with its reason and what to check', () => {
    // Prepare
    const reason = abortReasonFromReply('10.0.1.61:26379', 'NOGOODSLAVE No suitable replica to promote');
    const leg = drillLeg({
      to: null,
      verified: false,
      abortReason: reason,
      timeToSwitchMs: null,
      timeToVerifiedMs: null,
      clientWrites: null,
      oldMasterWrites: null,
    });
    const failed: DrillCheck = { ...ok('failover', 'failover-accepted'), passed: false };

    // Act
    const r = buildDrillReport(passedInput({ legs: [leg], checks: [failed], finalState: finalAt(0) }));

    // Assess
    expect(r.outcome).toBe('failed');
    expect(r.abortReason).toBe(
      'SENTINEL FAILOVER refused by 10.0.1.61:26379: NOGOODSLAVE No suitable replica to promote: no replica was fit to promote (replica-priority 0, link down, or disconnected too long)',
    );
    expect(r.summary).toBe(`FAILED: ${r.abortReason}; master now 10.0.1.61:6379`);
    expect(r.splitBrainWindowMs).toBeNull();
    expect(r.advice).toEqual([expect.stringContaining('check replica-priority (0 means never promote)')]);
  });

  it('fails a drill whose verification did not complete, even with every recorded check passed', () => {
    const r = buildDrillReport(passedInput({ legs: [drillLeg({ verified: false })] }));
    expect(r).toMatchObject({ passed: false, outcome: 'failed' });
    expect(r.summary).toBe('FAILED: not verified; master now 10.0.1.62:6379');
  });

  it('reports an unexpected error and urges action when no agreed master is left', () => {
    // Act
    const r = buildDrillReport(
      passedInput({
        legs: [drillLeg({ verified: false })],
        error: 'poll failed: boom',
        finalState: {
          master: null,
          unanimous: false,
          role: null,
          takenAt: '',
          detail: 'sentinels disagree: a x1, b x1',
        },
      }),
    );

    // Assess
    expect(r.summary).toBe('FAILED: poll failed: boom; NO AGREED MASTER: sentinels disagree: a x1, b x1');
    expect(r.advice[0]).toMatch(/^Act now: the drill ended without one agreed, working master/);
  });

  it('reports a dry run that would proceed, with its plan', () => {
    const r = buildDrillReport(
      passedInput({ dryRun: true, legs: [], plan: ['send SENTINEL FAILOVER'], finalState: finalAt(0) }),
    );
    expect(r).toMatchObject({ passed: true, outcome: 'dry-run', plan: ['send SENTINEL FAILOVER'] });
    expect(r.summary).toBe('DRY RUN: preflight passed; a drill would fail over 10.0.1.61:6379');
  });

  it('is plain JSON', () => {
    const r = buildDrillReport(passedInput());
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('Function: abortReasonFromEvents', () => {
  it('explains the first abort Sentinel published', () => {
    // Prepare
    const events = [
      parseSentinelEvent(
        '+failover-state-wait-promotion',
        'slave 10.0.1.62:6379 10.0.1.62 6379 @ mymaster 10.0.1.61 6379',
        '10.0.1.61:26379',
        NOW,
      ),
      parseSentinelEvent(
        '-failover-abort-slave-timeout',
        'master mymaster 10.0.1.61 6379',
        '10.0.1.61:26379',
        NOW + 5000,
      ),
    ];

    // Act / Assess
    expect(abortReasonFromEvents(events)).toBe(
      '-failover-abort-slave-timeout from sentinel 10.0.1.61:26379: the chosen replica did not turn into a master within failover-timeout (frozen, overloaded, or unreachable)',
    );
    expect(abortReasonFromEvents(events.slice(0, 1))).toBeNull();
  });

  it('names an abort it has no explanation for', () => {
    const e = parseSentinelEvent(
      '-failover-abort-something-new',
      'master mymaster 10.0.1.61 6379',
      's1',
      NOW,
    );
    expect(abortReasonFromEvents([e])).toBe('-failover-abort-something-new from sentinel s1');
  });
});

describe('Function: timelineEntry', () => {
  it('places a sentinel event relative to the drill start', () => {
    const e = parseSentinelEvent(
      '+switch-master',
      'mymaster 10.0.1.61 6379 10.0.1.62 6379',
      '10.0.1.62:26379',
      NOW + 1130,
    );
    expect(timelineEntry(e, NOW)).toEqual({
      atMs: 1130,
      source: 'sentinel',
      sentinel: '10.0.1.62:26379',
      type: '+switch-master',
      detail: 'mymaster 10.0.1.61 6379 10.0.1.62 6379',
    });
  });
});
