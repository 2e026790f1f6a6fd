// Verification after a failover: is the deployment whole again around a new master? Judged on one
// snapshot plus one probe of the new master; the drill polls until every check passes or its deadline.

import { type Address, formatAddress, type Snapshot, sameAddress } from '../types';
import { ckquorumCheck, configuredSentinels, describeError, followsWithLinkUp, nodeAt } from './facts';
import { settledState } from './settled';
import type { CheckResult } from './types';

export interface VerifyExpectation {
  /** The master before this failover. */
  readonly oldMaster: Address;
  /** The configured sentinels: every one must name the new master. */
  readonly sentinels: readonly Address[];
  readonly expectedReplicas: number;
  /** The key written before the failover, and its value; null when there is none to check. */
  readonly canary: { readonly key: string; readonly value: string } | null;
}

/** What the drill's own connection to the new master saw. */
export interface NewMasterProbe {
  readonly address: Address;
  /** A write was acknowledged; `writeError` says why not. */
  readonly writeOk: boolean;
  readonly writeError: string | null;
  /** `GET <canary key>`; null when missing or unread. */
  readonly canaryValue: string | null;
}

export interface Verification {
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
  /** The master a majority of the configured sentinels name, when that is not the old master. */
  readonly newMaster: Address | null;
}

/** Names of the verification checks, in the order they are reported. */
export const VERIFY_CHECKS = [
  'sentinels-agree-new-master',
  'new-master-role',
  'new-master-accepts-write',
  'canary-readable',
  'old-master-rejoined',
  'replicas-attached',
  'sentinels-see-replicas',
  'ckquorum',
  'deployment-settled',
] as const;

/** The master a majority of the configured sentinels name, if it is not the old master: the one to probe. */
export const agreedNewMaster = (snapshot: Snapshot, expect: VerifyExpectation): Address | null =>
  sentinelsAgreeNewMaster(snapshot, expect).newMaster;

export function verifyFailover(
  snapshot: Snapshot,
  probe: NewMasterProbe | null,
  expect: VerifyExpectation,
): Verification {
  const { check: agree, newMaster } = sentinelsAgreeNewMaster(snapshot, expect);
  const probed = newMaster !== null && probe !== null && sameAddress(probe.address, newMaster) ? probe : null;
  const checks = [
    agree,
    newMasterRole(snapshot, newMaster),
    acceptsWrite(newMaster, probed),
    canaryReadable(newMaster, probed, expect.canary),
    oldMasterRejoined(snapshot, newMaster, expect.oldMaster),
    replicasAttached(snapshot, newMaster, expect.expectedReplicas),
    sentinelsSeeReplicas(snapshot, newMaster, expect),
    ckquorumCheck(snapshot),
    deploymentSettled(snapshot, newMaster),
  ];
  return { checks, passed: checks.every((c) => c.passed), newMaster };
}

/**
 * The new master is the one a majority of the configured sentinels name (not the old master): then the
 * other checks judge it even while a sentinel is down or still catching up. The check itself passes
 * only when every configured sentinel names it.
 */
function sentinelsAgreeNewMaster(
  snapshot: Snapshot,
  expect: VerifyExpectation,
): { check: CheckResult; newMaster: Address | null } {
  const name = 'sentinels-agree-new-master';
  const views = configuredSentinels(snapshot, expect.sentinels).map(({ address, sentinel }) => ({
    address: formatAddress(address),
    master: sentinel?.masterAddress ?? null,
    why: sentinel ? describeError(sentinel) : 'not asked',
  }));
  const text = views
    .map((v) => `${v.address} -> ${v.master ? formatAddress(v.master) : `? (${v.why})`}`)
    .join(', ');
  const named = views.filter((v) => v.master !== null).map((v) => v.master!);
  const top = named.find((m) => named.filter((n) => sameAddress(n, m)).length * 2 > views.length) ?? null;
  const naming = top ? views.filter((v) => sameAddress(v.master, top)).length : 0;
  if (top === null) {
    return {
      check: { name, passed: false, detail: `sentinels do not all name one master: ${text}` },
      newMaster: null,
    };
  }
  if (sameAddress(top, expect.oldMaster)) {
    const detail =
      naming === views.length
        ? `every sentinel still names the old master ${formatAddress(top)}`
        : `${naming}/${views.length} configured sentinels still name the old master ${formatAddress(top)}: ${text}`;
    return { check: { name, passed: false, detail }, newMaster: null };
  }
  if (naming < views.length) {
    const others = views
      .filter((v) => !sameAddress(v.master, top))
      .map((v) => `${v.address}: ${v.master ? `names ${formatAddress(v.master)}` : v.why}`)
      .join('; ');
    return {
      check: {
        name,
        passed: false,
        detail: `${naming}/${views.length} configured sentinels name ${formatAddress(top)}; ${others}`,
      },
      newMaster: top,
    };
  }
  if (!sameAddress(snapshot.master, top)) {
    return {
      check: {
        name,
        passed: false,
        detail: `configured sentinels name ${formatAddress(top)} but others disagree`,
      },
      newMaster: top,
    };
  }
  return {
    check: { name, passed: true, detail: `all ${views.length} sentinels name ${formatAddress(top)}` },
    newMaster: top,
  };
}

