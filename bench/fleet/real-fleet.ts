// The real-process fleet of `npm run bench -- --fleet`: three sentinels monitoring `masters` masters,
// each with one replica, all real redis-server processes on 127.0.0.1. Master i listens on
// BASE_PORT + 2i, its replica on BASE_PORT + 2i + 1, the sentinels on SENTINEL_PORT + 0..2 (ports
// 9000-9299, this bench's range). Every process is ours by recorded PID, checked against
// /proc/<pid>/cmdline (the config path is in the process title) before it is signalled.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import {
  dataNodeConfig,
  isPortFree,
  processOwnership,
  quoteConfigValue,
  sentinelConfig,
  waitFor,
  withRedis,
} from '../../cli/local/topology';
import { type DeploymentConfig, parseDeployment } from '../../lambdas/core/config';

export const BASE_PORT = 9000;
export const SENTINEL_PORT = 9200;
export const MAX_MASTERS = 100;
export const PASSWORD = 'sentinel-watch-fleet';
const LOOPBACK = '127.0.0.1';
/** Generous: 200 servers and three sentinels share two cores with the poller under test. */
const DOWN_AFTER_MS = 5000;
const FAILOVER_TIMEOUT_MS = 10_000;

export const masterName = (i: number): string => `fleet-${String(i).padStart(3, '0')}`;

interface Proc {
  readonly pid: number;
  readonly config: string;
  readonly child: ChildProcess;
}

export type Log = (line: string) => void;

export class RealFleet {
  private readonly procs: Proc[] = [];
  private stopped = false;
  private counts = 0;

  private constructor(
    readonly masters: number,
    readonly dir: string,
    readonly redisServer: string,
  ) {}

  get sentinelPorts(): number[] {
    return [0, 1, 2].map((i) => SENTINEL_PORT + i);
  }

  /** What a fleet config lists for master i: the three shared sentinels, its own master name. */
  deploymentInput(i: number): Record<string, unknown> {
    return {
      name: masterName(i),
      masterName: masterName(i),
      sentinels: this.sentinelPorts.map((p) => `${LOOPBACK}:${p}`),
      passwordEnv: 'FLEET_REDIS_PASSWORD',
      expectedReplicas: 1,
      expectedSentinels: 3,
      minDownAfterMs: 1000,
    };
  }

  /** The deployment config of master i, parsed (with changes). */
  deployment(i: number, patch: Record<string, unknown> = {}): DeploymentConfig {
    return parseDeployment({ ...this.deploymentInput(i), ...patch }, `fleet[${i}]`);
  }

  /** Every master's entry, for the bundled poller's config. */
  deploymentInputs(): Record<string, unknown>[] {
    return Array.from({ length: this.masters }, (_, i) => this.deploymentInput(i));
  }

