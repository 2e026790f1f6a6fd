// The drill keeps its writers' writes per 100 ms in each leg (the picture's data), and they add up to
// the same numbers as the leg's summaries.

import { type Credentials, parseDeployment } from '../../../lambdas/core/config';
import { totalOf } from '../../../lambdas/core/drill';
import { redisKeyLock, runDrill } from '../../../lambdas/drill/run';
import { SENTINELS } from '../helpers/snapshot-factory';
import { FakeDeployment } from './fake-deployment';

const deployment = parseDeployment(
  { name: 'prod-cache', masterName: 'mymaster', sentinels: SENTINELS.map((a) => `${a.host}:${a.port}`) },
  'test',
);
const credentials: Credentials = { password: 'pw' };

describe('Function: runDrill (write series)', () => {
  it.each([
    ['without failback', false],
    ['with failback', true],
  ])('keeps per-100 ms counts that match the summaries, %s', async (_, failback) => {
    // Prepare
    const world = new FakeDeployment();

    // Act
    const r = await runDrill(
      deployment,
      credentials,
      { failback },
      {
        ...world.deps(),
        lock: redisKeyLock({ runBatch: world.runBatch, deployment, credentials, now: world.now }),
      },
    );

    // Assess
    expect(r.passed).toBe(true);
    expect(r.legs.length).toBe(failback ? 2 : 1);
    for (const leg of r.legs) {
      const s = leg.writeSeries!;
      expect(s.bucketMs).toBe(100);
      expect(s.fromMs % 100).toBe(0);
      expect(totalOf(s.client.acknowledged)).toBe(leg.clientWrites?.acknowledged);
      expect(totalOf(s.client.failed)).toBe(leg.clientWrites?.failed);
      expect(totalOf(s.client.lost)).toBe(leg.clientWrites?.lost);
      expect(totalOf(s.oldMaster.acknowledged)).toBe(leg.oldMasterWrites?.acknowledged);
      expect(totalOf(s.oldMaster.lost)).toBe(leg.oldMasterWrites?.lost);
      expect(totalOf(s.oldMaster.lost)).toBeGreaterThan(0);
    }
  });
});
