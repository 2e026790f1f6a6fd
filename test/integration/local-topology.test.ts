// Real redis-server processes on 127.0.0.1:6500-6502 and 26500-26502. Each scenario starts its own
// topology (Sentinel state from one scenario must not leak into the next) and `afterAll` stops
// whatever is still running.

import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import Redis from 'ioredis';
import { LocalTopology, stateFilePath, waitFor } from '../../cli/local/topology';
import { TopologyError } from '../../lambdas/core/errors';

const BASE_PORT = 6500;
const MASTER = BASE_PORT;
/** Distinct `+switch-master` payloads are counted this long after the first one. */
const SWITCH_WINDOW_MS = 8000;

let topology: LocalTopology | undefined;

afterAll(async () => {
  await topology?.down();
});

async function upFresh(): Promise<LocalTopology> {
  await topology?.down();
  topology = await LocalTopology.up({ basePort: BASE_PORT });
  return topology;
}

interface SentinelEvent {
  readonly at: number;
  readonly sentinel: number;
  readonly channel: string;
  readonly message: string;
}

/** Subscribes to Sentinel event channels on every sentinel: each one publishes only what it does. */
async function watchSentinels(t: LocalTopology, channels: string[]) {
  const events: SentinelEvent[] = [];
  const clients = t.sentinelPorts.map((port) => {
    const client = new Redis({
      host: '127.0.0.1',
      port,
      password: t.sentinelPassword,
      protocol: 2,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    client.on('message', (channel: string, message: string) =>
      events.push({ at: Date.now(), sentinel: port, channel, message }),
    );
    return client;
  });
  await Promise.all(clients.map((c) => c.subscribe(...channels)));
  return {
    events,
    switches: () => events.filter((e) => e.channel === '+switch-master'),
    close: () => {
      for (const c of clients) c.disconnect();
    },
  };
}

/** `+switch-master` payload: `<name> <old-ip> <old-port> <new-ip> <new-port>`. */
const newMasterPort = (message: string): number => Number(message.split(' ')[4]);
/** `+convert-to-slave` payload: `slave <ip>:<port> <ip> <port> @ <name> <master-ip> <master-port>`. */
const convertedPort = (message: string): number => Number(message.split(' ')[3]);

async function sentinelMasters(t: LocalTopology): Promise<(number | undefined)[]> {
  return (await t.sentinelViews()).map((v) => v.master?.port);
}

describe('LocalTopology on loopback', () => {
  it('starts 1 master, 2 replicas and 3 sentinels, and stops exactly those processes', async () => {
    const t = await upFresh();
    expect(t.dataPorts).toEqual([6500, 6501, 6502]);
    expect(t.sentinelAddresses).toEqual(['127.0.0.1:26500', '127.0.0.1:26501', '127.0.0.1:26502']);

    const { processes } = await t.status();
    expect(processes).toHaveLength(6);
    expect(processes.every((p) => p.alive && p.error === undefined)).toBe(true);
    expect(processes.filter((p) => p.role === 'master').map((p) => p.port)).toEqual([MASTER]);
    const replicas = processes.filter((p) => p.role === 'replica');
    expect(replicas.map((p) => p.port)).toEqual([6501, 6502]);
    expect(replicas.every((p) => p.masterPort === MASTER && p.linkUp === true)).toBe(true);
    const sentinels = processes.filter((p) => p.role === 'sentinel');
    expect(sentinels.map((p) => p.port)).toEqual([26500, 26501, 26502]);
    expect(sentinels.every((p) => p.masterPort === MASTER)).toBe(true);
    expect(await t.currentMaster()).toEqual({ host: '127.0.0.1', port: MASTER });

    // The state file holds the local password: owner-only. `load` sees the same processes.
    expect(statSync(stateFilePath(t.dir)).mode & 0o777).toBe(0o600);
    const loaded = await LocalTopology.load(t.dir);
    expect(loaded.processes).toEqual(t.processes);
    expect(loaded.password).toBe(t.password);

    // A second `up` on the same directory refuses instead of starting a second topology.
    await expect(LocalTopology.up({ basePort: BASE_PORT })).rejects.toThrow(/holds a running local topology/);

    const pids = t.processes.map((p) => p.pid);
    await loaded.down();
    await waitFor(() => pids.every((pid) => !existsSync(`/proc/${pid}`)), 3000, 'all pids to be gone');
    expect(existsSync(stateFilePath(t.dir))).toBe(false);
    await t.down(); // idempotent
    topology = undefined;
  }, 30_000);

  it('refuses to start when one of its ports is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(BASE_PORT + 20_001, '127.0.0.1', resolve));
    try {
      const attempt = LocalTopology.up({ basePort: BASE_PORT });
      await expect(attempt).rejects.toThrow(TopologyError);
      await expect(attempt).rejects.toThrow(/port 26501 on 127\.0\.0\.1 already in use/);
      expect(LocalTopology.exists(BASE_PORT)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('fails over exactly once after kill -9 of the master; the old master rejoins as a replica', async () => {
    const t = await upFresh();
    const watch = await watchSentinels(t, ['+switch-master', '+convert-to-slave']);
    try {
      const killedAt = Date.now();
      await t.kill(MASTER);
      const first = await waitFor(() => watch.switches()[0], 15_000, '+switch-master');
      const promoted = newMasterPort(first.message);
      expect(t.dataPorts.slice(1)).toContain(promoted);
      expect(first.at - killedAt).toBeLessThan(8000);

      // Restart the old master with its own config (as a crashed host would come back): it claims
      // master until Sentinel converts it (~10 s), which overlaps the counting window.
      await t.restart(MASTER);
      const windowEnd = first.at + SWITCH_WINDOW_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowEnd - Date.now())));

      const distinct = new Set(watch.switches().map((e) => e.message));
      expect([...distinct]).toEqual([`mymaster 127.0.0.1 ${MASTER} 127.0.0.1 ${promoted}`]);
      expect(await sentinelMasters(t)).toEqual([promoted, promoted, promoted]);

      const rejoined = await waitFor(
        async () =>
          (await t.status()).processes.find((p) => p.port === MASTER && p.role === 'replica' && p.linkUp),
        20_000,
        `127.0.0.1:${MASTER} to rejoin as a replica`,
      );
      expect(rejoined.masterPort).toBe(promoted);
      const converted = watch.events.filter((e) => e.channel === '+convert-to-slave');
      expect(converted.map((e) => convertedPort(e.message))).toContain(MASTER);
      expect(new Set(watch.switches().map((e) => e.message)).size).toBe(1);
      expect(await t.currentMaster()).toEqual({ host: '127.0.0.1', port: promoted });
    } finally {
      watch.close();
    }
    await t.down();
    topology = undefined;
  }, 45_000);

  it('keeps a SENTINEL FAILOVER issued right after up', async () => {
    const t = await upFresh();
    const watch = await watchSentinels(t, ['+switch-master', '+convert-to-slave']);
    try {
      expect(
        await t.withClient(t.sentinelPorts[0]!, (c) => c.call('SENTINEL', 'FAILOVER', t.masterName)),
      ).toBe('OK');
      const first = await waitFor(() => watch.switches()[0], 10_000, '+switch-master');
      const promoted = newMasterPort(first.message);
      expect(promoted).not.toBe(MASTER);
      await waitFor(
        async () => (await sentinelMasters(t)).every((p) => p === promoted),
        5000,
        'all sentinels to name the promoted master',
      );

      // A sentinel that missed the new epoch would turn the promoted node back into a replica
      // (`+convert-to-slave` on it, 8 s after it saw it claim master) and a new failover would follow.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, first.at + 10_000 - Date.now())));
      expect(await sentinelMasters(t)).toEqual([promoted, promoted, promoted]);
      expect(new Set(watch.switches().map((e) => e.message)).size).toBe(1);
      const converted = watch.events.filter((e) => e.channel === '+convert-to-slave');
      expect(converted.map((e) => convertedPort(e.message))).not.toContain(promoted);
      const roles = (await t.status()).processes.filter((p) => p.kind === 'data' && p.role === 'master');
      expect(roles.map((p) => p.port)).toContain(promoted);
    } finally {
      watch.close();
    }
  }, 40_000);
});
