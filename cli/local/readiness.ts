// When is a freshly started topology ready? Every data node answers, every replica's link is up, and
// every sentinel knows the master, all replicas (links up) and all its peers. Each check returns the
// problems still open, so a timeout says exactly what never became ready.

import path from 'node:path';
import { TopologyError } from '../../lambdas/core/errors';
import { parseInfo } from '../../lambdas/core/parse-info';
import { toFieldMap } from '../../lambdas/core/parse-sentinel';
import { withRedis } from './admin-client';
import { dataPortsOf, LOOPBACK, type ResolvedTopologyOptions, sentinelPortsOf } from './topology-options';
import { errorText, sleep } from './wait';

/** Data nodes that do not answer, and replicas that are not (yet) linked to the first data node. */
export async function dataNodeProblems(o: ResolvedTopologyOptions): Promise<string[]> {
  const ports = dataPortsOf(o);
  const [masterPort] = ports;
  const problems = await Promise.all(
    ports.map(async (port): Promise<string | undefined> => {
      const where = `${LOOPBACK}:${port} (data node)`;
      try {
        return await withRedis(port, o.password, async (c) => {
          if ((await c.ping()) !== 'PONG') return `${where}: no PONG`;
          if (port === masterPort) return undefined;
          const info = parseInfo(await c.info('replication'));
          if (info.role !== 'slave') return `${where}: role ${info.role}, expected replica`;
          if (info.master_link_status !== 'up')
            return `${where}: master_link_status ${info.master_link_status}`;
          return undefined;
        });
      } catch (err) {
        return `${where}: ${errorText(err)}`;
      }
    }),
  );
  return problems.filter((p): p is string => p !== undefined);
}

/** Everything that is not ready yet, data nodes and sentinels. */
export async function readinessProblems(o: ResolvedTopologyOptions): Promise<string[]> {
  const { replicas, sentinels, masterName } = o;
  const sentinelProblems = await Promise.all(
    sentinelPortsOf(o).map(async (port): Promise<string[]> => {
      const where = `${LOOPBACK}:${port} (sentinel)`;
      try {
        return await withRedis(port, o.sentinelPassword, async (c) => {
          const out: string[] = [];
          const master = toFieldMap(await c.call('SENTINEL', 'MASTER', masterName), 'SENTINEL MASTER');
          if (master.flags !== 'master') out.push(`${where}: master flags ${master.flags}`);
          const others = Number(master['num-other-sentinels']);
          if (others !== sentinels - 1)
            out.push(`${where}: knows ${others}/${sentinels - 1} other sentinels`);
          const slaves = Number(master['num-slaves']);
          if (slaves !== replicas) out.push(`${where}: knows ${slaves}/${replicas} replicas`);
          // Links up, not just known: a sentinel that cannot reach a replica or a peer yet would
          // miss (or later undo) a failover announced there.
          const replicaList = (await c.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
          for (const r of replicaList.map((r) => toFieldMap(r, 'SENTINEL REPLICAS'))) {
            if (r.flags !== 'slave' || r['master-link-status'] !== 'ok') {
              out.push(`${where}: replica ${r.name} flags ${r.flags} link ${r['master-link-status']}`);
            }
          }
          const peers = (await c.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
          for (const s of peers.map((p) => toFieldMap(p, 'SENTINEL SENTINELS'))) {
            if (s.flags !== 'sentinel') out.push(`${where}: peer ${s.name} flags ${s.flags}`);
          }
          return out;
        });
      } catch (err) {
        return [`${where}: ${errorText(err)}`];
      }
    }),
  );
  return [...(await dataNodeProblems(o)), ...sentinelProblems.flat()];
}

/**
 * Re-runs `check` every 100 ms until it reports no problem. Fails at once when `exited` reports a
 * process that died (its log tail says why), and at `deadline` with the problems still open.
 */
export async function waitUntilReady(
  check: () => Promise<string[]>,
  opts: {
    readonly deadline: number;
    readonly readyTimeoutMs: number;
    readonly dir: string;
    readonly exited: () => string | undefined;
  },
): Promise<void> {
  for (;;) {
    const exited = opts.exited();
    if (exited !== undefined) throw new TopologyError(`local topology failed to start:\n  ${exited}`);
    const problems = await check();
    if (problems.length === 0) return;
    if (Date.now() >= opts.deadline) {
      throw new TopologyError(
        `local topology not ready after ${opts.readyTimeoutMs} ms:\n  ${problems.join('\n  ')}\n` +
          `Logs: ${path.join(opts.dir, '*.log')}`,
      );
    }
    await sleep(100);
  }
}
