// runDrill end to end over an in-memory deployment (fake-deployment.ts): every path must end with a
// final poll naming the master, the lock given back, and the writers stopped.

import { type Credentials, parseDeployment } from '../../../lambdas/core/config';
import type { DrillReport } from '../../../lambdas/core/drill';
import { verifyDrillLock } from '../../../lambdas/core/drill-lock';
import type { LockResult, LockStore } from '../../../lambdas/core/store-ports';
import {
  combinedLock,
  type DrillOptions,
  lockKey,
  lockStoreLock,
  REFRESH_SCRIPT,
  RELEASE_SCRIPT,
  redisKeyLock,
  runDrill,
} from '../../../lambdas/drill/run';
import { DATA, SENTINELS } from '../helpers/snapshot-factory';
import { FakeDeployment } from './fake-deployment';

const deployment = parseDeployment(
  {
    name: 'prod-cache',
    masterName: 'mymaster',
    sentinels: SENTINELS.map((a) => `${a.host}:${a.port}`),
    passwordEnv: 'REDIS_PASSWORD',
  },
  'test',
);
const credentials: Credentials = { password: 'pw' };
const LOCK = lockKey('prod-cache');

let world: FakeDeployment;
beforeEach(() => {
  world = new FakeDeployment();
});

const drill = (options: DrillOptions = {}): Promise<DrillReport> =>
  runDrill(deployment, credentials, options, {
    ...world.deps(),
    lock: redisKeyLock({ runBatch: world.runBatch, deployment, credentials, now: world.now }),
  });
const checkOf = (r: DrillReport, name: string, phase?: string) =>
  r.checks.find((c) => c.name === name && (phase === undefined || c.phase === phase));
const failovers = () => world.log().filter((l) => l.includes('SENTINEL FAILOVER'));

