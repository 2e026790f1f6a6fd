// One poll of one deployment: ask every sentinel, then every data node anyone names, all in parallel
// waves, each server bounded by `timeoutMs` and the whole poll by `pollTimeoutMs`. Nothing here can
// throw for a misbehaving server: every failure ends up in the snapshot.

import { canonicalAddress } from '../core/address';
import type { BatchOutcome, BatchTarget, RedisCommand, RunBatch } from '../core/batch';
import { capabilityGaps, probeNeeds } from '../core/capabilities';
import type { Credentials, DeploymentConfig } from '../core/config';
import { masterConsensus } from '../core/consensus';
import { MAX_NODES, MAX_SENTINELS } from '../core/limits';
import { classifyError } from '../core/probe-error';
import { askWhoWrites, unavailableChecks } from '../core/probe-plan';
import {
  legacyReplicasCommand,
  nodeCommands,
  readNode,
  readSentinel,
  readWritingClients,
  sentinelCommands,
  writingClientsCommand,
} from '../core/read-server';
import { boundNode, boundSentinel } from '../core/server-bounds';
import {
  type Address,
  formatAddress,
  type NodeSnapshot,
  type SentinelSnapshot,
  type Snapshot,
  sameAddress,
} from '../core/types';
import { nodeTarget, sentinelTarget } from './targets';

export interface PollDeps {
  readonly runBatch: RunBatch;
  /** Wall clock, epoch milliseconds. */
  readonly now: () => number;
}

export interface PollOptions {
  /**
   * The previous snapshot of this deployment, when the caller keeps one: replicas whose READONLY
   * errors grew since then are asked who is writing to them (CLIENT LIST), and only then.
   */
  readonly previous?: Snapshot | null;
}

interface SourceEntry<T extends string> {
  address: Address;
  discoveredBy: Set<T>;
  /** How many times it was named: what several servers agree on outranks what one announces. */
  votes: number;
}
type Source<T extends string> = Map<string, SourceEntry<T>>;

/** Keys are canonical addresses (see canonicalHost): one server named two ways is one entry. */
function addTo<T extends string>(map: Source<T>, address: Address, by: T): void {
  const canonical = canonicalAddress(address);
  const key = formatAddress(canonical);
  const entry = map.get(key) ?? { address: canonical, discoveredBy: new Set<T>(), votes: 0 };
  entry.discoveredBy.add(by);
  entry.votes++;
  map.set(key, entry);
}

/**
 * The entries that fit in `room`: configured ones first, then the most often named (so a sentinel
 * announcing 1000 fake peers cannot crowd out the peers every sentinel names), then in discovery order.
 */
function withinCap<T extends string>(
  entries: readonly SourceEntry<T>[],
  room: number,
): { kept: SourceEntry<T>[]; left: SourceEntry<T>[] } {
  const configured = (e: SourceEntry<T>) => (e.discoveredBy.has('config' as T) ? 0 : 1);
  const ranked = [...entries].sort((a, b) => configured(a) - configured(b) || b.votes - a.votes);
  const n = Math.max(0, room);
  return { kept: ranked.slice(0, n), left: ranked.slice(n) };
}

