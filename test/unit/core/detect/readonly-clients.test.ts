import type { DetectResult } from '../../../../lambdas/core/detect';
import {
  codesOf,
  fail,
  healthySnapshot,
  type MutableSnapshot,
  NOW,
  node,
  run,
  setStats,
  withCode,
} from '../../helpers/snapshot-factory';

const POLL = 10_000;

/** Polls every 10 s; `readonly[i]` is the replica .62's errorstat_READONLY count at poll i (null: unreadable). */
function polls(readonly: readonly (number | null)[], change?: (s: MutableSnapshot, i: number) => void) {
  const results: DetectResult[] = [];
  let previous: MutableSnapshot | null = null;
  readonly.forEach((count, i) => {
    const s = healthySnapshot({ at: NOW + i * POLL });
    if (count === null) fail(node(s, 1), 'timeout');
    else setStats(node(s, 1), { errorCounts: count > 0 ? { READONLY: count } : {} });
    change?.(s, i);
    results.push(run(s, { previous, ...(results.length > 0 ? { state: results.at(-1)!.state } : {}) }));
    previous = s;
  });
  return results;
}

describe('Function: detect', () => {
  describe('Code: CLIENTS_WRITING_TO_REPLICA', () => {
    it('warns when a replica’s READONLY errors grow, with how many and how fast', () => {
      // Act
      const results = polls([0, 20, 40]);

      // Assess
      expect(results.map(codesOf)).toEqual([
        [],
        ['CLIENTS_WRITING_TO_REPLICA'],
        ['CLIENTS_WRITING_TO_REPLICA'],
      ]);
      const [found] = results[2].findings;
      expect(found).toMatchObject({ severity: 'warning', subject: 'node 10.0.1.62:6379' });
      expect(found.message).toContain('Clients keep sending writes to the replica 10.0.1.62:6379');
      expect(found.message).toContain('40 READONLY error(s) in 20 s (about 120 a minute)');
      expect(found.message).toContain('did not follow a failover');
      expect(found.message).toContain('master name mymaster');
      expect(found.message).toContain('(10.0.1.61:6379 now)');
      expect(found.details).toMatchObject({
        readonlyErrors: 40,
        perMinute: 120,
        sinceMs: 20_000,
        clients: null,
      });
    });

    it('names the clients whose last command was a write, when CLIENT LIST was read', () => {
      // Act
      const results = polls([0, 20], (s, i) => {
        if (i === 1) {
          node(s, 1).writingClients = [
            { addr: '10.0.5.7:51234', name: 'billing-worker', lastCommand: 'set' },
            { addr: '10.0.5.8:40001', name: '', lastCommand: 'incr' },
          ];
        }
      });

      // Assess
      expect(results[1].findings[0].message).toContain(
        'Clients whose last command was a write: 10.0.5.7:51234 (billing-worker) set, 10.0.5.8:40001 incr.',
      );
    });

    it('holds for a minute (READONLY_WINDOW_MS) after the last growth, then clears', () => {
      // Prepare: errors grow once, then stay flat
      const counts = [0, 30, ...Array.from({ length: 7 }, () => 30)];

      // Act
      const results = polls(counts);

      // Assess
      const firing = results.map((r) => withCode(r, 'CLIENTS_WRITING_TO_REPLICA').length);
      expect(firing).toEqual([0, 1, 1, 1, 1, 1, 1, 0, 0]);
    });

    it('does not take an outage, a counter from before the first poll, or a master’s READONLY count for growth', () => {
      // Prepare: a large count at the first poll; unreadable for a poll; and the master's own count grows
      const results = polls([5000, null, 5000, 5000], (s, i) => {
        setStats(node(s, 0), { errorCounts: { READONLY: i * 10 } });
      });

      // Assess
      expect(results.map(codesOf)).toEqual([[], ['REPLICA_UNREACHABLE'], [], []]);
      expect(results[1].state.counters?.['node 10.0.1.62:6379']?.readonlyErrors).toBe(5000);
    });

    it('is not judged on Redis 5 (no errorstats): the counter is unknown, not zero', () => {
      // Act
      const results = polls([0, 0], (s) => {
        setStats(node(s, 1), { errorCounts: null });
      });

      // Assess
      expect(results.map(codesOf)).toEqual([[], []]);
      expect(results[1].state.counters?.['node 10.0.1.62:6379']?.readonlyErrors).toBeNull();
    });

    it('never reports a negative count when the replica restarts (its counters start again at 0)', () => {
      // Prepare: 1000 READONLY errors from long ago, growth, a restart, and clients writing again
      const results = polls([1000, 1020, 0, 15]);

      // Assess
      const messages = results.flatMap((r) => r.findings.map((f) => f.message)).join(' ');
      expect(messages).not.toMatch(/-\d+ READONLY/);
      for (const r of results) {
        for (const f of withCode(r, 'CLIENTS_WRITING_TO_REPLICA')) {
          expect(f.details?.readonlyErrors as number).toBeGreaterThanOrEqual(0);
        }
      }
      expect(withCode(results[3], 'CLIENTS_WRITING_TO_REPLICA')[0].details).toMatchObject({
        readonlyErrors: 15,
      });
    });
  });
});
