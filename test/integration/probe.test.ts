// The probe against real redis-server and redis-server --sentinel processes on loopback.
// One topology for the whole file; each fault is injected and undone in its own test.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import Redis from 'ioredis';
import { LocalTopology, waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { type Credentials, parseDeployment } from '../../lambdas/core/config';
import { hasRedisFeaturesOf } from '../../lambdas/core/server-version';
import type { Snapshot } from '../../lambdas/core/types';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';

const BASE = 6600;
const STANDALONE_PORT = 6610; // a node with no password at all
const GARBAGE_PORT = 6611; // speaks HTTP, not RESP

let topo: LocalTopology;
let standalone: ChildProcess;
let garbage: Server;

const deployment = (patch: Record<string, unknown> = {}) =>
  parseDeployment(
    { name: 'it-probe', masterName: 'mymaster', sentinels: topo.sentinelAddresses, timeoutMs: 500, ...patch },
    'test',
  );
const poll = (patch: Record<string, unknown> = {}, credentials: Credentials = { password: topo.password }) =>
  pollDeployment(deployment(patch), credentials, { runBatch, now: Date.now });
const node = (s: Snapshot, port: number) => s.nodes.find((n) => n.port === port);
const sentinel = (s: Snapshot, port: number) => s.sentinels.find((n) => n.port === port);

beforeAll(async () => {
  topo = await LocalTopology.up({ basePort: BASE });
  standalone = spawn(
    topo.redisServer,
    ['--port', String(STANDALONE_PORT), '--bind', '127.0.0.1', '--save', ''],
    {
      stdio: 'ignore',
    },
  );
  garbage = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  garbage.listen(GARBAGE_PORT, '127.0.0.1');
  await once(garbage, 'listening');
  const ping = () => runBatch({ host: '127.0.0.1', port: STANDALONE_PORT, tls: false }, [['PING']], 300);
  await waitFor(async () => (await ping()).replies[0]?.ok, 5000, 'the standalone node to answer PING');
}, 60_000);

afterAll(async () => {
  await topo?.down();
  if (standalone?.pid) process.kill(standalone.pid, 'SIGKILL');
  garbage?.close();
});

describe('pollDeployment against a real 1+2+3 topology', () => {
  it('reads a healthy deployment completely', async () => {
    // Act
    const s = await poll();

    // Assess: the consensus master and every server's view
    const [m, r1, r2] = topo.dataPorts;
    expect(s.master).toEqual({ host: '127.0.0.1', port: m });
    expect(s.consensus.unanimous).toBe(true);
    expect(s.consensus.votes[0].sentinels).toHaveLength(3);
    expect(s.truncated).toBe(false);
    expect(s.nodes.map((n) => [n.port, n.role, n.reachable, n.error])).toEqual([
      [m, 'master', true, null],
      [r1, 'replica', true, null],
      [r2, 'replica', true, null],
    ]);
    const master = node(s, m)!;
    // The binary's own release (`--version`), Valkey's included: not its redis_version compatibility field.
    expect(master.server).toMatchObject({ flavour: topo.server?.flavour, version: topo.server?.version });
    expect(master.server?.runId).toMatch(/^[0-9a-f]{40}$/);
    expect(master.replication?.connectedReplicas).toBe(2);
    expect(master.replication?.replicas.map((r) => r.port).sort()).toEqual([r1, r2]);
    expect(master.config).toMatchObject({
      masterauth: 'set',
      'replica-priority': '100',
      'min-replicas-to-write': '0',
    });
    for (const port of [r1, r2]) {
      const replica = node(s, port)!;
      expect(replica.replication).toMatchObject({
        masterHost: '127.0.0.1',
        masterPort: m,
        masterLinkStatus: 'up',
        masterSyncInProgress: false,
      });
      expect(replica.roleReply).toMatchObject({ role: 'replica', masterPort: m, state: 'connected' });
      expect(replica.rttMs).toBeGreaterThan(0);
    }
    expect(s.sentinels).toHaveLength(3);
    for (const x of s.sentinels) {
      expect(x).toMatchObject({
        reachable: true,
        error: null,
        tilt: false,
        masterAddress: { host: '127.0.0.1', port: m },
      });
      expect(x.master).toMatchObject({ name: 'mymaster', quorum: 2, numReplicas: 2, numOtherSentinels: 2 });
      expect(x.master?.flags).toEqual(['master']);
      expect(x.replicas).toHaveLength(2);
      expect(x.sentinels).toHaveLength(2);
      expect(x.ckquorum).toMatchObject({ ok: true, usableSentinels: 3 });
      expect(x.discoveredBy).toEqual(expect.arrayContaining(['config', 'sentinel']));
    }
    expect(JSON.stringify(s)).not.toContain(topo.password);
  });

  it('discovers the other sentinels and nodes from a single configured sentinel', async () => {
    const s = await poll({ sentinels: [topo.sentinelAddresses[0]], expectedSentinels: 3 });
    expect(s.sentinels.map((x) => x.port).sort()).toEqual([...topo.sentinelPorts].sort());
    expect(s.sentinels.filter((x) => x.discoveredBy.includes('config'))).toHaveLength(1);
    expect(s.nodes).toHaveLength(3);
  });

  it('reports a stopped replica as refused, still listed because the sentinels know it', async () => {
    const port = topo.dataPorts[2];
    await topo.kill(port);
    try {
      const s = await poll();
      expect(node(s, port)).toMatchObject({ reachable: false, role: null, error: { class: 'refused' } });
      expect(node(s, port)?.discoveredBy).toContain('sentinel');
      expect(s.master?.port).toBe(topo.dataPorts[0]);
    } finally {
      await topo.restart(port);
    }
  });

  it('reports a stopped sentinel as refused while the others still answer', async () => {
    const port = topo.sentinelPorts[1];
    await topo.kill(port);
    try {
      const s = await poll();
      expect(sentinel(s, port)).toMatchObject({
        reachable: false,
        masterAddress: null,
        error: { class: 'refused' },
      });
      expect(s.sentinels.filter((x) => x.reachable)).toHaveLength(2);
      expect(s.consensus.votes[0].sentinels).toHaveLength(2);
      expect(s.master?.port).toBe(topo.dataPorts[0]);
    } finally {
      await topo.restart(port);
    }
  });

  it('finishes within its deadline when a node is frozen with SIGSTOP', async () => {
    const port = topo.dataPorts[1];
    await topo.freeze(port);
    try {
      // Prepare: 300 ms per server, 1200 ms for the whole poll
      const started = Date.now();

      // Act
      const s = await poll({ timeoutMs: 300, pollTimeoutMs: 1200 });

      // Assess
      const elapsed = Date.now() - started;
      // Without deadlines the frozen node would hold the poll forever; the slack absorbs a loaded CI machine.
      expect(elapsed).toBeLessThan(1200 + 750);
      expect(node(s, port)).toMatchObject({ reachable: false, error: { class: 'timeout' } });
      expect(node(s, topo.dataPorts[0])?.error).toBeNull();
    } finally {
      await topo.thaw(port);
    }
  });

  it('reports a wrong password as auth-rejected on every data node, without leaking it', async () => {
    const s = await poll({}, { password: 'not-the-password' });
    for (const n of s.nodes) {
      expect(n).toMatchObject({
        reachable: true,
        role: null,
        error: { class: 'auth-rejected', command: 'AUTH' },
      });
      // Redis 6.0+ says WRONGPASS; 5.0 says `ERR invalid password` (docs/versions.md).
      expect(n.error?.message).toMatch(
        hasRedisFeaturesOf(topo.server!, '6.0.0') ? /^WRONGPASS/ : /^ERR invalid password$/,
      );
    }
    // Sentinels have no password here: they still name the master.
    expect(s.master?.port).toBe(topo.dataPorts[0]);
    expect(JSON.stringify(s)).not.toContain('not-the-password');
  });

  it('reports a missing password as auth-required', async () => {
    const s = await poll({}, {});
    expect(node(s, topo.dataPorts[0])?.error).toMatchObject({
      class: 'auth-required',
      message: 'NOAUTH Authentication required.',
    });
  });

  it('reports a password sent where none is set, and still reads the server', async () => {
    // Act: the standalone node has no requirepass; the sentinels have none either
    const s = await poll(
      { nodes: [`127.0.0.1:${STANDALONE_PORT}`] },
      { password: topo.password, sentinelPassword: 'only-on-one-side' },
    );

    // Assess
    const lone = node(s, STANDALONE_PORT)!;
    expect(lone).toMatchObject({
      reachable: true,
      role: 'master',
      error: { class: 'auth-not-configured', command: 'AUTH' },
    });
    expect(lone.discoveredBy).toEqual(['config']);
    expect(lone.config).toMatchObject({ masterauth: 'unset' });
    for (const x of s.sentinels) {
      expect(x.error).toMatchObject({ class: 'auth-not-configured' });
      expect(x.masterAddress?.port).toBe(topo.dataPorts[0]);
    }
    expect(JSON.stringify(s)).not.toContain('only-on-one-side');
  });

  it('turns garbage and wrong servers into errors, not crashes', async () => {
    // Act: an HTTP server listed as a node, a data node listed as a sentinel
    const s = await poll({
      nodes: [`127.0.0.1:${GARBAGE_PORT}`],
      sentinels: [...topo.sentinelAddresses, `127.0.0.1:${topo.dataPorts[1]}`],
    });

    // Assess
    expect(node(s, GARBAGE_PORT)?.reachable).toBe(false);
    expect(node(s, GARBAGE_PORT)?.error?.class).toBe('protocol');
    expect(sentinel(s, topo.dataPorts[1])?.error?.class).toMatch(/^(auth-required|unsupported-command)$/);
    expect(s.master?.port).toBe(topo.dataPorts[0]);
  });

  it('reports an unknown master name on every sentinel', async () => {
    const s = await poll({ masterName: 'no-such-master' });
    expect(s.master).toBeNull();
    for (const x of s.sentinels) expect(x.error).toMatchObject({ class: 'unknown-master' });
  });

  it('follows a SENTINEL FAILOVER to the new master', async () => {
    // Prepare
    const old = topo.dataPorts[0];
    const admin = new Redis(topo.sentinelPorts[0], { lazyConnect: true, protocol: 2 });
    await admin.connect();
    try {
      // Act
      expect(await admin.call('SENTINEL', 'FAILOVER', 'mymaster')).toBe('OK');
    } finally {
      admin.disconnect();
    }
    const s = await waitFor(
      async () => {
        const snap = await poll();
        return snap.master && snap.master.port !== old && snap.consensus.unanimous ? snap : undefined;
      },
      20_000,
      'all sentinels to name a new master',
    );

    // Assess
    const promoted = node(s, s.master!.port)!;
    expect(topo.dataPorts).toContain(promoted.port);
    expect(promoted.role).toBe('master');
    expect(s.sentinels.every((x) => x.masterAddress?.port === promoted.port)).toBe(true);
    // The old master is demoted (Sentinel reconfigures it) within a few seconds.
    const later = await waitFor(
      async () => {
        const snap = await poll();
        return node(snap, old)?.role === 'replica' ? snap : undefined;
      },
      20_000,
      'the old master to become a replica',
    );
    expect(node(later, old)?.replication?.masterPort).toBe(promoted.port);
  }, 60_000);
});
