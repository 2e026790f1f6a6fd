import { buildDrillReport } from '../../../../lambdas/core/drill';
import {
  DEFAULT_CRITERIA,
  judgeCriteria,
  parseCriteria,
  resolveCriteria,
} from '../../../../lambdas/core/drill/criteria';
import { ConfigError } from '../../../../lambdas/core/errors';
import { drillLeg, passedInput } from './fixtures';

/** A drill leg as measured here without write protection (Redis 7.0.15): ~10 s of split brain. */
const unprotected = drillLeg();
/** ... and with min-replicas-to-write 1 / min-replicas-max-lag 2. */
const protectedLeg = drillLeg({
  clientWrites: { ...drillLeg().clientWrites!, lost: 0 },
  oldMasterWrites: {
    ...drillLeg().oldMasterWrites!,
    acknowledgedAfterSwitch: 150,
    windowMs: 1_600,
    lost: 170,
  },
});

describe('Function: buildDrillReport with the default pass criteria', () => {
  it('fails an unprotected deployment, naming each failed criterion with its measured value and fix', () => {
    // Act
    const r = buildDrillReport(passedInput({ criteria: undefined, legs: [unprotected] }));

    // Assess
    expect(r).toMatchObject({
      passed: false,
      outcome: 'failed',
      schemaVersion: 2,
      criteria: DEFAULT_CRITERIA,
    });
    const failed = r.criteriaResults.filter((c) => !c.passed);
    expect(failed.map((c) => [c.criterion, c.measured, c.limit])).toEqual([
      ['maxLostAcknowledgedWrites.oldMaster', 1070, 500],
      ['maxSplitBrainMs', 10_050, 5000],
    ]);
    expect(failed[1].detail).toBe(
      'the old master acknowledged writes after +switch-master: 10.1 s (limit 5.0 s)',
    );
    expect(failed[1].fix).toContain('min-replicas-to-write 1 and min-replicas-max-lag 2');
    expect(r.summary).toMatch(/^FAILED: pass criteria not met: maxLostAcknowledgedWrites\.oldMaster: /);
  });

  it('passes a protected deployment within its budget', () => {
    const r = buildDrillReport(passedInput({ criteria: undefined, legs: [protectedLeg] }));
    expect(r.criteriaResults.every((c) => c.passed)).toBe(true);
    expect(r).toMatchObject({ passed: true, outcome: 'passed' });
  });

  it('fails a criterion that was not measured (a gate does not pass on what it did not see)', () => {
    const leg = drillLeg({ clientWrites: { ...drillLeg().clientWrites!, lost: null } });
    const r = buildDrillReport(passedInput({ legs: [leg] }));
    expect(r.criteriaResults.find((c) => c.criterion === 'maxLostAcknowledgedWrites.client')).toMatchObject({
      passed: false,
      measured: null,
    });
    expect(r.passed).toBe(false);
  });

  it('judges nothing for a dry run or a drill that never switched', () => {
    expect(buildDrillReport(passedInput({ dryRun: true, legs: [] })).criteriaResults).toEqual([]);
    expect(buildDrillReport(passedInput({ legs: [drillLeg({ to: null })] })).criteriaResults).toEqual([]);
  });
});

describe('Function: resolveCriteria / parseCriteria', () => {
  it('applies the deployment, then the run, over the defaults; a number sets both lost-write limits', () => {
    const c = resolveCriteria(
      parseCriteria({ maxSplitBrainMs: 3000, maxLostAcknowledgedWrites: 0 }, 'deployments[0].drill'),
      parseCriteria(
        { maxLostAcknowledgedWrites: { oldMaster: 200 }, requireAllReplicas: false },
        'event.criteria',
      ),
    );
    expect(c).toEqual({
      ...DEFAULT_CRITERIA,
      maxSplitBrainMs: 3000,
      maxLostAcknowledgedWrites: { client: 0, oldMaster: 200 },
      requireAllReplicas: false,
    });
  });

  it('judges exactly at the limit as passed', () => {
    const results = judgeCriteria(
      {
        clientWritesLost: 0,
        acknowledgedWritesLost: 0,
        splitBrainWindowMs: 5000,
        writeOutageMs: 0,
        timeToSwitchMs: 1,
        timeToVerifiedMs: 1,
      },
      DEFAULT_CRITERIA,
    );
    expect(results.every((r) => r.passed)).toBe(true);
  });

  it.each([
    [{ maxSplitBrainMs: -1 }, 'x.maxSplitBrainMs: must be a whole number from 0 to 3600000, got -1'],
    [
      { maxSwitch: 1 },
      'x.maxSwitch: unknown key (expected maxSplitBrainMs, maxWriteOutageMs, maxSwitchMs, maxVerifyMs, maxLostAcknowledgedWrites, requireAllReplicas)',
    ],
    [
      { maxLostAcknowledgedWrites: { both: 1 } },
      'x.maxLostAcknowledgedWrites.both: unknown key (expected client, oldMaster)',
    ],
    [{ requireAllReplicas: 'yes' }, 'x.requireAllReplicas: must be true or false'],
    ['strict', 'x: must be an object, got "strict"'],
  ])('rejects %j naming the field', (raw, message) => {
    expect(() => parseCriteria(raw, 'x')).toThrow(
      new ConfigError(message.split(': ')[0], message.slice(message.indexOf(': ') + 2)),
    );
  });
});
