// Server versions: CONFIG_RISK when the versions themselves are a risk:
//   - a sentinel older (by major.minor) than the data nodes it watches: Sentinel reads the nodes'
//     INFO and drives the failover with commands of its own version, so upgrade sentinels first;
//   - data nodes on different major versions (or flavours: Redis 7 and Valkey 8) for longer than a
//     rolling upgrade takes (`maxVersionMixMs`): an upgrade left half-done. Replication from a newer
//     master to an older replica fails (an RDB format it cannot read), so the next failover may leave
//     replicas that cannot sync.
// How long the mix has lasted is remembered across polls (`versionMixSince`), and bounded from below
// by uptimes: the newest major line's longest-running node started when the mix began, so `check`,
// which has no memory, still sees an upgrade left for days.

import {
  compareVersions,
  labelOf,
  majorLine,
  redisCompatibleVersion,
  releaseGroups,
  releaseOf,
  type ServerRelease,
  versionParts,
} from '../server-version';
import type { Finding, NodeSnapshot } from '../types';
import { formatAddress } from '../types';
import { DEPLOYMENT_SUBJECT, sentinelSubject } from './codes';
import type { DetectionState } from './state';
import { formatDuration } from './text';
import { nodeReadable, type View } from './view';

/** A rolling upgrade of a handful of nodes takes minutes to hours; a mix older than a day is left over. */
export const DEFAULT_MAX_VERSION_MIX_MS = 24 * 3600 * 1000;

export function detectVersions(view: View): {
  findings: Finding[];
  state: Pick<DetectionState, 'versionMixSince'>;
} {
  const findings: Finding[] = [];
  const nodes = view.snapshot.nodes.filter((n) => nodeReadable(n) && releaseOf(n.server) !== null);
  const newestNode = newest(nodes.map((n) => releaseOf(n.server)!));
  for (const s of view.snapshot.sentinels) {
    const release = releaseOf(s);
    if (!s.reachable || release === null || newestNode === null) continue;
    if (compareMinor(release, newestNode) < 0) findings.push(sentinelOlder(view, s, release, newestNode));
  }

  const lines = new Map<string, NodeSnapshot[]>();
  for (const n of nodes) {
    const line = majorLine(releaseOf(n.server)!);
    if (line !== null) lines.set(line, [...(lines.get(line) ?? []), n]);
  }
  if (lines.size < 2) {
    // One major line among the nodes read: the mix is over only if every node was read this time.
    const allRead = nodes.length === view.snapshot.nodes.length;
    return { findings, state: { versionMixSince: allRead ? null : (view.state.versionMixSince ?? null) } };
  }

  const since = Math.min(view.state.versionMixSince ?? view.now, mixStartFromUptimes(lines, view.now));
  const limit = view.settings.maxVersionMixMs ?? DEFAULT_MAX_VERSION_MIX_MS;
  if (view.now - since >= limit) findings.push(mixedMajors(view, since, limit));
  return { findings, state: { versionMixSince: since } };
}

const minor = (release: ServerRelease): string => {
  const [major, min] = versionParts(redisCompatibleVersion(release)) ?? [0, 0];
  return `${major}.${min}`;
};

/** By the Redis features each has, ignoring patch releases (7.2.4 and 7.2.6 are the same here). */
const compareMinor = (a: ServerRelease, b: ServerRelease): number => compareVersions(minor(a), minor(b));

function newest(releases: readonly ServerRelease[]): ServerRelease | null {
  return releases.reduce<ServerRelease | null>(
    (best, r) => (best === null || compareMinor(r, best) > 0 ? r : best),
    null,
  );
}

/**
 * The most recent of each major line's longest uptime: the line whose oldest node started last is the
 * one the upgrade introduced, and its first node started when the mix began. `now` when unknown.
 */
function mixStartFromUptimes(lines: ReadonlyMap<string, readonly NodeSnapshot[]>, now: number): number {
  let start = Number.NEGATIVE_INFINITY;
  for (const members of lines.values()) {
    const uptimes = members.map((n) => n.server?.uptimeSeconds ?? null);
    if (uptimes.some((u) => u === null)) return now;
    start = Math.max(start, now - Math.max(...(uptimes as number[])) * 1000);
  }
  return Number.isFinite(start) ? Math.min(start, now) : now;
}

function sentinelOlder(
  view: View,
  s: View['snapshot']['sentinels'][number],
  release: ServerRelease,
  newestNode: ServerRelease,
): Finding {
  const newer = releaseGroups({ nodes: view.snapshot.nodes, sentinels: [] }).filter(
    (g) => compareMinor(g.release, release) > 0,
  );
  const nodesText = newer.map((g) => `${g.label} on ${g.nodes.join(', ')}`).join('; ');
  return {
    code: 'CONFIG_RISK',
    severity: 'warning',
    subject: sentinelSubject(s),
    message: `Sentinel ${formatAddress(s)} runs ${labelOf(s)}, older than the data nodes it watches (${nodesText}): Sentinel reads their INFO and fails them over with the commands of its own version, which an older sentinel may misread or lack. Upgrade the sentinels first, one at a time, so they are never older than the nodes.`,
    details: {
      risks: [{ risk: 'sentinel-older-than-nodes', sentinel: labelOf(s), newestNode: labelOf(newestNode) }],
    },
  };
}

function mixedMajors(view: View, since: number, limit: number): Finding {
  const groups = releaseGroups({ nodes: view.snapshot.nodes, sentinels: [] });
  const text = groups.map((g) => `${g.label} on ${g.nodes.join(', ')}`).join('; ');
  return {
    code: 'CONFIG_RISK',
    severity: 'warning',
    subject: DEPLOYMENT_SUBJECT,
    message: `The data nodes have run different major versions for ${formatDuration(view.now - since)} (${text}), longer than a rolling upgrade takes (${formatDuration(limit)}): an upgrade left half-done. A replica cannot sync from a master of a newer major version, so the next failover can leave replicas that never catch up. Finish the upgrade (replicas first, then SENTINEL FAILOVER, then the old master) or roll it back.`,
    details: {
      risks: [
        {
          risk: 'mixed-major-versions',
          since: new Date(since).toISOString(),
          releases: groups.map((g) => ({ server: g.label, nodes: g.nodes })),
        },
      ],
    },
  };
}

/**
 * One CONFIG_RISK per subject (incidents are keyed by code + subject): a version risk about a subject
 * that config-risk.ts also reports is appended to that finding.
 */
export function mergeConfigRisks(findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const i = out.findIndex(
      (o) => o.code === 'CONFIG_RISK' && f.code === 'CONFIG_RISK' && o.subject === f.subject,
    );
    if (i === -1) {
      out.push(f);
      continue;
    }
    const risks = (x: Finding): unknown[] => (Array.isArray(x.details?.risks) ? x.details.risks : []);
    out[i] = {
      ...out[i],
      message: `${out[i].message} Also: ${f.message}`,
      details: { ...out[i].details, risks: [...risks(out[i]), ...risks(f)] },
    };
  }
  return out;
}
