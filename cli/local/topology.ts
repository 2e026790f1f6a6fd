// A real Redis Sentinel deployment on loopback: one master, N replicas and M sentinels, each its own
// redis-server process, configured the way a production deployment is (auth everywhere, replicas
// read-only, Sentinel owning and rewriting its config). Used by `sentinel-watch local`, the
// integration tests and the demo. Everything that signals a process does it by recorded PID, after
// checking that the PID still belongs to a redis-server started from our config file.
//
// This file is the orchestration; each job has its own file: options (topology-options.ts), config
// files (server-config.ts), processes (processes.ts), readiness waits (readiness.ts), status
// (topology-status.ts), state.json (topology-state.ts).

import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type Redis from 'ioredis';
import { TopologyError } from '../../lambdas/core/errors';
import { parseInfo } from '../../lambdas/core/parse-info';
import { hasRedisFeaturesOf, releaseFromInfo, type ServerRelease } from '../../lambdas/core/server-version';
import type { Address } from '../../lambdas/core/types';
import { withRedis } from './admin-client';
import {
  assertCanStart,
  exitedDetail,
  isOurs,
  logTail,
  refusesConnections,
  type Started,
  signal,
  startProcess,
  stopProcesses,
  waitGone,
} from './processes';
import { dataNodeProblems, readinessProblems, waitUntilReady } from './readiness';
import { ensureRedisServer, serverRelease } from './redis-server-binary';
import { configFeatures, writeConfigFiles } from './server-config';
import {
  DEFAULT_BASE_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  dataPortsOf,
  defaultDir,
  LOOPBACK,
  type LocalTopologyOptions,
  type ProcessKind,
  type ProcessRecord,
  type ResolvedTopologyOptions,
  resolveOptions,
  sentinelPortsOf,
  stateFilePath,
} from './topology-options';
import { readState, type StateFile, writeState } from './topology-state';
import {
  majorityMaster,
  passwordFor,
  processStatus,
  type SentinelView,
  sentinelViews,
  type TopologyStatus,
} from './topology-status';
import { waitFor } from './wait';

// What callers of the local topology import from here.
export { withRedis } from './admin-client';
export { isPortFree, processOwnership } from './processes';
export {
  type ConfigFeatures,
  configFeatures,
  type DataNodeConfigInput,
  dataNodeConfig,
  NEWEST_FEATURES,
  quoteConfigValue,
  type SentinelConfigInput,
  sentinelConfig,
} from './server-config';
export {
  DEFAULT_BASE_PORT,
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_FAILOVER_TIMEOUT_MS,
  DEFAULT_LOCAL_PASSWORD,
  DEFAULT_MASTER_NAME,
  DEFAULT_READY_TIMEOUT_MS,
  dataPortsOf,
  defaultDir,
  type LocalTopologyOptions,
  type ProcessKind,
  type ProcessRecord,
  type ResolvedTopologyOptions,
  resolveOptions,
  SENTINEL_PORT_OFFSET,
  sentinelPortsOf,
  stateFilePath,
} from './topology-options';
export type { ProcessStatus, SentinelView, ServerRole, TopologyStatus } from './topology-status';
export { waitFor } from './wait';

export class LocalTopology {
  private state: StateFile;

  private constructor(state: StateFile) {
    this.state = state;
  }

  get options(): ResolvedTopologyOptions {
    return this.state.options;
  }
  get dir(): string {
    return this.state.options.dir;
  }
  get masterName(): string {
    return this.state.options.masterName;
  }
  get password(): string {
    return this.state.options.password;
  }
  get sentinelPassword(): string | undefined {
    return this.state.options.sentinelPassword;
  }
  /** Data node ports; the first one is the initial master. */
  get dataPorts(): readonly number[] {
    return dataPortsOf(this.state.options);
  }
  get sentinelPorts(): readonly number[] {
    return sentinelPortsOf(this.state.options);
  }
  /** `127.0.0.1:port` of each sentinel. */
  get sentinelAddresses(): readonly string[] {
    return this.sentinelPorts.map((p) => `${LOOPBACK}:${p}`);
  }
  get processes(): readonly ProcessRecord[] {
    return this.state.processes;
  }
  get redisServer(): string {
    return this.state.redisServer;
  }
  /** Flavour and version of the binary (undefined for a topology started before it was recorded). */
  get server(): ServerRelease | undefined {
    return this.state.server;
  }

  /** The recorded PID of the process on `port` (whether or not it is still running). */
  pidOf(port: number): number {
    return this.record(port).pid;
  }

