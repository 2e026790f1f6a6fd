// The benchmark's lab: one real local 1+2+3 topology (LocalTopology, ports 7400-7402 and 27400-27402)
// plus, for the multi-deployment poll measurements, extra standalone masters with one replica each
// (ports 7410-7427) that the same three sentinels also monitor. Every process is ours by recorded PID
// (checked against /proc/<pid>/cmdline before signalling); `stop` and `killAllSync` end exactly those.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  configFeatures,
  dataNodeConfig,
  LocalTopology,
  processOwnership,
  waitFor,
  withRedis,
} from '../cli/local/topology';
import { runBatch } from '../lambdas/adapters/redis-batch';
import { type Credentials, type DeploymentConfig, parseDeployment } from '../lambdas/core/config';
import { preflight } from '../lambdas/core/drill';
import { parseInfo } from '../lambdas/core/parse-info';
import { toFieldMap } from '../lambdas/core/parse-sentinel';
import type { Address } from '../lambdas/core/types';
import { pollDeployment } from '../lambdas/probe/poll-deployment';

export const BASE_PORT = 7400;
/** Extra master i listens on EXTRA_BASE_PORT + 2i, its replica on EXTRA_BASE_PORT + 2i + 1. */
export const EXTRA_BASE_PORT = 7410;
export const MAX_EXTRAS = 9;
const LOOPBACK = '127.0.0.1';

export type Log = (line: string) => void;

export interface ExtraDeployment {
  readonly masterName: string;
  readonly masterPort: number;
  readonly replicaPort: number;
  readonly deployment: DeploymentConfig;
}

interface ExtraProcess {
  readonly port: number;
  readonly pid: number;
  readonly config: string;
  readonly dataDir: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One authenticated admin connection to `port`, closed after `fn`. */
export const withAdmin = withRedis;

export class Lab {
  readonly extras: ExtraDeployment[] = [];
  private readonly extraProcesses: ExtraProcess[] = [];
  private stopped = false;

  private constructor(
    readonly topo: LocalTopology,
    private readonly dir: string,
    private readonly log: Log,
  ) {}

  /** `starting` gets the topology's directory before any process starts (cleanup on Ctrl-C during up). */
  static async start(log: Log, starting: (topologyDir: string) => void): Promise<Lab> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-watch-bench-'));
    const started = Date.now();
    starting(path.join(dir, 'topology'));
    log(`starting the local 1+2+3 topology on ports ${BASE_PORT}-${BASE_PORT + 2} / 2${BASE_PORT}-...`);
    let topo: LocalTopology;
    try {
      topo = await LocalTopology.up({ basePort: BASE_PORT, dir: path.join(dir, 'topology') });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const lab = new Lab(topo, dir, log);
    log(`topology ready in ${Date.now() - started} ms`);
    return lab;
  }

  get credentials(): Credentials {
    return { password: this.topo.password };
  }

  /** The main deployment (master name `mymaster`) with production defaults. */
  deployment(patch: Record<string, unknown> = {}): DeploymentConfig {
    return parseDeployment(
      { name: 'bench', masterName: this.topo.masterName, sentinels: this.topo.sentinelAddresses, ...patch },
      'bench',
    );
  }

  /** Data node addresses of the main deployment. */
  get dataAddresses(): Address[] {
    return this.topo.dataPorts.map((port) => ({ host: LOOPBACK, port }));
  }

  // -- extra deployments (poll measurements) ---------------------------------------------------

  /**
   * Starts `count` standalone masters with one replica each and has all three sentinels monitor them
   * (`SENTINEL MONITOR`, `SENTINEL SET auth-pass`); returns once every sentinel knows each master's
   * replica and its two peers.
   */
  async addExtras(count: number): Promise<void> {
    if (count > MAX_EXTRAS) throw new Error(`at most ${MAX_EXTRAS} extra deployments (ports 7410-7427)`);
    const started = Date.now();
    const password = this.topo.password;
    const redisServer = this.topo.redisServer;
    const dir = path.join(this.dir, 'extras');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const fresh: ExtraDeployment[] = [];
    for (let i = this.extras.length; i < count; i++) {
      const masterPort = EXTRA_BASE_PORT + 2 * i;
      const replicaPort = masterPort + 1;
      for (const [port, replicaOf] of [
        [masterPort, undefined],
        [replicaPort, masterPort],
      ] as const) {
        const dataDir = path.join(dir, `data-${port}`);
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        const config = path.join(dir, `redis-${port}.conf`);
        await writeFile(
          config,
          dataNodeConfig({
            port,
            password,
            replicaOf,
            dataDir,
            logFile: path.join(dir, `${port}.log`),
            features: this.topo.server && configFeatures(this.topo.server),
          }),
          { mode: 0o600 },
        );
        const child = spawn(redisServer, [config], { detached: true, stdio: 'ignore', cwd: dataDir });
        child.on('error', () => undefined);
        child.unref();
        if (child.pid === undefined) throw new Error(`could not start ${redisServer} on port ${port}`);
        this.extraProcesses.push({ port, pid: child.pid, config, dataDir });
      }
      const masterName = `bench-extra-${i + 1}`;
      fresh.push({
        masterName,
        masterPort,
        replicaPort,
        deployment: parseDeployment(
          {
            name: masterName,
            masterName,
            sentinels: this.topo.sentinelAddresses,
            expectedReplicas: 1,
          },
          `extra[${i}]`,
        ),
      });
    }
    // Replicas attached before the sentinels are told, so their first INFO of the master lists them.
    for (const e of fresh) {
      await waitFor(
        () =>
          withAdmin(e.replicaPort, password, async (c) => {
            const info = parseInfo(await c.info('replication'));
            return info.role === 'slave' && info.master_link_status === 'up';
          }),
        15_000,
        `extra replica ${e.replicaPort} to sync`,
      );
    }
    for (const port of this.topo.sentinelPorts) {
      await withAdmin(port, undefined, async (c) => {
        for (const e of fresh) {
          await c.call('SENTINEL', 'MONITOR', e.masterName, LOOPBACK, String(e.masterPort), '2');
          await c.call('SENTINEL', 'SET', e.masterName, 'auth-pass', password);
        }
      });
    }
    this.extras.push(...fresh);
    await waitFor(
      async () => {
        for (const port of this.topo.sentinelPorts) {
          const ok = await withAdmin(port, undefined, async (c) => {
            for (const e of fresh) {
              const m = toFieldMap(await c.call('SENTINEL', 'MASTER', e.masterName), 'SENTINEL MASTER');
              if (m.flags !== 'master' || m['num-slaves'] !== '1' || m['num-other-sentinels'] !== '2') {
                return false;
              }
            }
            return true;
          });
          if (!ok) return false;
        }
        return true;
      },
      45_000,
      'every sentinel to know each extra master, its replica and its two peers',
      250,
    );
    this.log(`${this.extras.length} extra deployments monitored (ready in ${Date.now() - started} ms)`);
  }