export async function pollDeployment(
  deployment: DeploymentConfig,
  credentials: Credentials,
  deps: PollDeps,
  options: PollOptions = {},
): Promise<Snapshot> {
  const startedAt = deps.now();
  const deadline = startedAt + deployment.pollTimeoutMs;
  const secrets = [credentials.password, credentials.sentinelPassword];
  let truncated = false;

  const budget = (): number => Math.min(deployment.timeoutMs, deadline - deps.now());
  const cutOff = (): BatchOutcome => {
    truncated = true;
    const message = `not asked: the poll deadline of ${deployment.pollTimeoutMs} ms was reached (timed out)`;
    return {
      connected: false,
      error: { message, name: 'DeadlineError' },
      auth: null,
      replies: [],
      rttMs: null,
    };
  };
  const run = async (
    target: BatchTarget,
    commands: readonly RedisCommand[],
    maxReplyBytes = deployment.maxReplyBytes,
  ): Promise<BatchOutcome> => {
    const ms = budget();
    return ms < 1 ? cutOff() : deps.runBatch(target, commands, ms, { maxReplyBytes });
  };

  const nodeCommandList = nodeCommands(deployment.name);
  const sentinelTargetOf = (a: Address) => sentinelTarget(deployment, credentials, a);
  const nodeTargetOf = (a: Address) => nodeTarget(deployment, credentials, a);

  const probeSentinel = async (
    address: Address,
    by: SentinelSnapshot['discoveredBy'],
  ): Promise<SentinelSnapshot> => {
    const commands = sentinelCommands(deployment.masterName);
    let outcome = await run(sentinelTargetOf(address), commands);
    const replicasReply = outcome.replies[2];
    if (replicasReply && !replicasReply.ok && classifyError(replicasReply.error) === 'unsupported-command') {
      // The budget is per server and poll: the retry gets what the first batch left.
      const left = deployment.maxReplyBytes - (outcome.bytesRead ?? 0);
      const legacy = await run(
        sentinelTargetOf(address),
        [legacyReplicasCommand(deployment.masterName)],
        left,
      );
      if (legacy.replies[0]?.ok) {
        const replies = [...outcome.replies];
        replies[2] = legacy.replies[0];
        outcome = { ...outcome, replies };
      }
    }
    return boundSentinel(readSentinel(address, by, outcome, commands, secrets));
  };
  // The write probe goes to the node the sentinels name master, and to no other: a SET on an old
  // master would itself be a write that gets lost, and on a replica it would count as READONLY.
  let writeTo: Address | null = null;
  const probeNode = async (address: Address, by: NodeSnapshot['discoveredBy']): Promise<NodeSnapshot> => {
    const commands = sameAddress(address, writeTo)
      ? nodeCommands(deployment.name, { writeProbe: { value: new Date(startedAt).toISOString() } })
      : nodeCommandList;
    const node = readNode(address, by, await run(nodeTargetOf(address), commands), commands, secrets);
    return boundNode(askWhoWrites(node, options.previous ?? null) ? await withWritingClients(node) : node);
  };
  // A replica whose READONLY errors grew since the last poll has clients that did not follow a
  // failover: one more round trip names them. CLIENT LIST of a busy replica is legitimately large, so
  // it gets a budget of its own rather than what the node's batch left.
  const withWritingClients = async (node: NodeSnapshot): Promise<NodeSnapshot> => {
    const outcome = await run(nodeTargetOf(node), [writingClientsCommand]);
    return { ...node, writingClients: readWritingClients(outcome.replies[0]) };
  };

  // Wave 1: the configured sentinels.
  const sentinelSources: Source<'config' | 'sentinel'> = new Map();
  for (const a of deployment.sentinels) addTo(sentinelSources, a, 'config');
  const sentinels = await Promise.all(deployment.sentinels.map((a) => probeSentinel(a, ['config'])));
  if (deployment.writeProbe) writeTo = masterConsensus(sentinels).master;

  // Wave 2: sentinels only known to other sentinels (possibly stale), and every data node named.
  for (const s of sentinels) for (const peer of s.sentinels) addTo(sentinelSources, peer, 'sentinel');
  const nodeSources: Source<'config' | 'sentinel' | 'master-info'> = new Map();
  for (const a of deployment.nodes) addTo(nodeSources, a, 'config');
  for (const s of sentinels) {
    if (s.masterAddress) addTo(nodeSources, s.masterAddress, 'sentinel');
    if (s.master) addTo(nodeSources, { host: s.master.host, port: s.master.port }, 'sentinel');
    for (const r of s.replicas) addTo(nodeSources, r, 'sentinel');
  }
  const probedSentinels = new Set(deployment.sentinels.map(formatAddress));
  const extraSentinels = withinCap(
    [...sentinelSources.entries()].filter(([key]) => !probedSentinels.has(key)).map(([, e]) => e),
    MAX_SENTINELS - deployment.sentinels.length,
  );
  const nodeEntries = withinCap([...nodeSources.values()], MAX_NODES);
  const [moreSentinels, nodes] = await Promise.all([
    Promise.all(extraSentinels.kept.map((e) => probeSentinel(e.address, [...e.discoveredBy]))),
    Promise.all(nodeEntries.kept.map((e) => probeNode(e.address, [...e.discoveredBy]))),
  ]);

  // Wave 3: replicas that only a master lists, and masters that only a replica points at.
  const probedNodes = new Set(nodeSources.keys());
  const wave3: Source<'master-info' | 'upstream'> = new Map();
  for (const n of nodes) {
    for (const r of n.replication?.replicas ?? []) {
      if (!probedNodes.has(formatAddress(r))) addTo(wave3, { host: r.host, port: r.port }, 'master-info');
    }
    const up = n.replication;
    if (
      up?.masterHost &&
      up.masterPort &&
      !probedNodes.has(formatAddress({ host: up.masterHost, port: up.masterPort }))
    ) {
      addTo(wave3, { host: up.masterHost, port: up.masterPort }, 'upstream');
    }
  }
  const lateEntries = withinCap([...wave3.values()], MAX_NODES - nodes.length);
  const lateNodes = await Promise.all(lateEntries.kept.map((e) => probeNode(e.address, [...e.discoveredBy])));
  const leftOut = [...extraSentinels.left, ...nodeEntries.left, ...lateEntries.left];

  // Sentinels keep their discovery sources from the map (a configured one may also be a known peer).
  const allSentinels = [...sentinels, ...moreSentinels].map((s) => ({
    ...s,
    discoveredBy: [...(sentinelSources.get(formatAddress(s))?.discoveredBy ?? s.discoveredBy)],
  }));
  const { master, consensus } = masterConsensus(allSentinels);
  const allNodes = [...nodes, ...lateNodes].sort(
    (a, b) => rank(a, master) - rank(b, master) || formatAddress(a).localeCompare(formatAddress(b)),
  );

  return {
    deployment: deployment.name,
    masterName: deployment.masterName,
    takenAt: new Date(startedAt).toISOString(),
    durationMs: deps.now() - startedAt,
    master,
    consensus,
    nodes: allNodes,
    sentinels: allSentinels,
    findings: [],
    truncated,
    unavailable: [
      ...unavailableChecks(deployment, allNodes, writeTo),
      ...capabilityGaps({ nodes: allNodes, sentinels: allSentinels }, probeNeeds(credentials)),
    ],
    ...(leftOut.length > 0
      ? {
          unprobed: {
            sentinels: extraSentinels.left.length,
            nodes: nodeEntries.left.length + lateEntries.left.length,
            examples: leftOut.slice(0, 5).map((e) => formatAddress(e.address)),
          },
        }
      : {}),
  };
}

const rank = (n: NodeSnapshot, master: Address | null): number =>
  master && n.host === master.host && n.port === master.port ? 0 : n.role === 'master' ? 1 : 2;
