import { type NewMasterProbe, VERIFY_CHECKS, verifyFailover } from '../../../../lambdas/core/drill';
import type { Snapshot } from '../../../../lambdas/core/types';
import {
  DATA,
  fail,
  healthySnapshot,
  type MutableSnapshot,
  node,
  recount,
  SENTINELS,
  sentinelAt,
} from '../../helpers/snapshot-factory';

const CANARY = { key: 'sentinel-watch:drill:d1:canary', value: 'd1@2026-05-01T10:00:00.000Z' };
const expectation = { oldMaster: DATA[0], sentinels: SENTINELS, expectedReplicas: 2, canary: CANARY };
const goodProbe: NewMasterProbe = {
  address: DATA[1],
  writeOk: true,
  writeError: null,
  canaryValue: CANARY.value,
};

/** After a failover from DATA[0] to DATA[1], fully settled. */
const switched = (): MutableSnapshot => healthySnapshot({ masterIndex: 1, configEpoch: 2 });
const verify = (s: MutableSnapshot, probe: NewMasterProbe | null = goodProbe) =>
  verifyFailover(s as Snapshot, probe, expectation);
const check = (s: MutableSnapshot, name: string, probe?: NewMasterProbe | null) =>
  verify(s, probe).checks.find((c) => c.name === name)!;