  /** `SENTINEL REMOVE` of every extra master, then stops their processes. */
  async removeExtras(): Promise<void> {
    if (this.extras.length === 0) return;
    for (const port of this.topo.sentinelPorts) {
      await withAdmin(port, undefined, async (c) => {
        for (const e of this.extras) await c.call('SENTINEL', 'REMOVE', e.masterName).catch(() => undefined);
      }).catch(() => undefined);
    }
    this.extras.length = 0;
    await this.stopExtraProcesses();
    this.log('extra deployments removed');
  }

  private async stopExtraProcesses(): Promise<void> {
    const mine = this.extraProcesses.splice(0);
    const ours = (p: ExtraProcess) =>
      ['ours', 'frozen'].includes(processOwnership(p.pid, p.config, p.dataDir));
    for (const p of mine) if (ours(p)) process.kill(p.pid, 'SIGTERM');
    const deadline = Date.now() + 3000;
    while (mine.some(ours) && Date.now() < deadline) await sleep(25);
    for (const p of mine) if (ours(p)) process.kill(p.pid, 'SIGKILL');
  }

  // -- health -----------------------------------------------------------------------------------

  /**
   * Until the deployment is healthy again: all three sentinels name the same master, every other data
   * node is its replica with the link up, every sentinel lists both replicas without s_down or
   * disconnected flags, and a poll would pass the drill's preflight. Returns the master's address.
   */
  async waitHealthy(timeoutMs = 40_000): Promise<Address> {
    const d = this.deployment();
    const { masterName, password } = this.topo;
    return waitFor(
      async () => {
        const views = await this.topo.sentinelViews();
        const ports = new Set(views.map((v) => v.master?.port));
        if (ports.size !== 1 || views.some((v) => v.master === undefined)) return undefined;
        const master = views[0].master!;
        for (const port of this.topo.dataPorts.filter((p) => p !== master.port)) {
          const ok = await withAdmin(port, password, async (c) => {
            const info = parseInfo(await c.info('replication'));
            return (
              info.role === 'slave' &&
              Number(info.master_port) === master.port &&
              info.master_link_status === 'up'
            );
          });
          if (!ok) return undefined;
        }
        for (const port of this.topo.sentinelPorts) {
          const ok = await withAdmin(port, undefined, async (c) => {
            const list = (await c.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
            const replicas = list.map((r) => toFieldMap(r, 'SENTINEL REPLICAS'));
            return (
              replicas.length === this.topo.dataPorts.length - 1 && replicas.every((r) => r.flags === 'slave')
            );
          });
          if (!ok) return undefined;
        }
        const snapshot = await pollDeployment(d, this.credentials, { runBatch, now: Date.now });
        return preflight(snapshot, d).passed ? master : undefined;
      },
      timeoutMs,
      'the deployment to be healthy again (sentinels agree, replicas linked, preflight passes)',
      200,
    );
  }

  // -- cleanup ----------------------------------------------------------------------------------

  /** Stops every process this lab started (sentinels first) and removes its directory. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.stopExtraProcesses().catch(() => undefined);
    await this.topo.down();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Last resort (second Ctrl-C, process exit): SIGKILL every recorded process that is still ours. */
  killAllSync(): void {
    const records = [
      ...this.topo.processes.map((p) => ({ pid: p.pid, config: p.config, dataDir: p.dataDir })),
      ...this.extraProcesses,
    ];
    for (const r of records) {
      const o = processOwnership(r.pid, r.config, r.dataDir);
      if (o === 'ours' || o === 'frozen') {
        try {
          process.kill(r.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  }
}
