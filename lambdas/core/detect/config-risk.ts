// CONFIG_RISK: settings that make a failover unsafe or impossible, read only from what the servers
// report (CONFIG GET may be refused: then `node.config` is null and those checks are skipped).
// One finding per subject, listing every risk found for it, because incidents are keyed by
// code + subject: the deployment-wide risks share the `deployment` subject.

import type { Finding, NodeSnapshot, SentinelSnapshot } from '../types';
import { formatAddress } from '../types';
import { DEPLOYMENT_SUBJECT, nodeSubject, sentinelSubject } from './codes';
import { phantomOf } from './sentinels';
import { configInt } from './text';
import { sentinelUsable, type View } from './view';
import { refusalOf } from './writes';

interface Risk {
  readonly risk: string;
  readonly text: string;
  readonly [key: string]: unknown;
}

export function detectConfigRisk(view: View): Finding[] {
  const findings: Finding[] = [];
  const deployment = [...downAfterTooLow(view), ...quorumRisk(view)];
  if (deployment.length > 0) findings.push(finding(DEPLOYMENT_SUBJECT, 'The deployment', deployment));
  for (const node of view.snapshot.nodes) {
    const risks = nodeRisks(view, node);
    if (risks.length > 0) findings.push(finding(nodeSubject(node), `Node ${formatAddress(node)}`, risks));
  }
  for (const s of view.snapshot.sentinels) {
    const risks = [...notMonitoring(view, s), ...wrongAnnounce(view, s)];
    if (risks.length > 0) findings.push(finding(sentinelSubject(s), `Sentinel ${formatAddress(s)}`, risks));
  }
  return findings;
}

function finding(subject: string, who: string, risks: readonly Risk[]): Finding {
  const text = risks.length === 1 ? risks[0].text : risks.map((r, i) => `(${i + 1}) ${r.text}`).join(' ');
  return {
    code: 'CONFIG_RISK',
    // Nothing is broken yet, so no page; but the next master failure may not be survived.
    severity: 'warning',
    subject,
    message: `${who} has a setting that puts failover at risk: ${text}`,
    details: { risks: risks.map(({ text: _text, ...rest }) => rest) },
  };
}

/** Sentinels in TILT or not answering for this master are not read. */
const trusted = (view: View): SentinelSnapshot[] =>
  view.snapshot.sentinels.filter((s) => sentinelUsable(s) && s.tilt !== true);

function downAfterTooLow(view: View): Risk[] {
  const min = view.settings.minDownAfterMs;
  const low = trusted(view).filter((s) => s.master!.downAfterMs !== null && s.master!.downAfterMs < min);
  if (low.length === 0) return [];
  const values = low.map((s) => `${formatAddress(s)}: ${s.master!.downAfterMs} ms`).join(', ');
  return [
    {
      risk: 'down-after-too-low',
      text: `down-after-milliseconds is below ${min} ms on ${values}: a short pause of the master (fork, GC of the VM, network blip) triggers a failover, and a second spurious one can follow the first. Raise it on every sentinel: SENTINEL SET ${view.snapshot.masterName} down-after-milliseconds 5000 (or more).`,
      sentinels: low.map((s) => ({ sentinel: formatAddress(s), downAfterMs: s.master!.downAfterMs })),
      minDownAfterMs: min,
    },
  ];
}

/**
 * The quorum against the number of sentinels: configured, else the most any sentinel knows. The
 * advice never lowers a quorum below a majority of that number.
 */
function quorumRisk(view: View): Risk[] {
  const n = view.expectedSentinels;
  const majority = Math.floor(n / 2) + 1;
  const name = view.snapshot.masterName;
  const byQuorum = new Map<number, string[]>();
  for (const s of trusted(view))
    byQuorum.set(s.master!.quorum, [...(byQuorum.get(s.master!.quorum) ?? []), formatAddress(s)]);
  // Not configured, n is the most any sentinel knows, stale entries of replaced sentinels included
  // (they are flagged down). While some known peer is down, n may count dead entries: raising the
  // quorum to their majority would make one real sentinel down block every failover. The entries'
  // own findings (SENTINEL_UNREACHABLE: SENTINEL RESET) come first; the quorum is judged after.
  const countUncertain =
    view.settings.expectedSentinels === null &&
    trusted(view).some((s) => s.sentinels.some((p) => p.flags.some((f) => f === 's_down' || f === 'o_down')));
  const risks: Risk[] = [];
  for (const [quorum, sentinels] of byQuorum) {
    // NO_QUORUM already says "the quorum is above the number of sentinels", with this fix.
    if (quorum > n && view.quorum.quorumTooHigh) continue;
    if (quorum > n) {
      risks.push({
        risk: 'quorum-too-high',
        text: `quorum is ${quorum} on ${sentinels.join(', ')} but there are ${n} sentinels: they can never agree the master is down, so no failover will ever start. Set it to ${majority}: SENTINEL SET ${name} quorum ${majority} on each sentinel.`,
        quorum,
        sentinels: n,
      });
    } else if (quorum < majority && !countUncertain) {
      risks.push({
        risk: 'quorum-below-majority',
        text: `quorum is ${quorum} on ${sentinels.join(', ')}, less than a majority of the ${n} sentinels: a minority that lost sight of the master (a partition) starts failover attempts. Set it to ${majority}: SENTINEL SET ${name} quorum ${majority} on each sentinel.`,
        quorum,
        sentinels: n,
      });
    }
  }
  return risks;
}