  /**
   * Starts the topology and returns once every data node answers, every replica's link is up and
   * every sentinel knows all the replicas and the other sentinels. Refuses if a port is in use or
   * `dir` holds a running topology; on failure, stops what it started.
   */
  static async up(opts: LocalTopologyOptions = {}): Promise<LocalTopology> {
    const o = resolveOptions(opts);
    const redisServer = opts.redisServer ?? (await ensureRedisServer({ install: false }));
    const readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

    await assertCanStart(o);

    await mkdir(o.dir, { recursive: true, mode: 0o700 });
    await chmod(o.dir, 0o700);
    await rm(stateFilePath(o.dir), { force: true });

    const server = await serverRelease(redisServer);
    const sentinelServer = opts.sentinelServer ?? redisServer;
    const sentinelRelease = sentinelServer === redisServer ? server : await serverRelease(sentinelServer);
    const plans = await writeConfigFiles(o, {
      data: configFeatures(server),
      sentinel: configFeatures(sentinelRelease),
    });

    const topology = new LocalTopology({
      version: 1,
      redisServer,
      server,
      ...(sentinelServer === redisServer ? {} : { sentinelServer }),
      options: o,
      processes: [],
    });
    const started = new Map<number, Started>();
    const launch = async (kind: ProcessKind): Promise<void> => {
      const records: ProcessRecord[] = [];
      for (const plan of plans.filter((p) => p.kind === kind)) {
        const s = startProcess(kind === 'sentinel' ? sentinelServer : redisServer, plan);
        started.set(plan.port, s);
        records.push({ ...plan, pid: s.child.pid! });
      }
      topology.state = { ...topology.state, processes: [...topology.state.processes, ...records] };
      // Written as soon as there are PIDs, so `down` can clean up even if this process dies.
      await writeState(topology.state);
    };
    const deadline = Date.now() + readyTimeoutMs;
    const exited = (): string | undefined => exitedDetail(started, o.dir);
    const waitReady = (check: () => Promise<string[]>): Promise<void> =>
      waitUntilReady(check, { deadline, readyTimeoutMs, dir: o.dir, exited });

    try {
      await launch('data');
      // Sentinels learn the replicas from the master's INFO, which they refresh only every 10 s:
      // start them once the replicas are attached so the first INFO already lists them.
      await waitReady(() => dataNodeProblems(o));
      await launch('sentinel');
      await waitReady(() => readinessProblems(o));
      return topology;
    } catch (err) {
      await stopProcesses(topology.state.processes).catch(() => undefined);
      await rm(stateFilePath(o.dir), { force: true });
      throw err;
    }
  }

  /** The topology recorded in `dir` (or the default dir of a base port). */
  static async load(dirOrBasePort: string | number = DEFAULT_BASE_PORT): Promise<LocalTopology> {
    const dir = typeof dirOrBasePort === 'number' ? defaultDir(dirOrBasePort) : path.resolve(dirOrBasePort);
    return new LocalTopology(await readState(dir));
  }

  /** Whether `dir` (or a base port's default dir) has a state file. */
  static exists(dirOrBasePort: string | number = DEFAULT_BASE_PORT): boolean {
    const dir = typeof dirOrBasePort === 'number' ? defaultDir(dirOrBasePort) : path.resolve(dirOrBasePort);
    return existsSync(stateFilePath(dir));
  }

  /** Stops exactly the recorded processes that are still ours and removes state.json. Idempotent. */
  async down(): Promise<void> {
    const sentinels = this.state.processes.filter((p) => p.kind === 'sentinel');
    const data = this.state.processes.filter((p) => p.kind === 'data');
    // Sentinels first, so they do not fail over while the data nodes stop.
    await stopProcesses(sentinels);
    await stopProcesses(data);
    await rm(stateFilePath(this.dir), { force: true });
  }

  /** Each process as it reports itself now. */
  async status(): Promise<TopologyStatus> {
    const processes = await Promise.all(this.state.processes.map((rec) => processStatus(this.options, rec)));
    return { dir: this.dir, masterName: this.masterName, processes };
  }

  /** What each sentinel names as the master. */
  sentinelViews(timeoutMs = 1000): Promise<SentinelView[]> {
    return sentinelViews(this.options, timeoutMs);
  }

  /** The master named by a majority of the sentinels, or undefined when there is no majority. */
  async currentMaster(): Promise<Address | undefined> {
    return majorityMaster(await this.sentinelViews(), this.sentinelPorts.length);
  }

