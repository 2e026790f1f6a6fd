// Runs poller "Lambdas" for the fleet bench: the poller bundled exactly as the stack bundles it, the
// fleet config file next to it (as in the code asset), and each invocation in a fresh Node process
// (invoke-shard.cjs) limited, when the machine lets us (a cpu cgroup, as root on Linux), to the share
// of one core that Lambda gives the configured memory: memorySize / 1,769 MB.
// What each run measured: its duration and CPU, peak memory (VmHWM, what Lambda reports as "Max
// Memory Used"), every deployment's poll time and when it was stored (from its EMF line), the bytes it
// logged, the connections it opened and its DynamoDB writes.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { FLEET_CONFIG_FILE, fleetConfigDocument } from '../../lambdas/core/fleet-config';
import { ESBUILD_SETTINGS } from '../bundles';
import type { AwsStandIns, WriteRecord } from './aws-stand-ins';

const ROOT = path.resolve(__dirname, '../..');
/** Lambda gives a function one full vCPU at this memory size, and a proportional share below. */
export const MB_PER_VCPU = 1769;

/** A cpu cgroup (v1 or v2) holding the share of a core Lambda gives `memoryMb`; null where not allowed. */
export class CpuLimit {
  private constructor(
    readonly dir: string,
    readonly share: number,
  ) {}

  /** `tag` tells apart cgroups of the same size for processes that must not share one. */
  static create(memoryMb: number, tag = ''): CpuLimit | null {
    const share = Math.min(1, memoryMb / MB_PER_VCPU);
    const period = 100_000;
    const quota = Math.round(share * period);
    const name = `sentinel-watch-bench-${process.pid}-${memoryMb}${tag ? `-${tag}` : ''}`;
    try {
      if (existsSync('/sys/fs/cgroup/cpu/cgroup.procs')) {
        const dir = `/sys/fs/cgroup/cpu/${name}`;
        mkdirSync(dir, { recursive: true });
        writeFileSync(`${dir}/cpu.cfs_period_us`, String(period));
        writeFileSync(`${dir}/cpu.cfs_quota_us`, String(quota));
        return new CpuLimit(dir, share);
      }
      if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
        const dir = `/sys/fs/cgroup/${name}`;
        mkdirSync(dir, { recursive: true });
        writeFileSync(`${dir}/cpu.max`, `${quota} ${period}`);
        return new CpuLimit(dir, share);
      }
    } catch {
      return null;
    }
    return null;
  }

  /** The command line that runs `command` inside this cgroup from its first instruction. */
  wrap(command: string, args: readonly string[]): [string, string[]] {
    return ['/bin/sh', ['-c', `echo $$ > '${this.dir}/cgroup.procs' && exec "$0" "$@"`, command, ...args]];
  }

  remove(): void {
    try {
      rmdirSync(this.dir);
    } catch {
      // still busy or gone: the next run's name differs
    }
  }
}

/** Bundles the poller like the stack does, into a fresh "task root" with the fleet config beside it. */
export async function bundlePoller(
  watch: Record<string, unknown>,
  shards: number,
  detailedMetrics: readonly string[] = [],
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sentinel-watch-fleet-task-'));
  await build({
    ...ESBUILD_SETTINGS,
    entryPoints: [path.join(ROOT, 'lambdas/poller/handler.ts')],
    outfile: path.join(dir, 'index.js'),
  });
  await writeConfig(dir, watch, shards, detailedMetrics);
  return dir;
}

/** Replaces the fleet config of a task root (a new deploy of the same code). */
export async function writeConfig(
  dir: string,
  watch: Record<string, unknown>,
  shards: number,
  detailedMetrics: readonly string[] = [],
): Promise<void> {
  await writeFile(
    path.join(dir, FLEET_CONFIG_FILE),
    JSON.stringify(fleetConfigDocument(watch, shards, detailedMetrics)),
  );
}

export interface InvocationResult {
  readonly durationMs: number;
  readonly cpuMs: number;
  readonly error: string | null;
  readonly stopped: readonly string[];
  /** Per deployment polled: its probe time (PollDurationMs) and when its poll was stored, from the start. */
  readonly polls: readonly {
    readonly deployment: string;
    readonly pollMs: number;
    readonly doneAtMs: number;
  }[];
}