describe('Function: runDrill', () => {
  it('fails over, verifies, measures both writers and gives the lock back', async () => {
    // Act
    const r = await drill();

    // Assess
    expect(r).toMatchObject({
      id: 'drill-test-1',
      passed: true,
      outcome: 'passed',
      previousMaster: DATA[0],
      newMaster: DATA[1],
      finalState: { master: DATA[1], unanimous: true, role: 'master' },
      failedWrites: 3,
      abortReason: null,
      error: null,
    });
    expect(r.timeToSwitchMs).toBeGreaterThanOrEqual(1000);
    expect(r.timeToSwitchMs).toBeLessThan(1100);
    // The old master is converted 10 s after the switch.
    expect(r.timeToVerifiedMs).toBeGreaterThanOrEqual(11_000);
    expect(r.timeToVerifiedMs).toBeLessThan(12_000);
    expect(r.writeOutageMs).toBe(40);
    expect(r.splitBrainWindowMs).toBeGreaterThan(4900);
    expect(r.acknowledgedWritesLost).toBeGreaterThan(490);
    expect(r.legs[0].oldMasterWrites?.firstErrorAfterSwitch).toMatch(/^READONLY/);
    expect(checkOf(r, 'canary-readable')?.passed).toBe(true);
    expect(checkOf(r, 'old-master-rejoined')?.elapsedMs).toBeGreaterThanOrEqual(11_000);
    expect(checkOf(r, 'lock-released')).toMatchObject({ passed: true, phase: 'final' });
    expect(r.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'drill:canary',
        'drill:failover',
        '+try-failover',
        '+switch-master',
        'drill:verified',
      ]),
    );
    expect(failovers()).toHaveLength(1);
    expect(world.stoppedWriters).toBe(2);
    // The lock is gone, the writers' lists are deleted, the canary stays (with its expiry).
    expect(world.kv.has(LOCK)).toBe(false);
    expect([...world.kv.keys()].filter((k) => k.endsWith(':client') || k.endsWith(':old-master'))).toEqual(
      [],
    );
    expect(world.kv.get(r.canary!.key)).toMatchObject({ value: r.canary!.value });
  });

  it('takes a short-lived lock, renews it with a heartbeat, and releases it with compare-and-delete', async () => {
    // Act
    const r = await drill();

    // Assess: SET NX with the 15 s expiry; every renewal is the compare-and-set script; the renewal
    // right before SENTINEL FAILOVER goes to the master and is WAITed for by the replicas
    const log = world.log();
    const take = log.findIndex(
      (l) => l.startsWith(`10.0.1.61:6379 SET ${LOCK} drill-test-1.`) && l.endsWith(' NX PX 15000'),
    );
    const failover = log.findIndex((l) => l.includes('SENTINEL FAILOVER mymaster'));
    const renewals = log
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.includes(` EVAL ${REFRESH_SCRIPT} 1 ${LOCK} drill-test-1 drill-test-1.`));
    const release = log.findIndex(
      (l) => l.startsWith(`10.0.1.62:6379 EVAL ${RELEASE_SCRIPT}`) && l.endsWith(`${LOCK} drill-test-1`),
    );
    expect(take).toBeGreaterThanOrEqual(0);
    expect(take).toBeLessThan(failover);
    expect(log[failover - 1]).toBe('10.0.1.61:6379 WAIT 2 1000');
    expect(renewals.filter(({ i }) => i < failover).at(-1)?.l).toMatch(/^10\.0\.1\.61:6379 /);
    expect(renewals.filter(({ i }) => i > failover && i < release).length).toBeGreaterThan(0);
    expect(release).toBeGreaterThan(failover);
    expect(checkOf(r, 'lock-heartbeat')).toMatchObject({ passed: true });
    expect(checkOf(r, 'lock-heartbeat')?.detail).toMatch(
      /^renewed \d+ time\(s\), longest gap \d+ ms \(expiry 15000 ms\)$/,
    );
    expect(checkOf(r, 'no-other-drill')?.detail).toContain('NOT signed (no drill key configured)');
  });

  it('signs the lock with the drill key: a watcher with the key trusts it and sees the failover claim', async () => {
    // Prepare: look at the lock as a watcher would, right after the switch
    const key = 'drill-key-0123456789-0123456789-0123456789';
    let seen: ReturnType<typeof verifyDrillLock> | null = null;
    const sleep = async (ms: number) => {
      await world.sleep(ms);
      const held = world.kv.get(LOCK);
      if (!seen && world.switchedAt !== null && typeof held?.value === 'string') {
        seen = verifyDrillLock(
          { value: held.value, ttlMs: (held.expiresAt ?? 0) - world.t },
          { deployment: 'prod-cache', key, now: world.t },
        );
      }
    };

    // Act
    const r = await runDrill(
      deployment,
      credentials,
      {},
      {
        ...world.deps(),
        sleep,
        drillKey: key,
        lock: redisKeyLock({ runBatch: world.runBatch, deployment, credentials, now: world.now }),
      },
    );

    // Assess
    expect(r.passed).toBe(true);
    expect(seen).toMatchObject({
      trusted: true,
      claims: { deployment: 'prod-cache', id: 'drill-test-1', from: DATA[0], ttlMs: 15_000 },
    });
    expect((seen as unknown as { claims: { failoverAt: number } }).claims.failoverAt).toBe(
      Date.parse(r.startedAt) + r.legs[0].startedAtMs,
    );
    expect(checkOf(r, 'no-other-drill')?.detail).toContain('signed with the drill key');
  });

  it('refuses while another drill holds the lock, and leaves that lock alone', async () => {
    // Prepare
    world.kv.set(LOCK, { value: 'drill-other', expiresAt: world.t + 60_000 });

    // Act
    const r = await drill();

    // Assess
    expect(r.outcome).toBe('refused');
    expect(checkOf(r, 'no-other-drill')).toMatchObject({ passed: false, phase: 'lock' });
    expect(checkOf(r, 'no-other-drill')?.detail).toBe(
      `another drill holds key ${LOCK} on the master: drill-other, until 2026-05-01T10:01:00.000Z`,
    );
    expect(failovers()).toEqual([]);
    expect(world.kv.get(LOCK)?.value).toBe('drill-other');
    expect(r.finalState?.master).toEqual(DATA[0]);
  });

  it('refuses on a failed preflight without touching anything', async () => {
    // Prepare: the sentinels see no quorum
    const poll = world.poll;
    world.poll = async () => {
      const s = await poll();
      return {
        ...s,
        sentinels: s.sentinels.map((x) => ({
          ...x,
          ckquorum: { ok: false, message: 'NOQUORUM 1 usable Sentinels.', usableSentinels: 1 },
        })),
      };
    };

    // Act
    const r = await drill();

    // Assess
    expect(r.outcome).toBe('refused');
    expect(r.summary).toMatch(/^REFUSED: ckquorum: 10\.0\.1\.61:26379: NOQUORUM 1 usable Sentinels\./);
    expect(world.log()).toEqual([]);
    expect(checkOf(r, 'final-master')?.passed).toBe(true);
  });

  it('dry run: preflight and lock check only, with a plan', async () => {
    // Act
    const r = await drill({ dryRun: true, failback: true });

    // Assess
    expect(r).toMatchObject({ passed: true, outcome: 'dry-run', dryRun: true, legs: [] });
    expect(checkOf(r, 'no-other-drill')?.detail).toMatch(
      /^free: key sentinel-watch:drill-lock:prod-cache on the master/,
    );
    expect(r.plan).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^send SENTINEL FAILOVER mymaster to 10\.0\.1\.61:26379; Sentinel would promote one of 10\.0\.1\.62:6379, 10\.0\.1\.63:6379/,
        ),
        expect.stringMatching(/^fail back until 10\.0\.1\.61:6379 is master again/),
      ]),
    );
    expect(world.log().every((l) => /(GET|PTTL) /.test(l))).toBe(true);
    expect(world.kv.size).toBe(0);
  });

  it('reports Sentinel refusing the failover (NOGOODSLAVE) with the reason, master unchanged', async () => {
    // Prepare
    world.failoverReply = 'NOGOODSLAVE No suitable replica to promote';

    // Act
    const r = await drill();

    // Assess
    expect(r.outcome).toBe('failed');
    expect(r.abortReason).toMatch(
      /^SENTINEL FAILOVER refused by 10\.0\.1\.61:26379: NOGOODSLAVE No suitable replica to promote/,
    );
    expect(r.finalState).toMatchObject({ master: DATA[0], role: 'master' });
    expect(world.stoppedWriters).toBe(2);
    expect(world.kv.has(LOCK)).toBe(false);
  });

  it('reports an abort Sentinel announces, e.g. -failover-abort-slave-timeout', async () => {
    // Prepare
    world.abortWith = '-failover-abort-slave-timeout';

    // Act
    const r = await drill();

    // Assess
    expect(r.outcome).toBe('failed');
    expect(r.abortReason).toMatch(
      /^-failover-abort-slave-timeout from sentinel 10\.0\.1\.61:26379: the chosen replica/,
    );
    expect(checkOf(r, 'switch-announced')?.passed).toBe(false);
    expect(r.legs[0]).toMatchObject({ to: null, verified: false });
    expect(r.finalState?.master).toEqual(DATA[0]);
  });

  it('fails verification at its deadline and still says who is master', async () => {
    // Prepare: the old master is never converted
    world.conversionMs = Number.POSITIVE_INFINITY;

    // Act
    const r = await drill({ verifyTimeoutMs: 3000 });

    // Assess
    expect(r.outcome).toBe('failed');
    expect(r.timeToVerifiedMs).toBeNull();
    expect(checkOf(r, 'old-master-rejoined')).toMatchObject({
      passed: false,
      detail: '10.0.1.61:6379 still reports role:master (not yet converted by Sentinel)',
    });
    expect(r.summary).toMatch(/^FAILED: old-master-rejoined: .*; master now 10\.0\.1\.62:6379$/);
  });

  it('ends with a final poll, the lock released and the writers stopped when something throws', async () => {
    // Prepare: the 3rd poll (during verification) fails
    world.pollThrowsAfter = 2;

    // Act
    const r = await drill();

    // Assess
    expect(r).toMatchObject({ passed: false, outcome: 'failed', error: 'simulated poll failure' });
    expect(r.finalState?.master).toEqual(DATA[1]);
    expect(checkOf(r, 'final-master')?.passed).toBe(true);
    expect(checkOf(r, 'lock-released')?.passed).toBe(true);
    expect(world.stoppedWriters).toBe(2);
    expect(r.summary).toBe('FAILED: simulated poll failure; master now 10.0.1.62:6379');
  });

  it('does not start a failover when the writers cannot write', async () => {
    world.writersReady = false;
    const r = await drill();
    expect(checkOf(r, 'writers-ready')).toMatchObject({ passed: false });
    expect(failovers()).toEqual([]);
    expect(r.outcome).toBe('refused');
  });

  it('fails back to the original master, preferring it by replica-priority, and restores it', async () => {
    // Act
    const r = await drill({ failback: true });

    // Assess
    expect(r.passed).toBe(true);
    expect(r.legs.map((l) => [l.purpose, l.from, l.to, l.verified])).toEqual([
      ['drill', DATA[0], DATA[1], true],
      ['failback', DATA[1], DATA[0], true],
    ]);
    expect(r.newMaster).toEqual(DATA[1]);
    expect(r.finalState?.master).toEqual(DATA[0]);
    expect(checkOf(r, 'failback-complete')).toMatchObject({
      passed: true,
      detail: '10.0.1.61:6379 is master again',
    });
    expect(checkOf(r, 'replica-priority-restored')?.passed).toBe(true);
    expect(world.priorities).toEqual([100, 100, 100]);
    expect(world.log()).toEqual(
      expect.arrayContaining([
        '10.0.1.61:6379 CONFIG SET replica-priority 1',
        '10.0.1.61:6379 CONFIG REWRITE',
      ]),
    );
  });
});

