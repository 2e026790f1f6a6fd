// `sentinel-watch local up|down|status|setup`: a real 1 master + 2 replicas + 3 sentinels topology
// on loopback to try the watcher against, without any infrastructure.

import { parseArgs } from 'node:util';
import { ConfigError, UsageError } from '../../lambdas/core/errors';
import { serverLabel } from '../../lambdas/core/server-version';
import { parseDuration } from '../duration';
import { shellQuote } from '../invocation';
import { type CliIo, invocationOf } from '../io';
import { toJson } from '../json-output';
import { ensureRedisServer, serverRelease } from '../local/redis-server-binary';
import {
  DEFAULT_BASE_PORT,
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_FAILOVER_TIMEOUT_MS,
  DEFAULT_LOCAL_PASSWORD,
  DEFAULT_MASTER_NAME,
  defaultDir,
  LocalTopology,
  type LocalTopologyOptions,
  type ProcessStatus,
  type TopologyStatus,
} from '../local/topology';

export type CommandIo = Pick<CliIo, 'out' | 'err' | 'invocation'>;

const USAGE = `Usage: sentinel-watch local <command> [options]

Runs a throwaway Redis Sentinel deployment on 127.0.0.1: 1 master, 2 replicas, 3 sentinels.
REDIS_SERVER=/path/to/redis-server (or valkey-server) picks the binary: Redis 5.0 or newer, Valkey.

Commands:
  setup    Find redis-server (install the Debian package when root on Debian/Ubuntu)
  up       Start the topology and wait until it is ready
  status   Show each process: role, port, pid, and the master each sentinel names
  down     Stop the processes the topology started

Options:
  --base-port N            Data nodes on N, N+1, N+2; sentinels on N+20000.. (default ${DEFAULT_BASE_PORT})
  --dir PATH               State directory (default <tmpdir>/sentinel-watch-local-<base-port>)
  --master-name NAME       up: Sentinel master name (default ${DEFAULT_MASTER_NAME})
  --password-env VAR       up: read the data nodes' password from $VAR (default: a fixed local password)
  --down-after-ms D        up: sentinel down-after-milliseconds: 2s, 1500ms or a number of
                           milliseconds (default ${DEFAULT_DOWN_AFTER_MS})
  --failover-timeout-ms D  up: sentinel failover-timeout, as above (default ${DEFAULT_FAILOVER_TIMEOUT_MS})
  --json                   status: print JSON
  -h, --help               Show this help
`;

type Flag = { type: 'string' } | { type: 'boolean'; short?: string };

