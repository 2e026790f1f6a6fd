// What the local topology's processes say about themselves now: `sentinel-watch local status`, the
// master the sentinels name, and the fault helpers' checks.

import { parseInfo } from '../../lambdas/core/parse-info';
import type { Address } from '../../lambdas/core/types';
import { masterAddrByName, withRedis } from './admin-client';
import { processOwnership } from './processes';
import {
  type ProcessKind,
  type ProcessRecord,
  type ResolvedTopologyOptions,
  sentinelPortsOf,
} from './topology-options';
import { errorText } from './wait';

export type ServerRole = 'master' | 'replica' | 'sentinel' | 'unknown';

export interface ProcessStatus {
  readonly kind: ProcessKind;
  readonly port: number;
  readonly pid: number;
  /** The recorded PID is still a redis-server started from this topology's config. */
  readonly alive: boolean;
  /** Stopped with SIGSTOP (see `freeze`). */
  readonly frozen: boolean;
  /** As the server reports it now (ROLE); 'unknown' when it could not be asked. */
  readonly role: ServerRole;
  /** Replicas: the port of the master they replicate from. Sentinels: the port they name as master. */
  readonly masterPort?: number;
  /** Replicas: `master_link_status:up`. */
  readonly linkUp?: boolean;
  /** Why the server could not be asked. */
  readonly error?: string;
}

export interface TopologyStatus {
  readonly dir: string;
  readonly masterName: string;
  readonly processes: readonly ProcessStatus[];
}

export interface SentinelView {
  readonly port: number;
  /** The master address this sentinel names, or undefined if it could not be asked. */
  readonly master?: Address;
  readonly error?: string;
}

/** The password a client of this process sends: the data nodes' or the sentinels' own. */
export const passwordFor = (o: ResolvedTopologyOptions, kind: ProcessKind): string | undefined =>
  kind === 'data' ? o.password : o.sentinelPassword;

/** One process as it reports itself now (ROLE, and INFO replication for a replica). */
export async function processStatus(o: ResolvedTopologyOptions, rec: ProcessRecord): Promise<ProcessStatus> {
  const ownership = processOwnership(rec.pid, rec.config, rec.dataDir);
  const base = { kind: rec.kind, port: rec.port, pid: rec.pid, frozen: ownership === 'frozen' };
  if (ownership !== 'ours' && ownership !== 'frozen') {
    return { ...base, alive: false, role: 'unknown', error: 'not running' };
  }
  if (ownership === 'frozen') return { ...base, alive: true, role: 'unknown', error: 'frozen (SIGSTOP)' };
  try {
    return await withRedis(
      rec.port,
      passwordFor(o, rec.kind),
      async (c): Promise<ProcessStatus> => {
        const role = (await c.call('ROLE')) as unknown[];
        switch (role[0]) {
          case 'master':
            return { ...base, alive: true, role: 'master' };
          case 'slave': {
            const info = parseInfo(await c.info('replication'));
            return {
              ...base,
              alive: true,
              role: 'replica',
              masterPort: Number(role[2]),
              linkUp: info.master_link_status === 'up',
            };
          }
          case 'sentinel': {
            const master = await masterAddrByName(c, o.masterName);
            return { ...base, alive: true, role: 'sentinel', masterPort: master?.port };
          }
          default:
            return { ...base, alive: true, role: 'unknown', error: `ROLE replied ${String(role[0])}` };
        }
      },
      750,
    );
  } catch (err) {
    return { ...base, alive: true, role: 'unknown', error: errorText(err) };
  }
}

/** What each sentinel names as the master. */
export function sentinelViews(o: ResolvedTopologyOptions, timeoutMs: number): Promise<SentinelView[]> {
  return Promise.all(
    sentinelPortsOf(o).map(async (port): Promise<SentinelView> => {
      try {
        const master = await withRedis(
          port,
          o.sentinelPassword,
          (c) => masterAddrByName(c, o.masterName),
          timeoutMs,
        );
        return master === undefined ? { port, error: 'no master known' } : { port, master };
      } catch (err) {
        return { port, error: errorText(err) };
      }
    }),
  );
}

/** The master named by more than half of `sentinels` sentinels, or undefined when there is none. */
export function majorityMaster(views: readonly SentinelView[], sentinels: number): Address | undefined {
  const votes = new Map<string, number>();
  for (const v of views) {
    if (v.master !== undefined) {
      const key = `${v.master.host}:${v.master.port}`;
      votes.set(key, (votes.get(key) ?? 0) + 1);
    }
  }
  for (const [key, n] of votes) {
    if (n > sentinels / 2) {
      const i = key.lastIndexOf(':');
      return { host: key.slice(0, i), port: Number(key.slice(i + 1)) };
    }
  }
  return undefined;
}
