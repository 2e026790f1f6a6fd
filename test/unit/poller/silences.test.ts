// The poller honours silences through the same pure step as `watch` (silence-policy.ts): held alerts
// are not published, the snapshot still records the findings (marked with the silence), and a silence
// store that cannot be read keeps the last silences read instead of paging everyone.

import { parseWatchConfig } from '../../../lambdas/core/config';
import type { AlertMessage } from '../../../lambdas/core/ports';
import { newSilence, type Silence } from '../../../lambdas/core/silence';
import type { SnapshotRecord } from '../../../lambdas/core/snapshot-record';
import type { StoredState } from '../../../lambdas/core/store-ports';
import type { Snapshot } from '../../../lambdas/core/types';
import { type PollerDeps, runPoller } from '../../../lambdas/poller/run';
import { fail, healthySnapshot, MINUTE, NOW, node } from '../helpers/snapshot-factory';

const config = parseWatchConfig({
  deployments: [
    { name: 'prod-cache', masterName: 'mymaster', sentinels: ['10.0.1.61:26379', '10.0.1.62:26379'] },
  ],
});

const silence: Silence = newSilence({
  id: 's-0123456789',
  deployment: 'prod-cache',
  code: 'REPLICA_UNREACHABLE',
  startsAt: NOW,
  durationMs: 30 * MINUTE,
  reason: 'replacing the disk of 10.0.1.63',
  createdBy: 'alice@bastion',
  now: NOW,
});

let now: number;
let state: StoredState<unknown> | null;
let snapshots: SnapshotRecord[];
let published: AlertMessage[];
let warnings: string[];
let silences: () => Promise<Silence[]>;

const deps = (): PollerDeps => ({
  probe: async () => {
    const s = healthySnapshot({ at: now });
    fail(node(s, 2), 'refused');
    return s as Snapshot;
  },
  store: {
    putSnapshot: async (r) => {
      snapshots.push(r);
    },
    history: async () => [],
    loadState: async <T>() => state as StoredState<T> | null,
    saveState: async (_d, next, expected) => {
      if ((state?.version ?? null) !== expected) return 'conflict';
      state = { version: (expected ?? 0) + 1, state: structuredClone(next) };
      return 'saved';
    },
  },
  silences: { silencesFor: () => silences() },
  publisher: {
    publish: async (m) => {
      published.push(m);
    },
  },
  secrets: { getSecret: async () => 'unused' },
  clock: () => now,
  sleep: async () => undefined,
  log: { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined },
});

const pollAt = (minute: number) => {
  now = NOW + minute * MINUTE;
  return runPoller(config, deps(), { owner: `inv-${minute}`, remainingMs: () => 60_000 });
};

beforeEach(() => {
  state = null;
  snapshots = [];
  published = [];
  warnings = [];
  silences = async () => [silence];
});

describe('Function: runPoller with silences', () => {
  it('publishes nothing for a silenced problem, records it in the snapshot, and opens it when the silence ends', async () => {
    // Act
    await pollAt(1);
    await pollAt(2);
    const heldSoFar = published.length;
    await pollAt(30);

    // Assess
    expect(heldSoFar).toBe(0);
    expect(snapshots[0].findings).toContainEqual({
      code: 'REPLICA_UNREACHABLE',
      severity: 'warning',
      subject: 'node 10.0.1.63:6379',
      silencedBy: 's-0123456789',
    });
    expect(published.map((p) => [p.attributes.type, p.attributes.code])).toEqual([
      ['opened', 'REPLICA_UNREACHABLE'],
    ]);
    expect(published[0].body).toMatch(/^Silence s-0123456789 \(REPLICA_UNREACHABLE of prod-cache/);
    expect(snapshots[2].findings.every((f) => f.silencedBy === undefined)).toBe(true);
  });

  it('keeps the silences read last when the store cannot be read, and says so in the log', async () => {
    // Prepare
    await pollAt(1);
    silences = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };

    // Act
    await pollAt(2);

    // Assess
    expect(published).toEqual([]);
    expect(warnings).toContain('could not read silences; the last ones read still hold');
  });
});