describe('Function: verifyFailover', () => {
  it('passes a settled deployment around the new master', () => {
    // Act
    const v = verify(switched());

    // Assess
    expect(v.passed).toBe(true);
    expect(v.newMaster).toEqual(DATA[1]);
    expect(v.checks.map((c) => c.name)).toEqual([...VERIFY_CHECKS]);
    expect(v.checks.every((c) => c.passed)).toBe(true);
    expect(v.checks.find((c) => c.name === 'old-master-rejoined')?.detail).toBe(
      '10.0.1.61:6379 is a replica of 10.0.1.62:6379 with link up',
    );
  });

  it('fails everything that needs a new master while the sentinels still name the old one', () => {
    // Act
    const v = verify(healthySnapshot(), null);

    // Assess
    expect(v.passed).toBe(false);
    expect(v.newMaster).toBeNull();
    expect(v.checks[0].detail).toBe('every sentinel still names the old master 10.0.1.61:6379');
    expect(v.checks.filter((c) => c.detail === 'no agreed new master yet').map((c) => c.name)).toEqual([
      'new-master-role',
      'new-master-accepts-write',
      'old-master-rejoined',
      'replicas-attached',
      'sentinels-see-replicas',
      'deployment-settled',
    ]);
  });

  it('waits for the last sentinel to name the new master', () => {
    // Prepare
    const s = switched();
    sentinelAt(s, 2).masterAddress = { ...DATA[0] };
    recount(s);

    // Act
    const c = check(s, 'sentinels-agree-new-master');

    // Assess
    expect(c.passed).toBe(false);
    expect(c.detail).toBe(
      '2/3 configured sentinels name 10.0.1.62:6379; 10.0.1.63:26379: names 10.0.1.61:6379',
    );
  });

  it('says so when no majority of the configured sentinels names one master', () => {
    // Prepare
    const s = switched();
    sentinelAt(s, 1).masterAddress = { ...DATA[0] };
    fail(sentinelAt(s, 2), 'refused');
    recount(s);

    // Act
    const v = verify(s, null);

    // Assess
    expect(v.newMaster).toBeNull();
    expect(v.checks[0].detail).toBe(
      'sentinels do not all name one master: 10.0.1.61:26379 -> 10.0.1.62:6379, 10.0.1.62:26379 -> 10.0.1.61:6379, 10.0.1.63:26379 -> ? (refused: simulated refused)',
    );
  });

  it('judges the new master two of three sentinels name while the third is down', () => {
    // Prepare: a sentinel died after the switch
    const s = switched();
    fail(sentinelAt(s, 2), 'refused');

    // Act
    const v = verify(recount(s));

    // Assess: the agreement check fails and says why; the master itself is judged
    expect(v.newMaster).toEqual(DATA[1]);
    expect(v.checks[0]).toMatchObject({
      passed: false,
      detail: '2/3 configured sentinels name 10.0.1.62:6379; 10.0.1.63:26379: refused: simulated refused',
    });
    for (const name of [
      'new-master-role',
      'new-master-accepts-write',
      'canary-readable',
      'old-master-rejoined',
    ])
      expect(v.checks.find((c) => c.name === name)?.passed).toBe(true);
    expect(v.checks.map((c) => c.detail)).not.toContain('no agreed new master yet');
  });

  it('says which sentinel could not be asked', () => {
    const s = switched();
    fail(sentinelAt(s, 0), 'timeout');
    expect(check(recount(s), 'sentinels-agree-new-master').detail).toBe(
      '2/3 configured sentinels name 10.0.1.62:6379; 10.0.1.61:26379: timeout: simulated timeout',
    );
  });

  it('reports an old master that Sentinel has not converted yet', () => {
    // Prepare: ~10 s after +switch-master the old master still claims role:master
    const s = switched();
    const old = node(s, 0);
    old.role = 'master';
    old.replication!.role = 'master';
    old.replication!.masterHost = null;

    // Act
    const c = check(s, 'old-master-rejoined');

    // Assess
    expect(c).toMatchObject({
      passed: false,
      detail: '10.0.1.61:6379 still reports role:master (not yet converted by Sentinel)',
    });
    expect(check(s, 'replicas-attached')).toMatchObject({
      passed: false,
      detail: '1/2 replicas follow 10.0.1.62:6379 with link up (10.0.1.63:6379)',
    });
  });

  it('waits for the old master link to come up after the resync', () => {
    const s = switched();
    node(s, 0).replication!.masterLinkStatus = 'down';
    expect(check(s, 'old-master-rejoined').detail).toBe(
      '10.0.1.61:6379 is a replica of 10.0.1.62:6379, link down',
    );
  });

  it('fails when the new master refuses writes or lost the canary', () => {
    // Act
    const refused = check(switched(), 'new-master-accepts-write', {
      ...goodProbe,
      writeOk: false,
      writeError: "READONLY You can't write against a read only replica.",
    });
    const missing = check(switched(), 'canary-readable', { ...goodProbe, canaryValue: null });
    const other = check(switched(), 'canary-readable', { ...goodProbe, canaryValue: 'something else' });

    // Assess
    expect(refused.detail).toBe(
      "10.0.1.62:6379 refused a write: READONLY You can't write against a read only replica.",
    );
    expect(missing.detail).toBe('sentinel-watch:drill:d1:canary is missing on 10.0.1.62:6379');
    expect(other.detail).toBe('sentinel-watch:drill:d1:canary has another value on 10.0.1.62:6379');
  });

  it('ignores a probe of another node than the agreed new master', () => {
    const c = check(switched(), 'new-master-accepts-write', { ...goodProbe, address: DATA[2] });
    expect(c).toMatchObject({ passed: false, detail: '10.0.1.62:6379 not written to yet' });
  });

  it('passes the canary check when no canary was written', () => {
    const v = verifyFailover(switched() as Snapshot, goodProbe, { ...expectation, canary: null });
    expect(v.checks.find((c) => c.name === 'canary-readable')).toMatchObject({
      passed: true,
      detail: 'no canary written',
    });
  });

  it('waits until every sentinel has read the old master as a replica', () => {
    // Prepare: one sentinel has not refreshed INFO of the converted old master yet ("?" / err)
    const s = switched();
    const stale = sentinelAt(s, 0).replicas.find((r) => r.host === DATA[0].host)!;
    stale.masterHost = '?';
    stale.masterLinkStatus = 'err';

    // Act
    const c = check(s, 'sentinels-see-replicas');

    // Assess
    expect(c.passed).toBe(false);
    expect(c.detail).toBe(
      'replicas following 10.0.1.62:6379 with link ok: 10.0.1.61:26379 sees 1/2 (not yet 10.0.1.61:6379), 10.0.1.62:26379 sees 2/2, 10.0.1.63:26379 sees 2/2',
    );
  });

  it('fails CKQUORUM when a sentinel says NOQUORUM', () => {
    const s = switched();
    sentinelAt(s, 1).ckquorum = { ok: false, message: 'NOQUORUM 1 usable Sentinels.', usableSentinels: 1 };
    expect(check(s, 'ckquorum')).toMatchObject({
      passed: false,
      detail: '10.0.1.62:26379: NOQUORUM 1 usable Sentinels.',
    });
  });
});