export interface ShardRun {
  readonly shard: number;
  readonly initMs: number;
  readonly invocations: readonly InvocationResult[];
  readonly vmHwmMb: number | null;
  readonly logBytes: number;
  readonly connections: number;
  readonly writes: readonly WriteRecord[];
  readonly readUnits: number;
  readonly published: number;
  readonly cpuShare: number | null;
}

export interface ShardRunOptions {
  readonly taskRoot: string;
  readonly shard: number;
  readonly invocations: number;
  readonly remainingMs: number;
  readonly memoryMb: number;
  readonly env: Readonly<Record<string, string>>;
  readonly aws: AwsStandIns;
  readonly cpu: CpuLimit | null;
  /** Connections the servers have accepted so far (the difference is this run's). */
  readonly connectionsSoFar: () => Promise<number>;
  /** Extra Node flags for the process (e.g. --cpu-prof while looking into a figure). */
  readonly nodeArgs?: readonly string[];
}

interface BenchLine {
  readonly processStart: number;
  readonly initMs: number;
  readonly runs: readonly {
    startedAt: number;
    durationMs: number;
    cpuMs: number;
    error: string | null;
    stopped: string[];
  }[];
  readonly vmHwmKb: number | null;
}

export async function runShard(o: ShardRunOptions): Promise<ShardRun> {
  o.aws.resetCounters();
  const publishedBefore = o.aws.published.length;
  const connectionsBefore = await o.connectionsSoFar();
  const node = process.execPath;
  const args = [
    path.join(__dirname, 'invoke-shard.cjs'),
    o.taskRoot,
    String(o.shard),
    String(o.invocations),
    String(o.remainingMs),
  ];
  const { code, stdout, stderr } = await runCaptured(o.cpu, node, args, {
    cwd: o.taskRoot,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LAMBDA_TASK_ROOT: o.taskRoot,
      SENTINEL_WATCH_CONFIG_FILE: FLEET_CONFIG_FILE,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: o.aws.dynamoEndpoint,
      AWS_ENDPOINT_URL_SNS: o.aws.snsEndpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'sentinel-watch-poller',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(o.memoryMb),
      SNAPSHOT_TABLE_NAME: o.aws.tableName,
      ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:sentinel-watch-fleet-bench',
      NODE_OPTIONS: '--enable-source-maps',
      ...o.env,
    },
  });
  const marker = stdout.lastIndexOf('\n@@BENCH ');
  if (code !== 0 || marker < 0) {
    throw new Error(
      `shard ${o.shard} run failed (exit ${code}): ${(stderr || stdout).trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  const bench = JSON.parse(stdout.slice(marker + 9).split('\n')[0]) as BenchLine;
  const logged = stdout.slice(0, marker);
  const polls = logged
    .split('\n')
    .filter((l) => l.startsWith('{"_aws"') && l.includes('"sw":"poll"'))
    .map((l) => JSON.parse(l) as { _aws: { Timestamp: number }; deployment: string; PollDurationMs: number });
  const invocations = bench.runs.map((run, i) => {
    const end = bench.runs[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY;
    return {
      durationMs: run.durationMs,
      cpuMs: run.cpuMs,
      error: run.error,
      stopped: run.stopped,
      polls: polls
        .filter((p) => p._aws.Timestamp >= run.startedAt && p._aws.Timestamp < end)
        .map((p) => ({
          deployment: p.deployment,
          pollMs: p.PollDurationMs,
          doneAtMs: p._aws.Timestamp - run.startedAt,
        })),
    };
  });
  return {
    shard: o.shard,
    initMs: bench.initMs,
    invocations,
    vmHwmMb: bench.vmHwmKb === null ? null : bench.vmHwmKb / 1024,
    logBytes: Buffer.byteLength(logged),
    connections: (await o.connectionsSoFar()) - connectionsBefore,
    writes: [...o.aws.counters.writes],
    readUnits: o.aws.counters.readUnits,
    published: o.aws.published.length - publishedBefore,
    cpuShare: o.cpu?.share ?? null,
  };
}

/** Runs `command` (in `cpu`'s cgroup when there is one) to its exit, with its stdout and stderr. */
export async function runCaptured(
  cpu: CpuLimit | null,
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, argv] = cpu ? cpu.wrap(command, args) : [command, [...args]];
  const child = spawn(file, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}
