import { buildDrillReport, renderDrillReport } from '../../../../lambdas/core/drill';
import { DATA } from '../../helpers/snapshot-factory';
import { drillLeg, finalAt, ok, passedInput } from './fixtures';

describe('Function: renderDrillReport', () => {
  it('prints the verdict, the numbers, every check, the timeline and the advice', () => {
    // Act
    const text = renderDrillReport(buildDrillReport(passedInput()));

    // Assess
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Failover drill of prod-cache (master name "mymaster"), id drill-20260501T100000Z-abc123',
      'Started 2026-05-01T10:00:00.000Z, took 22.0 s',
      expect.stringMatching(/^PASSED: 10\.0\.1\.61:6379 -> 10\.0\.1\.62:6379/),
    ]);
    expect(text).toContain(
      'Master before: 10.0.1.61:6379\nDrill switched to: 10.0.1.62:6379\nAt the end: master now 10.0.1.62:6379',
    );
    expect(text).toMatch(/\n {2}time to \+switch-master +1100 ms\n/);
    expect(text).toMatch(/\n {2}sentinel-aware client: acknowledged writes lost +0\n/);
    expect(text).toMatch(/\n {2}sentinel-aware client: longest gap between writes +820 ms\n/);
    expect(text).toMatch(/\n {2}old master: split-brain window +10050 ms\n/);
    expect(text).toMatch(/\n {2}old master: acknowledged writes lost +1070\n/);
    expect(text).toMatch(
      / {2}1 +drill +10\.0\.1\.61:6379 +10\.0\.1\.62:6379 +1100 ms +21300 ms +820 ms +10 +10050 ms +1070 +verified/,
    );
    expect(text).toMatch(/ {2}verify +old-master-rejoined +ok +11000ms +old-master-rejoined fine/);
    expect(text).toMatch(/ {2}\+30 +drill +drill:failover +SENTINEL FAILOVER mymaster/);
    expect(text).toMatch(
      / {2}\+1130 +10\.0\.1\.62:26379 +\+switch-master +mymaster 10\.0\.1\.61 6379 10\.0\.1\.62 6379/,
    );
    expect(text).toContain('Advice\n  - The old master kept acknowledging writes');
  });

  it('marks failed checks and an aborted failover', () => {
    // Prepare
    const leg = drillLeg({
      to: null,
      verified: false,
      abortReason: '-failover-abort-no-good-slave from sentinel s1',
      clientWrites: null,
      oldMasterWrites: null,
      timeToSwitchMs: null,
      timeToVerifiedMs: null,
    });
    const report = buildDrillReport(
      passedInput({
        legs: [leg],
        checks: [{ ...ok('failover', 'switch-announced'), passed: false, detail: 'aborted' }],
        finalState: finalAt(0),
      }),
    );

    // Act
    const text = renderDrillReport(report);

    // Assess
    expect(text).toContain('Abort reason: -failover-abort-no-good-slave from sentinel s1');
    expect(text).toMatch(/failover +switch-announced +FAILED +10ms +aborted/);
    expect(text).toMatch(/1 +drill +10\.0\.1\.61:6379 +- +- +- +- +- +- +- +aborted/);
  });

  it("prints a dry run's plan and no measurements", () => {
    const text = renderDrillReport(
      buildDrillReport(
        passedInput({
          dryRun: true,
          legs: [],
          plan: ['take the lock', 'send SENTINEL FAILOVER'],
          finalState: finalAt(0),
        }),
      ),
    );
    expect(text.split('\n')[0]).toBe(
      'Failover drill (dry run) of prod-cache (master name "mymaster"), id drill-20260501T100000Z-abc123',
    );
    expect(text).toContain('Plan\n  - take the lock\n  - send SENTINEL FAILOVER');
    expect(text).not.toContain('Measurements');
    expect(text).not.toContain('Drill switched to');
  });

  it('cuts a long timeline and says how much is left out', () => {
    const timeline = Array.from({ length: 5 }, (_, i) => ({
      atMs: i,
      source: 'drill' as const,
      sentinel: null,
      type: `drill:step-${i}`,
      detail: '',
    }));
    const text = renderDrillReport(buildDrillReport(passedInput({ timeline })), { maxTimeline: 2 });
    expect(text).toContain('drill:step-1');
    expect(text).not.toContain('drill:step-2');
    expect(text).toContain('  ... 3 more (see --json)');
  });

  it('says when there is no agreed master at the end', () => {
    const report = buildDrillReport(
      passedInput({
        finalState: {
          master: null,
          unanimous: false,
          role: null,
          takenAt: '',
          detail: 'no sentinel named a master',
        },
      }),
    );
    expect(renderDrillReport(report)).toContain(`At the end: NO AGREED MASTER: no sentinel named a master`);
    expect(report.previousMaster).toEqual(DATA[0]);
  });
});
