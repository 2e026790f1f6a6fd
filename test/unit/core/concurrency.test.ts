import { limitConcurrency } from '../../../lambdas/core/concurrency';

describe('Function: limitConcurrency', () => {
  it('runs at most max calls at once, in order, and passes results and errors through', async () => {
    // Prepare
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const work = async (i: number) => {
      started.push(i);
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 2));
      active--;
      if (i === 3) throw new Error('three');
      return i * 2;
    };
    const limited = limitConcurrency(work, 2);

    // Act
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limited(i)));

    // Assess
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      2,
      4,
      'three',
      8,
      10,
    ]);
  });

  it('refuses a limit below one', () => {
    expect(() => limitConcurrency(async () => 1, 0)).toThrow(RangeError);
  });
});
