// Preflight: may a failover be started on this deployment now? Each check says why not. A drill starts
// only when every check passes; a failed check is a refusal, and nothing has been changed.

import type { DeploymentConfig } from '../config';
import { type Address, formatAddress, type Snapshot } from '../types';
import {
  ckquorumCheck,
  configuredSentinels,
  describeError,
  followsWithLinkUp,
  formatBytes,
  lagBytes,
  nodeAt,
} from './facts';
import type { CheckResult } from './types';

export type PreflightSettings = Pick<DeploymentConfig, 'sentinels' | 'maxLagBytes'> &
  Partial<Pick<DeploymentConfig, 'expectedReplicas'>>;

export interface ReplicaCandidate {
  readonly address: Address;
  readonly lagBytes: number | null;
  readonly priority: number | null;
  /** Link up, following the master, lag known and under `maxLagBytes`. */
  readonly ready: boolean;
  readonly detail: string;
}

export interface Preflight {
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
  /** The master every configured sentinel names, when they agree. */
  readonly master: Address | null;
  readonly replicas: readonly ReplicaCandidate[];
}

export function preflight(snapshot: Snapshot, settings: PreflightSettings): Preflight {
  const replicas = replicaCandidates(snapshot, settings.maxLagBytes);
  const checks = [
    sentinelsReachable(snapshot, settings.sentinels),
    sentinelsAgree(snapshot, settings.sentinels),
    ckquorumCheck(snapshot),
    masterHealthy(snapshot),
    replicaReady(replicas, snapshot, settings.maxLagBytes, settings.expectedReplicas ?? 1),
    noFailoverInProgress(snapshot),
  ];
  const passed = checks.every((c) => c.passed);
  return { checks, passed, master: checks[1].passed ? snapshot.master : null, replicas };
}

function sentinelsReachable(snapshot: Snapshot, configured: readonly Address[]): CheckResult {
  const seen = configuredSentinels(snapshot, configured);
  const bad = seen.filter(({ sentinel }) => !sentinel?.reachable || sentinel.error !== null);
  if (bad.length > 0) {
    return {
      name: 'sentinels-reachable',
      passed: false,
      detail: bad
        .map(
          ({ address, sentinel }) =>
            `${formatAddress(address)}: ${sentinel ? describeError(sentinel) : 'not asked'}`,
        )
        .join('; '),
    };
  }
  return {
    name: 'sentinels-reachable',
    passed: true,
    detail: `all ${configured.length} configured sentinels answered`,
  };
}

function sentinelsAgree(snapshot: Snapshot, configured: readonly Address[]): CheckResult {
  const views = configuredSentinels(snapshot, configured).map(({ address, sentinel }) => ({
    address,
    master: sentinel?.masterAddress ?? null,
  }));
  const named = views.filter((v) => v.master !== null);
  const master = snapshot.master;
  if (named.length === 0)
    return { name: 'sentinels-agree', passed: false, detail: 'no sentinel named a master' };
  const disagreeing = views.filter(
    (v) => v.master === null || master === null || formatAddress(v.master) !== formatAddress(master),
  );
  if (master === null || disagreeing.length > 0 || !snapshot.consensus.unanimous) {
    const votes = snapshot.consensus.votes
      .map((v) => `${formatAddress(v.address)} named by ${v.sentinels.join(', ')}`)
      .join('; ');
    const silent = views.filter((v) => v.master === null).map((v) => formatAddress(v.address));
    return {
      name: 'sentinels-agree',
      passed: false,
      detail: `sentinels do not agree on the master: ${votes || 'none named one'}${silent.length ? `; no answer from ${silent.join(', ')}` : ''}`,
    };
  }
  return {
    name: 'sentinels-agree',
    passed: true,
    detail: `all ${named.length} sentinels name ${formatAddress(master)}`,
  };
}

function masterHealthy(snapshot: Snapshot): CheckResult {
  const name = 'master-healthy';
  const node = nodeAt(snapshot, snapshot.master);
  if (!snapshot.master || !node) return { name, passed: false, detail: 'no agreed master to check' };
  const where = formatAddress(snapshot.master);
  if (!node.reachable || node.error !== null) {
    return { name, passed: false, detail: `${where}: ${describeError(node)}` };
  }
  if (node.role !== 'master') return { name, passed: false, detail: `${where} reports role:${node.role}` };
  const down = snapshot.sentinels.filter(
    (s) => s.master?.flags.includes('s_down') || s.master?.flags.includes('o_down'),
  );
  if (down.length > 0) {
    return {
      name,
      passed: false,
      detail: `${down.map((s) => `${formatAddress(s)} flags ${s.master?.flags.join(',')}`).join('; ')}`,
    };
  }
  return { name, passed: true, detail: `${where} reports role:master and no sentinel flags it down` };
}