const COMMON: Record<string, Flag> = {
  'base-port': { type: 'string' },
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const FLAGS: Record<string, Record<string, Flag>> = {
  setup: { help: COMMON.help! },
  up: {
    ...COMMON,
    'master-name': { type: 'string' },
    'password-env': { type: 'string' },
    'down-after-ms': { type: 'string' },
    'failover-timeout-ms': { type: 'string' },
  },
  down: COMMON,
  status: { ...COMMON, json: { type: 'boolean' } },
};

const FLAG_OF_FIELD: Record<string, string> = {
  basePort: '--base-port',
  masterName: '--master-name',
  password: '--password-env',
  downAfterMs: '--down-after-ms',
  failoverTimeoutMs: '--failover-timeout-ms',
};

function intFlag(
  values: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return n;
}

function durationFlag(
  values: Record<string, unknown>,
  name: string,
  minMs: number,
  maxMs: number,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  return parseDuration(String(raw), { flag: `--${name}`, plainUnit: 'ms', minMs, maxMs });
}

function formatStatus(status: TopologyStatus): string {
  const describe = (p: ProcessStatus): string => {
    if (!p.alive) return 'not running';
    if (p.error !== undefined) return p.error;
    if (p.role === 'replica') return `replica of 127.0.0.1:${p.masterPort} link ${p.linkUp ? 'up' : 'down'}`;
    if (p.role === 'sentinel') {
      return p.masterPort === undefined
        ? 'sentinel, no master known'
        : `sentinel, master 127.0.0.1:${p.masterPort}`;
    }
    return p.role;
  };
  const lines = [`local topology '${status.masterName}' in ${status.dir}`];
  for (const p of status.processes) {
    const kind = p.kind === 'data' ? 'redis   ' : 'sentinel';
    lines.push(`  ${kind} ${`127.0.0.1:${p.port}`.padEnd(16)} pid ${String(p.pid).padEnd(7)} ${describe(p)}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function localCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    (sub === undefined ? io.err : io.out)(USAGE);
    return sub === undefined ? 3 : 0;
  }
  const flags = FLAGS[sub];
  if (flags === undefined) {
    io.err(`sentinel-watch local: unknown command '${sub}'\n\n${USAGE}`);
    return 3;
  }

  let values: Record<string, unknown>;
  let options: LocalTopologyOptions;
  try {
    try {
      ({ values } = parseArgs({ args: [...rest], options: flags, strict: true, allowPositionals: false }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    let password: string | undefined;
    const passwordEnv = values['password-env'] as string | undefined;
    if (passwordEnv !== undefined) {
      password = process.env[passwordEnv];
      if (password === undefined || password === '') {
        throw new UsageError(
          `--password-env ${passwordEnv}: environment variable ${passwordEnv} is not set or empty`,
        );
      }
    }
    options = {
      basePort: intFlag(values, 'base-port', 1024, 45_525),
      dir: values.dir as string | undefined,
      masterName: values['master-name'] as string | undefined,
      password,
      downAfterMs: durationFlag(values, 'down-after-ms', 100, 600_000),
      failoverTimeoutMs: durationFlag(values, 'failover-timeout-ms', 1000, 3_600_000),
    };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`sentinel-watch local ${sub}: ${err.message}\n\n${USAGE}`);
    return 3;
  }

  const where = options.dir ?? options.basePort ?? DEFAULT_BASE_PORT;
  try {
    switch (sub) {
      case 'setup': {
        const bin = await ensureRedisServer({ install: true, log: (line) => io.out(`${line}\n`) });
        io.out(`redis-server: ${bin} (${serverLabel(await serverRelease(bin))})\n`);
        return 0;
      }
      case 'up': {
        const topology = await LocalTopology.up(options);
        const passwordEnv = values['password-env'] as string | undefined;
        const passwordPrefix =
          passwordEnv !== undefined
            ? `REDIS_PASSWORD="$${passwordEnv}"`
            : `REDIS_PASSWORD=${shellQuote(DEFAULT_LOCAL_PASSWORD)}`;
        const sentinels = topology.sentinelAddresses.join(',');
        const cli = invocationOf(io);
        io.out(
          `Local Sentinel topology '${topology.masterName}' is up${topology.server ? ` on ${serverLabel(topology.server)}` : ''} (state in ${topology.dir}).\n` +
            `  master    127.0.0.1:${topology.dataPorts[0]}\n` +
            `  replicas  ${topology.dataPorts
              .slice(1)
              .map((p) => `127.0.0.1:${p}`)
              .join(' ')}\n` +
            `  sentinels ${topology.sentinelAddresses.join(' ')}\n\n` +
            'Try next:\n' +
            `  ${passwordPrefix} ${cli} check --sentinels ${sentinels} --master ${topology.masterName}\n` +
            (passwordEnv === undefined ? '  (a fixed password for this local demo only)\n' : '') +
            `Stop it with: ${cli} local down${downArgs(options)}\n`,
        );
        return 0;
      }
      case 'down': {
        if (!LocalTopology.exists(where)) {
          io.out(`No local topology running in ${describeWhere(where)}.\n`);
          return 0;
        }
        const topology = await LocalTopology.load(where);
        await topology.down();
        io.out(`Stopped the local topology in ${topology.dir}.\n`);
        return 0;
      }
      case 'status': {
        const topology = await LocalTopology.load(where);
        const status = await topology.status();
        io.out(values.json === true ? `${toJson(status, 2)}\n` : formatStatus(status));
        return 0;
      }
      default:
        return 3;
    }
  } catch (err) {
    // Bad option values the topology rejects (e.g. a master name) are usage errors too.
    if (err instanceof ConfigError) {
      const flag = FLAG_OF_FIELD[err.field];
      const message =
        flag === undefined ? err.message : `${flag}: ${err.message.slice(err.field.length + 2)}`;
      io.err(`sentinel-watch local ${sub}: ${message}\n`);
      return 3;
    }
    // The topology's messages suggest "sentinel-watch local up/down": show them as this user runs it.
    const message = (err instanceof Error ? err.message : String(err)).replaceAll(
      'sentinel-watch local ',
      `${invocationOf(io)} local `,
    );
    io.err(`sentinel-watch local ${sub}: ${message}\n`);
    return 1;
  }
}

function downArgs(options: LocalTopologyOptions): string {
  if (options.dir !== undefined) return ` --dir ${shellQuote(options.dir)}`;
  if (options.basePort !== undefined) return ` --base-port ${options.basePort}`;
  return '';
}

function describeWhere(where: string | number): string {
  return typeof where === 'number' ? defaultDir(where) : where;
}