function newMasterRole(snapshot: Snapshot, newMaster: Address | null): CheckResult {
  const name = 'new-master-role';
  if (!newMaster) return { name, passed: false, detail: 'no agreed new master yet' };
  const node = nodeAt(snapshot, newMaster);
  if (!node?.reachable || node.error !== null) {
    return {
      name,
      passed: false,
      detail: `${formatAddress(newMaster)}: ${node ? describeError(node) : 'not probed'}`,
    };
  }
  return node.role === 'master'
    ? { name, passed: true, detail: `${formatAddress(newMaster)} reports role:master` }
    : { name, passed: false, detail: `${formatAddress(newMaster)} reports role:${node.role}` };
}

function acceptsWrite(newMaster: Address | null, probe: NewMasterProbe | null): CheckResult {
  const name = 'new-master-accepts-write';
  if (!newMaster) return { name, passed: false, detail: 'no agreed new master yet' };
  if (!probe) return { name, passed: false, detail: `${formatAddress(newMaster)} not written to yet` };
  return probe.writeOk
    ? { name, passed: true, detail: `${formatAddress(newMaster)} acknowledged a write` }
    : {
        name,
        passed: false,
        detail: `${formatAddress(newMaster)} refused a write: ${probe.writeError ?? 'no answer'}`,
      };
}

function canaryReadable(
  newMaster: Address | null,
  probe: NewMasterProbe | null,
  canary: VerifyExpectation['canary'],
): CheckResult {
  const name = 'canary-readable';
  if (!canary) return { name, passed: true, detail: 'no canary written' };
  if (!newMaster || !probe) return { name, passed: false, detail: 'new master not read yet' };
  if (probe.canaryValue === canary.value) {
    return { name, passed: true, detail: `${canary.key} reads back on ${formatAddress(newMaster)}` };
  }
  return {
    name,
    passed: false,
    detail:
      probe.canaryValue === null
        ? `${canary.key} is missing on ${formatAddress(newMaster)}`
        : `${canary.key} has another value on ${formatAddress(newMaster)}`,
  };
}

function oldMasterRejoined(snapshot: Snapshot, newMaster: Address | null, oldMaster: Address): CheckResult {
  const name = 'old-master-rejoined';
  const where = formatAddress(oldMaster);
  if (!newMaster) return { name, passed: false, detail: 'no agreed new master yet' };
  const node = nodeAt(snapshot, oldMaster);
  if (!node?.reachable || node.error !== null) {
    return { name, passed: false, detail: `${where}: ${node ? describeError(node) : 'not probed'}` };
  }
  if (followsWithLinkUp(node, newMaster)) {
    return {
      name,
      passed: true,
      detail: `${where} is a replica of ${formatAddress(newMaster)} with link up`,
    };
  }
  if (node.role === 'master') {
    return {
      name,
      passed: false,
      detail: `${where} still reports role:master (not yet converted by Sentinel)`,
    };
  }
  const rep = node.replication;
  return {
    name,
    passed: false,
    detail: `${where} is a ${node.role} of ${rep?.masterHost ?? '?'}:${rep?.masterPort ?? '?'}, link ${rep?.masterLinkStatus ?? 'unknown'}`,
  };
}

function replicasAttached(snapshot: Snapshot, newMaster: Address | null, expected: number): CheckResult {
  const name = 'replicas-attached';
  if (!newMaster) return { name, passed: false, detail: 'no agreed new master yet' };
  const attached = snapshot.nodes.filter((n) => followsWithLinkUp(n, newMaster));
  const list = attached.map(formatAddress).join(', ') || 'none';
  return {
    name,
    passed: attached.length >= expected,
    detail: `${attached.length}/${expected} replicas follow ${formatAddress(newMaster)} with link up (${list})`,
  };
}

/**
 * Every configured sentinel has itself read (INFO) that the old master and the other replicas follow
 * the new master with their link up. Until then a sentinel may still hold the old master's stale
 * `role:master`, and a second failover started then can be undone by it (`+convert-to-slave` of the
 * freshly promoted node, then an automatic failover ~20 s later): seen on Redis 7.0.
 */
function sentinelsSeeReplicas(
  snapshot: Snapshot,
  newMaster: Address | null,
  expect: VerifyExpectation,
): CheckResult {
  const name = 'sentinels-see-replicas';
  if (!newMaster) return { name, passed: false, detail: 'no agreed new master yet' };
  const views = configuredSentinels(snapshot, expect.sentinels).map(({ address, sentinel }) => {
    const good = (sentinel?.replicas ?? []).filter(
      (r) =>
        r.masterHost === newMaster.host &&
        r.masterPort === newMaster.port &&
        r.masterLinkStatus === 'ok' &&
        !r.flags.some((f) => f === 's_down' || f === 'o_down' || f === 'disconnected'),
    );
    const oldSeen = good.some((r) => sameAddress(r, expect.oldMaster));
    return { address, good: good.length, oldSeen, ok: good.length >= expect.expectedReplicas && oldSeen };
  });
  const detail = views
    .map(
      (v) =>
        `${formatAddress(v.address)} sees ${v.good}/${expect.expectedReplicas}${v.oldSeen ? '' : ` (not yet ${formatAddress(expect.oldMaster)})`}`,
    )
    .join(', ');
  return {
    name,
    passed: views.every((v) => v.ok),
    detail: `replicas following ${formatAddress(newMaster)} with link ok: ${detail}`,
  };
}

/** No failover still running, no second master, no hung node that may hold a pending promotion. */
function deploymentSettled(snapshot: Snapshot, newMaster: Address | null): CheckResult {
  const name = 'deployment-settled';
  if (!newMaster) return { name, passed: false, detail: 'no agreed new master yet' };
  const settled = settledState(snapshot);
  return { name, passed: settled.passed && sameAddress(settled.master, newMaster), detail: settled.detail };
}