export function replicaCandidates(snapshot: Snapshot, maxLagBytes: number): ReplicaCandidate[] {
  const master = snapshot.master;
  const masterNode = nodeAt(snapshot, master);
  if (!master) return [];
  return snapshot.nodes
    .filter((n) => formatAddress(n) !== formatAddress(master) && n.role !== 'master')
    .map((n) => {
      const address = { host: n.host, port: n.port };
      const priority = n.replication?.replicaPriority ?? null;
      const lag = lagBytes(n, masterNode);
      const base = { address, lagBytes: lag, priority };
      if (!n.reachable || n.error !== null) return { ...base, ready: false, detail: describeError(n) };
      if (!followsWithLinkUp(n, master)) {
        const rep = n.replication;
        const follows = rep?.masterHost ? `${rep.masterHost}:${rep.masterPort}` : 'nothing';
        return {
          ...base,
          ready: false,
          detail: `role:${n.role}, follows ${follows}, link ${rep?.masterLinkStatus ?? 'unknown'}`,
        };
      }
      if (lag === null) return { ...base, ready: false, detail: 'replication offsets unknown' };
      if (lag > maxLagBytes) {
        return {
          ...base,
          ready: false,
          detail: `link up but ${formatBytes(lag)} behind (max ${formatBytes(maxLagBytes)})`,
        };
      }
      return { ...base, ready: true, detail: `link up, ${formatBytes(lag)} behind` };
    });
}

/**
 * Every expected replica must be ready, not just one: verification expects `expectedReplicas` to
 * follow the new master afterwards, so a drill started one short would fail only after a real
 * failover. To drill a deployment that is knowingly short of replicas, lower `expectedReplicas`.
 */
function replicaReady(
  replicas: readonly ReplicaCandidate[],
  snapshot: Snapshot,
  maxLagBytes: number,
  expected: number,
): CheckResult {
  const name = 'replica-ready';
  if (!snapshot.master) return { name, passed: false, detail: 'no agreed master to judge replicas against' };
  if (replicas.length === 0) return { name, passed: false, detail: 'no replica found' };
  const list = replicas
    .map((r) => `${formatAddress(r.address)} ${r.detail}${r.priority === 0 ? ', replica-priority 0' : ''}`)
    .join('; ');
  const ready = replicas.filter((r) => r.ready);
  if (ready.length === 0) {
    return {
      name,
      passed: false,
      detail: `no replica has its link up with lag under ${formatBytes(maxLagBytes)}: ${list}`,
    };
  }
  if (ready.length < expected) {
    return {
      name,
      passed: false,
      detail: `${ready.length}/${replicas.length} ready, expectedReplicas is ${expected}: ${list} (a drill now would fail verification after a real failover; bring the replicas back, or lower expectedReplicas)`,
    };
  }
  // Priority 0 is Sentinel's to judge (it answers NOGOODSLAVE): the drill reports that answer.
  const note = ready.every((r) => r.priority === 0)
    ? ' (note: every ready replica has replica-priority 0, so Sentinel will refuse to promote any)'
    : '';
  return { name, passed: true, detail: `${ready.length}/${replicas.length} ready: ${list}${note}` };
}

function noFailoverInProgress(snapshot: Snapshot): CheckResult {
  const name = 'no-failover-in-progress';
  const busy = snapshot.sentinels.filter(
    (s) => s.master?.flags.includes('failover_in_progress') || (s.master?.failoverState ?? null) !== null,
  );
  const tilted = snapshot.sentinels.filter((s) => s.tilt === true);
  const problems = [
    ...busy.map(
      (s) => `${formatAddress(s)} is failing over (${s.master?.failoverState ?? 'failover_in_progress'})`,
    ),
    ...tilted.map((s) => `${formatAddress(s)} is in TILT mode`),
  ];
  if (problems.length > 0) return { name, passed: false, detail: problems.join('; ') };
  return { name, passed: true, detail: 'no sentinel reports a failover in progress or TILT' };
}
