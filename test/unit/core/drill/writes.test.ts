import { summarizeClientWrites, summarizeSplitBrain, type WriteSample } from '../../../../lambdas/core/drill';

const T0 = 1_000_000;

/** One write every 10 ms from T0 + startMs; `fail` maps seq -> error; `slow` maps seq -> extra ms. */
function samples(
  count: number,
  options: { fail?: Record<number, string>; slow?: Record<number, number>; startMs?: number } = {},
): WriteSample[] {
  const out: WriteSample[] = [];
  let t = T0 + (options.startMs ?? 0);
  for (let seq = 1; seq <= count; seq++) {
    const took = 1 + (options.slow?.[seq] ?? 0);
    const error = options.fail?.[seq];
    out.push({ seq, startedAt: t, endedAt: t + took, ok: error === undefined, ...(error ? { error } : {}) });
    t += Math.max(10, took);
  }
  return out;
}

describe('Function: summarizeClientWrites', () => {
  it('finds no outage in steady writes', () => {
    // Act
    const s = summarizeClientWrites(samples(50), { origin: T0, present: null, stoppedAt: T0 + 500 });

    // Assess
    expect(s).toEqual({
      attempted: 50,
      acknowledged: 50,
      failed: 0,
      outageMs: 0,
      longestGapMs: 10,
      windows: [],
      lost: null,
    });
  });

  it('measures a failure window from the last acknowledged write to the next one', () => {
    // Prepare: writes 11-20 fail (connection lost), 21 succeeds
    const fail = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [11 + i, 'Connection is closed.']));

    // Act
    const s = summarizeClientWrites(samples(40, { fail }), {
      origin: T0,
      present: null,
      stoppedAt: T0 + 400,
    });

    // Assess: seq 10 ended at +91, seq 21 at +201
    expect(s.failed).toBe(10);
    expect(s.windows).toEqual([
      { fromMs: 91, toMs: 201, failedWrites: 10, firstError: 'Connection is closed.' },
    ]);
    expect(s.outageMs).toBe(110);
    expect(s.longestGapMs).toBe(110);
  });

  it('counts a stalled write as an outage even when it finally succeeds', () => {
    // Prepare: write 5 waits 800 ms in the offline queue, then is acknowledged
    const s = summarizeClientWrites(samples(10, { slow: { 5: 800 } }), {
      origin: T0,
      present: null,
      stoppedAt: T0 + 2000,
    });

    // Assess
    expect(s.failed).toBe(0);
    expect(s.windows).toEqual([{ fromMs: 31, toMs: 841, failedWrites: 0, firstError: null }]);
  });

  it('keeps a window open until the writer stopped when writes never recovered', () => {
    const s = summarizeClientWrites(samples(5, { fail: { 4: 'READONLY', 5: 'READONLY' } }), {
      origin: T0,
      present: null,
      stoppedAt: T0 + 900,
    });
    expect(s.windows).toEqual([{ fromMs: 21, toMs: 900, failedWrites: 2, firstError: 'READONLY' }]);
  });

  it('counts acknowledged writes missing on the new master as lost', () => {
    // Prepare: 1-7 reached the new master; 8-10 were acknowledged by the old one and are gone
    const present = new Set([0, 1, 2, 3, 4, 5, 6, 7]);

    // Act
    const s = summarizeClientWrites(samples(10), { origin: T0, present, stoppedAt: T0 + 100 });

    // Assess
    expect(s.lost).toBe(3);
  });
});

describe('Function: summarizeSplitBrain', () => {
  it('measures how long the old master acknowledged writes after the switch, and what was lost', () => {
    // Prepare: switch at +55; the old master acknowledges 1-10 (up to +91), then refuses
    const all = samples(12, {
      fail: { 11: "READONLY You can't write against a read only replica.", 12: 'READONLY x' },
    });
    const present = new Set([0, 1, 2, 3, 4]);

    // Act
    const s = summarizeSplitBrain(all, { switchAt: T0 + 55, present });

    // Assess: seq k ends at +10(k-1)+1, so 7-10 were acknowledged after the switch; 5-10 are gone
    expect(s).toEqual({
      attempted: 12,
      acknowledged: 10,
      acknowledgedAfterSwitch: 4,
      windowMs: 91 - 55,
      lost: 6,
      firstErrorAfterSwitch: "READONLY You can't write against a read only replica.",
    });
  });

  it('reports no window when nothing was acknowledged after the switch', () => {
    const s = summarizeSplitBrain(samples(3), { switchAt: T0 + 500, present: new Set([1, 2, 3]) });
    expect(s).toMatchObject({
      acknowledgedAfterSwitch: 0,
      windowMs: 0,
      lost: 0,
      firstErrorAfterSwitch: null,
    });
  });

  it('cannot place writes in time without a switch, and cannot count losses unread', () => {
    const s = summarizeSplitBrain(samples(3), { switchAt: null, present: null });
    expect(s).toMatchObject({ acknowledged: 3, acknowledgedAfterSwitch: 0, windowMs: 0, lost: null });
  });
});