function nodeRisks(view: View, node: NodeSnapshot): Risk[] {
  const config = node.config;
  if (!config) return [];
  const risks: Risk[] = [];
  const others = view.snapshot.nodes.filter((n) => n !== node);
  const peersHaveMasterauth = others.some((n) => n.config?.masterauth === 'set');
  if (
    config.masterauth === 'unset' &&
    (config.requirepass === 'set' || (config.requirepass === undefined && peersHaveMasterauth))
  ) {
    risks.push({
      risk: 'masterauth-missing',
      text: `masterauth is not set${config.requirepass === 'set' ? ' although requirepass is' : ' while the other nodes have it'}: when this node is demoted to a replica (after a failover) it cannot authenticate to the new master and never syncs. Set masterauth to the deployment's password (CONFIG SET masterauth, then CONFIG REWRITE).`,
    });
  }
  const minReplicas = configInt(config['min-replicas-to-write']);
  const expected = view.settings.expectedReplicas;
  // A master refusing writes for it right now is MASTER_NOT_WRITABLE (noreplicas), with this advice.
  const refusing = node === view.masterNode && refusalOf(node)?.cause === 'noreplicas';
  if (minReplicas !== null && minReplicas > 0 && expected > 0 && minReplicas >= expected && !refusing) {
    risks.push({
      risk: 'min-replicas-too-high',
      text:
        minReplicas > expected
          ? `min-replicas-to-write is ${minReplicas} but only ${expected} replicas are expected: as master it refuses every write (NOREPLICAS). Lower it to ${expected - 1} or less.`
          : `min-replicas-to-write is ${minReplicas}, as many as the expected replicas: as master it refuses writes (NOREPLICAS) as soon as one replica is down or lagging. Lower it to ${expected - 1}${expected === 1 ? ' or add a replica' : ' or less'}, unless refusing writes is the point.`,
      minReplicasToWrite: minReplicas,
      expectedReplicas: expected,
    });
  }
  return risks;
}

function notMonitoring(view: View, s: SentinelSnapshot): Risk[] {
  if (s.error?.class !== 'unknown-master') return [];
  const name = view.snapshot.masterName;
  return [
    {
      risk: 'sentinel-not-monitoring',
      text: `it does not monitor a master named ${name}, so it neither votes nor fails over for it. If no sentinel knows the name, the watcher's masterName is wrong; otherwise run SENTINEL MONITOR ${name} <master ip> <port> <quorum> on it (and set auth-pass), or remove it from the watcher's config.`,
    },
  ];
}

/**
 * A sentinel that announces an address where nothing answers (sentinels.ts `phantomOf`): reported on
 * the sentinel itself when the watcher knows its real address, else on the announced address.
 */
function wrongAnnounce(view: View, s: SentinelSnapshot): Risk[] {
  const own = phantomOf(view, s);
  const phantoms = own
    ? own.real
      ? []
      : [{ address: s, phantom: own }]
    : view.snapshot.sentinels
        .map((p) => ({ address: p, phantom: phantomOf(view, p) }))
        .filter((x) => x.phantom?.real === s);
  if (phantoms.length === 0) return [];
  const wrong = phantoms.map((p) => formatAddress(p.address)).join(', ');
  const who = own
    ? `a live sentinel${own.runId ? ` (run id ${own.runId})` : ''}: its peers hear its hello messages but cannot reach it there. It`
    : 'it';
  const announced = s.config?.announceIp
    ? ` Its announce-ip is ${s.config.announceIp}${s.config.announcePort ? ` and announce-port ${s.config.announcePort}` : ''}.`
    : '';
  return [
    {
      risk: 'announces-wrong-address',
      text: `${who} announces itself as ${wrong}, where nothing answers, so its peers cannot ask it for votes and clients that discover sentinels get a dead address.${announced} Set announce-ip / announce-port to an address the other sentinels and the clients reach (SENTINEL CONFIG SET announce-ip <ip> on Redis 6.2+, else in sentinel.conf and restart it). Its peers then replace the old entry by themselves as soon as they hear it under the new address (+sentinel-address-switch: same run id): nothing needs resetting. Not a dead sentinel: do not remove it.`,
      announcedAs: phantoms.map((p) => formatAddress(p.address)),
    },
  ];
}
