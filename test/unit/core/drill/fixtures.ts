// Report inputs for the report and renderer tests: a passed drill from 10.0.1.61 to 10.0.1.62.

import type { DrillCheck, DrillReportInput, FailoverLeg } from '../../../../lambdas/core/drill';
import { resolveCriteria } from '../../../../lambdas/core/drill/criteria';
import { DATA, NOW } from '../../helpers/snapshot-factory';

export const ok = (phase: DrillCheck['phase'], name: string, elapsedMs = 10): DrillCheck => ({
  name,
  phase,
  passed: true,
  detail: `${name} fine`,
  elapsedMs,
});

export const drillLeg = (patch: Partial<FailoverLeg> = {}): FailoverLeg => ({
  purpose: 'drill',
  attempt: 1,
  from: DATA[0],
  to: DATA[1],
  sentinel: '10.0.1.61:26379',
  startedAtMs: 30,
  timeToSwitchMs: 1100,
  timeToVerifiedMs: 21_300,
  verified: true,
  abortReason: null,
  clientWrites: {
    attempted: 2000,
    acknowledged: 1990,
    failed: 10,
    outageMs: 820,
    longestGapMs: 820,
    windows: [],
    lost: 0,
  },
  oldMasterWrites: {
    attempted: 1100,
    acknowledged: 1050,
    acknowledgedAfterSwitch: 980,
    windowMs: 10_050,
    lost: 1070,
    firstErrorAfterSwitch: "READONLY You can't write against a read only replica.",
  },
  ...patch,
});

export const finalAt = (index: number) => ({
  master: DATA[index],
  unanimous: true,
  role: 'master',
  takenAt: new Date(NOW + 22_000).toISOString(),
  detail: `3/3 answering sentinels name ${DATA[index].host}:6379, which reports role:master`,
});

/**
 * Limits the fixture's leg meets: its numbers are an unprotected deployment's (10 s of split brain),
 * which the default criteria fail (criteria.test.ts); these tests are about the report itself.
 */
export const LENIENT = resolveCriteria({
  maxLostAcknowledgedWrites: { client: 10_000, oldMaster: 10_000 },
  maxSplitBrainMs: 60_000,
});

export const passedInput = (patch: Partial<DrillReportInput> = {}): DrillReportInput => ({
  criteria: LENIENT,
  id: 'drill-20260501T100000Z-abc123',
  deployment: 'prod-cache',
  masterName: 'mymaster',
  startedAt: NOW,
  finishedAt: NOW + 22_000,
  dryRun: false,
  failbackRequested: false,
  previousMaster: DATA[0],
  checks: [
    ok('preflight', 'ckquorum'),
    ok('lock', 'no-other-drill'),
    ok('verify', 'old-master-rejoined', 11_000),
    ok('final', 'final-master', 21_900),
  ],
  legs: [drillLeg()],
  timeline: [
    {
      atMs: 1130,
      source: 'sentinel',
      sentinel: '10.0.1.62:26379',
      type: '+switch-master',
      detail: 'mymaster 10.0.1.61 6379 10.0.1.62 6379',
    },
    {
      atMs: 30,
      source: 'drill',
      sentinel: null,
      type: 'drill:failover',
      detail: 'SENTINEL FAILOVER mymaster -> 10.0.1.61:26379: OK',
    },
  ],
  finalState: finalAt(1),
  error: null,
  canary: { key: 'sentinel-watch:drill:drill-20260501T100000Z-abc123:canary', value: 'x' },
  ...patch,
});