  static async start(masters: number, redisServer: string, log: Log): Promise<RealFleet> {
    if (masters < 1 || masters > MAX_MASTERS) throw new RangeError(`masters must be 1-${MAX_MASTERS}`);
    const ports = [
      ...Array.from({ length: 2 * masters }, (_, i) => BASE_PORT + i),
      ...[0, 1, 2].map((i) => SENTINEL_PORT + i),
    ];
    const busy: number[] = [];
    for (const p of ports) if (!(await isPortFree(p))) busy.push(p);
    if (busy.length > 0)
      throw new Error(`ports in use (someone else's servers?): ${busy.slice(0, 10).join(', ')}`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-watch-fleet-'));
    const fleet = new RealFleet(masters, dir, redisServer);
    const started = Date.now();
    try {
      log(
        `starting ${masters} masters and ${masters} replicas on ports ${BASE_PORT}-${BASE_PORT + 2 * masters - 1}`,
      );
      for (let i = 0; i < masters; i++) {
        await fleet.startData(BASE_PORT + 2 * i);
        await fleet.startData(BASE_PORT + 2 * i + 1, BASE_PORT + 2 * i);
      }
      await waitFor(
        async () => {
          for (let i = 0; i < masters; i++) {
            const info = await withRedis(BASE_PORT + 2 * i + 1, PASSWORD, (c) => c.info('replication'));
            if (!info.includes('master_link_status:up')) return false;
          }
          return true;
        },
        60_000,
        'every replica linked to its master',
        250,
      );
      log(
        `data nodes up and linked in ${Date.now() - started} ms; starting 3 sentinels monitoring ${masters} masters`,
      );
      for (const port of fleet.sentinelPorts) await fleet.startSentinel(port);
      await waitFor(
        () => fleet.sentinelsSeeEverything(),
        120_000,
        'every sentinel seeing every replica and peer',
        500,
      );
      log(`fleet ready in ${Date.now() - started} ms (${fleet.procs.length} processes)`);
      return fleet;
    } catch (error) {
      await fleet.stop();
      throw error;
    }
  }

  private async startData(port: number, replicaOf?: number): Promise<void> {
    const dataDir = path.join(this.dir, String(port));
    await mkdir(dataDir, { recursive: true });
    const config = path.join(dataDir, 'redis.conf');
    await writeFile(
      config,
      dataNodeConfig({
        port,
        password: PASSWORD,
        replicaOf,
        dataDir,
        logFile: path.join(dataDir, 'redis.log'),
      }),
    );
    this.spawn(config, []);
  }

  private async startSentinel(port: number): Promise<void> {
    const dataDir = path.join(this.dir, `sentinel-${port}`);
    await mkdir(dataDir, { recursive: true });
    const config = path.join(dataDir, 'sentinel.conf');
    const base = sentinelConfig({
      port,
      masterName: masterName(0),
      masterPort: BASE_PORT,
      quorum: 2,
      password: PASSWORD,
      downAfterMs: DOWN_AFTER_MS,
      failoverTimeoutMs: FAILOVER_TIMEOUT_MS,
      dataDir,
      logFile: path.join(dataDir, 'sentinel.log'),
    });
    const more = Array.from({ length: this.masters - 1 }, (_, k) => {
      const name = masterName(k + 1);
      return [
        `sentinel monitor ${name} ${LOOPBACK} ${BASE_PORT + 2 * (k + 1)} 2`,
        `sentinel auth-pass ${name} ${quoteConfigValue(PASSWORD)}`,
        `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${name} 1`,
      ].join('\n');
    });
    await writeFile(config, `${base}${more.join('\n')}\n`);
    this.spawn(config, ['--sentinel']);
  }

  private spawn(config: string, extra: string[]): void {
    const child = spawn(this.redisServer, [config, ...extra], { stdio: 'ignore' });
    if (child.pid === undefined) throw new Error(`could not start redis-server with ${config}`);
    child.on('error', () => undefined);
    this.procs.push({ pid: child.pid, config, child });
  }

  private async sentinelsSeeEverything(): Promise<boolean> {
    for (const port of this.sentinelPorts) {
      const masters = (await withRedis(port, undefined, (c) => c.call('SENTINEL', 'MASTERS'))) as string[][];
      if (masters.length !== this.masters) return false;
      for (const m of masters) {
        const f = Object.fromEntries(m.flatMap((v, i, a) => (i % 2 === 0 ? [[v, a[i + 1]]] : [])));
        if (f.flags !== 'master' || f['num-slaves'] !== '1' || f['num-other-sentinels'] !== '2') return false;
      }
    }
    return true;
  }

  /** Runs `fn` on an admin connection to sentinel k. */
  withSentinel<T>(fn: (client: Redis) => Promise<T>, k = 0): Promise<T> {
    return withRedis(this.sentinelPorts[k], undefined, fn, 5000);
  }

  /**
   * Connections every server of the fleet has accepted so far (INFO stats), less the ones these
   * counts opened themselves (one per server each time): the difference between two counts is what
   * others opened in between.
   */
  async connectionsSoFar(): Promise<number> {
    const ports = [
      ...Array.from({ length: 2 * this.masters }, (_, i) => BASE_PORT + i),
      ...this.sentinelPorts,
    ];
    this.counts++;
    let total = 0;
    for (const port of ports) {
      const password = port >= SENTINEL_PORT ? undefined : PASSWORD;
      const text = await withRedis(port, password, (c) => c.info('stats'));
      total += Number(/total_connections_received:(\d+)/.exec(text)?.[1] ?? 0) - this.counts;
    }
    return total;
  }

  /** The port master i's data nodes listen on, in order: [first master, its replica]. */
  dataPorts(i: number): [number, number] {
    return [BASE_PORT + 2 * i, BASE_PORT + 2 * i + 1];
  }

  /** Stops every process this fleet started (SIGTERM, then SIGKILL), and removes its directory. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const p of this.procs) {
      if (processOwnership(p.pid, p.config) === 'ours' || processOwnership(p.pid, p.config) === 'frozen') {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) resolve();
            else p.child.once('exit', () => resolve());
            setTimeout(resolve, 3000).unref();
          }),
      ),
    );
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Last resort on process exit: SIGKILL what is still ours. */
  killAllSync(): void {
    for (const p of this.procs) {
      const o = processOwnership(p.pid, p.config);
      if (o === 'ours' || o === 'frozen') {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  }
}