  /** Sends `sig` to the recorded process on `port` (after checking it is ours); SIGKILL waits for the exit. */
  async kill(port: number, sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const rec = this.runningRecord(port);
    signal(rec.pid, sig);
    if (sig === 'SIGKILL' && !(await waitGone(rec, 5000))) {
      throw new TopologyError(`pid ${rec.pid} (port ${port}) did not exit after SIGKILL`);
    }
    // The kernel closes a dead process's listening socket a few ms after it is a zombie (deferred
    // fput); until then connections are accepted and reset. Return once the port really refuses.
    if (sig === 'SIGKILL') await waitFor(() => refusesConnections(port), 2000, `port ${port} to close`, 5);
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing (a hung node). */
  async freeze(port: number): Promise<void> {
    signal(this.runningRecord(port).pid, 'SIGSTOP');
  }

  async thaw(port: number): Promise<void> {
    signal(this.runningRecord(port).pid, 'SIGCONT');
  }

  /**
   * Makes the replica on `port` stop applying its master's stream for `ms`, so it falls behind while
   * the master takes writes. Redis 6.2+ (and Valkey): CLIENT PAUSE <ms> WRITE, which keeps it answering
   * reads, so its lag shows. Older servers have no WRITE mode and pause every client with CLIENT PAUSE,
   * so the replica sleeps instead (DEBUG SLEEP) and answers nothing until it wakes. Returns which.
   */
  async stallReplication(port: number, ms: number): Promise<'paused-writes' | 'asleep'> {
    const release = await this.withClient(port, async (c) =>
      releaseFromInfo(parseInfo(await c.info('server'))),
    );
    if (release !== null && hasRedisFeaturesOf(release, '6.2.0')) {
      await this.withClient(port, (c) => c.call('CLIENT', 'PAUSE', String(ms), 'WRITE'));
      return 'paused-writes';
    }
    // Not awaited: the connection is blocked until the sleep ends.
    void this.withClient(port, (c) => c.call('DEBUG', 'SLEEP', String(ms / 1000)), ms + 5000).catch(
      () => undefined,
    );
    return 'asleep';
  }

  /**
   * Starts the process on `port` again from its config file, which Sentinel may have rewritten
   * (a replica stays a replica of the new master; a killed old master comes back as a master until
   * Sentinel converts it, ~10 s). Stops it first if it is still running. `replicaOf` starts a data
   * node as a replica of that port instead (`--replicaof`), the way an operator would bring back
   * an old master. `redisServer` starts it from another binary (an in-place upgrade of one node, as in
   * a rolling upgrade; its config file must suit that version). Returns the new PID once it answers PING.
   */
  async restart(
    port: number,
    opts: { replicaOf?: number; timeoutMs?: number; redisServer?: string } = {},
  ): Promise<number> {
    const rec = this.record(port);
    if (opts.replicaOf !== undefined && rec.kind !== 'data') {
      throw new TopologyError(`replicaOf applies to data nodes, port ${port} is a sentinel`);
    }
    await stopProcesses([rec]);
    const extra = opts.replicaOf === undefined ? [] : ['--replicaof', LOOPBACK, String(opts.replicaOf)];
    const binary = opts.redisServer ?? this.binaryOf(rec);
    const started = startProcess(binary, rec, extra);
    const updated: ProcessRecord = {
      ...rec,
      pid: started.child.pid!,
      ...(binary === this.binaryOf({ kind: rec.kind }) ? {} : { binary }),
    };
    this.state = {
      ...this.state,
      processes: this.state.processes.map((p) => (p.port === port ? updated : p)),
    };
    await writeState(this.state);
    const password = passwordFor(this.options, rec.kind);
    await waitFor(
      async () => {
        if (started.exit !== undefined) {
          throw new TopologyError(`port ${port} ${started.exit}; log ${rec.log}:\n    ${logTail(rec.log)}`);
        }
        return (await withRedis(port, password, (c) => c.ping(), 500)) === 'PONG';
      },
      opts.timeoutMs ?? 10_000,
      `${LOOPBACK}:${port} to answer PING after restart (log ${rec.log})`,
    ).catch((err) => {
      if (started.exit !== undefined) {
        throw new TopologyError(`port ${port} ${started.exit}; log ${rec.log}:\n    ${logTail(rec.log)}`);
      }
      throw err;
    });
    return updated.pid;
  }

  /** Polls `predicate` until it returns a truthy value (TopologyError on timeout). */
  waitFor<T>(predicate: () => T | Promise<T>, timeoutMs: number, what?: string): Promise<NonNullable<T>> {
    return waitFor(predicate, timeoutMs, what);
  }

  /** Runs `fn` on an authenticated admin connection to the process on `port`. */
  withClient<T>(port: number, fn: (client: Redis) => Promise<T>, timeoutMs = 1000): Promise<T> {
    return withRedis(port, passwordFor(this.options, this.record(port).kind), fn, timeoutMs);
  }

  // -------------------------------------------------------------------------------------------

  /** The binary a process runs: its own when it was restarted on another one, else its kind's. */
  private binaryOf(rec: Pick<ProcessRecord, 'kind' | 'binary'>): string {
    if (rec.binary !== undefined) return rec.binary;
    return rec.kind === 'sentinel' ? (this.state.sentinelServer ?? this.redisServer) : this.redisServer;
  }

  private record(port: number): ProcessRecord {
    const rec = this.state.processes.find((p) => p.port === port);
    if (rec === undefined)
      throw new TopologyError(`port ${port} is not part of the local topology in ${this.dir}`);
    return rec;
  }

  private runningRecord(port: number): ProcessRecord {
    const rec = this.record(port);
    if (!isOurs(rec)) {
      throw new TopologyError(`the process recorded for port ${port} (pid ${rec.pid}) is not running`);
    }
    return rec;
  }
}