describe('Locks', () => {
  const request = { owner: 'drill-a', ttlMs: 60_000, master: DATA[0] };

  class MemoryLockStore implements LockStore {
    holder: { owner: string; expiresAt: number } | null = null;
    async acquireLock(_d: string, r: { owner: string; ttlMs: number; now: number }): Promise<LockResult> {
      if (this.holder && this.holder.expiresAt >= r.now && this.holder.owner !== r.owner) {
        return { acquired: false, heldBy: this.holder.owner, expiresAt: this.holder.expiresAt };
      }
      this.holder = { owner: r.owner, expiresAt: r.now + r.ttlMs };
      return { acquired: true };
    }
    async releaseLock(_d: string, owner: string): Promise<boolean> {
      if (this.holder?.owner !== owner) return false;
      this.holder = null;
      return true;
    }
  }

  it('lockStoreLock: peek takes and gives back a short lock under another name', async () => {
    const store = new MemoryLockStore();
    const lock = lockStoreLock(store, 'prod-cache', () => 0);
    expect(await lock.peek(request)).toEqual({ acquired: true });
    expect(store.holder).toBeNull();
    store.holder = { owner: 'drill-b', expiresAt: 10 };
    expect(await lock.peek(request)).toEqual({ acquired: false, heldBy: 'drill-b', expiresAt: 10 });
  });

  it('combinedLock: gives back the first lock when the second is refused', async () => {
    // Prepare
    const w = new FakeDeployment();
    w.kv.set(LOCK, { value: 'cli-drill', expiresAt: w.t + 1000 });
    const store = new MemoryLockStore();
    const lock = combinedLock(
      lockStoreLock(store, 'prod-cache', w.now),
      redisKeyLock({ runBatch: w.runBatch, deployment, credentials, now: w.now }),
    );

    // Act
    const result = await lock.acquire(request);

    // Assess
    expect(result).toEqual({ acquired: false, heldBy: 'cli-drill', expiresAt: w.t + 1000 });
    expect(store.holder).toBeNull();
    expect(lock.where).toBe(
      'the DynamoDB drill lock and key sentinel-watch:drill-lock:prod-cache on the master',
    );
  });
});
