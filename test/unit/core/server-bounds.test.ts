import { encodeDrillLock, MAX_DRILL_LOCK_LENGTH } from '../../../lambdas/core/drill-lock';
import { MAX_NODES, MAX_SENTINELS } from '../../../lambdas/core/limits';
import { boundNode, boundSentinel, MAX_TEXT } from '../../../lambdas/core/server-bounds';
import type { NodeSnapshot, SentinelSnapshot } from '../../../lambdas/core/types';
import { healthySnapshot, node, sentinelAt } from '../helpers/snapshot-factory';

const huge = 'x'.repeat(100_000);

describe('Function: boundSentinel', () => {
  it('cuts every string and list a hostile sentinel controls', () => {
    // Prepare
    const s = sentinelAt(healthySnapshot(), 0);
    s.runId = huge;
    s.version = huge;
    s.master!.flags = Array.from({ length: 1000 }, () => huge);
    s.master!.failoverState = huge;
    s.ckquorum!.message = `OK 3 usable ${huge}`;
    s.error = { class: 'command-failed', message: huge };
    s.sentinels = Array.from({ length: 1000 }, (_, i) => ({ ...s.sentinels[0], port: i + 1, runId: huge }));
    s.replicas = Array.from({ length: 1000 }, (_, i) => ({
      ...s.replicas[0],
      port: i + 1,
      masterHost: huge,
    }));

    // Act
    const b = boundSentinel(s as SentinelSnapshot);

    // Assess
    expect(JSON.stringify(b).length).toBeLessThan(50_000);
    expect(b.runId!.length).toBeLessThanOrEqual(64);
    expect(b.master!.flags.length).toBeLessThanOrEqual(16);
    expect(b.sentinels).toHaveLength(MAX_SENTINELS);
    expect(b.replicas).toHaveLength(MAX_NODES);
    expect(b.ckquorum!.message.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(b.ckquorum!.ok).toBe(true);
    expect(b.error!.message.length).toBeLessThanOrEqual(500);
  });

  it('writes every address it names in canonical form', () => {
    const s = sentinelAt(healthySnapshot(), 0);
    s.masterAddress = { host: '::FFFF:10.0.1.61', port: 6379 };
    s.sentinels[0].host = 'Sentinel-2.Example.com.';
    s.replicas[0].host = '0:0:0:0:0:0:0:1';
    const b = boundSentinel(s as SentinelSnapshot);
    expect(b.masterAddress).toEqual({ host: '10.0.1.61', port: 6379 });
    expect(b.sentinels[0].host).toBe('sentinel-2.example.com');
    expect(b.replicas[0].host).toBe('::1');
  });

  it('leaves a healthy sentinel as it was', () => {
    const s = sentinelAt(healthySnapshot(), 0) as SentinelSnapshot;
    expect(boundSentinel(s)).toEqual(s);
  });
});

describe('Function: boundNode', () => {
  it('cuts every string and list a hostile node controls', () => {
    // Prepare
    const n = node(healthySnapshot(), 0);
    n.server!.runId = huge;
    n.replication!.replicas = Array.from({ length: 1000 }, (_, i) => ({
      ...n.replication!.replicas[0],
      port: i + 1,
      state: huge,
    }));
    n.config = { 'replica-priority': huge };
    n.drillLock = { owner: huge, ttlMs: 1 };

    // Act
    const b = boundNode(n as NodeSnapshot);

    // Assess
    expect(JSON.stringify(b).length).toBeLessThan(20_000);
    expect(b.replication!.replicas).toHaveLength(MAX_NODES);
    expect(b.config!['replica-priority'].length).toBeLessThanOrEqual(MAX_TEXT);
  });

  it("keeps a signed drill lock whole, so that a watcher can verify the drill's signature", () => {
    // Prepare: a lock as a drill writes it, with a long host name (a lock is ~400 characters)
    const value = encodeDrillLock(
      {
        deployment: 'prod-cache-eu-west-1-primary',
        id: 'drill-20260501T095950Z-abcdef',
        from: { host: 'redis-primary-0.redis-headless.prod-cache.svc.cluster.local', port: 6379 },
        startedAt: 1_777_000_000_000,
        windowEndsAt: 1_777_000_600_000,
        failoverAt: 1_777_000_010_000,
        beatAt: 1_777_000_015_000,
        ttlMs: 15_000,
      },
      'k'.repeat(48),
    );
    const n = node(healthySnapshot(), 0);
    n.drillLock = { owner: value, ttlMs: 14_000 };

    // Act
    const b = boundNode(n as NodeSnapshot);

    // Assess
    expect(value.length).toBeGreaterThan(MAX_TEXT);
    expect(b.drillLock!.owner).toBe(value);
    n.drillLock = { owner: huge, ttlMs: 1 };
    expect(boundNode(n as NodeSnapshot).drillLock!.owner.length).toBeLessThanOrEqual(MAX_DRILL_LOCK_LENGTH);
  });

  it('keeps READONLY among at most 32 error codes, and at most 32 writing clients', () => {
    // Prepare
    const n = node(healthySnapshot(), 1);
    const codes = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`E${i}${huge.slice(0, 100)}`, i]),
    );
    n.stats = {
      rdbLastBgsaveOk: true,
      aofEnabled: false,
      aofLastWriteOk: null,
      changesSinceLastSave: 0,
      loading: false,
      usedMemory: 1,
      maxMemory: 0,
      maxMemoryPolicy: huge,
      rejectedConnections: 0,
      connectedClients: 1,
      maxClients: 10_000,
      errorCounts: { ...codes, READONLY: 7 },
    };
    n.writingClients = Array.from({ length: 1000 }, () => ({ addr: huge, name: huge, lastCommand: 'set' }));
    n.ping = { ok: false, errorCode: huge, message: huge };

    // Act
    const b = boundNode(n as NodeSnapshot);

    // Assess
    expect(Object.keys(b.stats!.errorCounts!)).toHaveLength(32);
    expect(b.stats!.errorCounts!.READONLY).toBe(7);
    expect(b.writingClients).toHaveLength(MAX_NODES);
    expect(JSON.stringify(b).length).toBeLessThan(20_000);
  });

  it('leaves a healthy node as it was', () => {
    for (const i of [0, 1]) {
      const n = node(healthySnapshot(), i) as NodeSnapshot;
      expect(boundNode(n)).toEqual(n);
    }
  });
});
