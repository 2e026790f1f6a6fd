// Which server a node or sentinel is: its flavour (Redis or Valkey) and its own version. Valkey 8
// answers `redis_version:7.2.4` for client compatibility and its own version in `valkey_version`
// (and `server_name:valkey`), so `redis_version` alone would show every Valkey as Redis 7.2.4.
// Pure: INFO fields or a `--version` banner in, plain data out.

import { DEPLOYMENT_SUBJECT, nodeSubject, sentinelSubject } from './detect/codes';
import { formatAddress, type Snapshot } from './types';

/** `redis`, `valkey`, or what a server's `server_name` says it is. */
export type ServerFlavour = string;

export interface ServerRelease {
  readonly flavour: ServerFlavour;
  /** The server's own version (`valkey_version` on Valkey, `redis_version` on Redis). */
  readonly version: string;
}

type Fields = Readonly<Record<string, string>>;

/** Flavour and own version from `INFO server` fields; null when the reply carries no version. */
export function releaseFromInfo(fields: Fields): ServerRelease | null {
  const name = fields.server_name?.trim().toLowerCase();
  const valkey = fields.valkey_version;
  if (valkey !== undefined && valkey !== '') return { flavour: name || 'valkey', version: valkey };
  const redis = fields.redis_version;
  if (redis === undefined || redis === '') return null;
  return { flavour: name || 'redis', version: redis };
}

/**
 * Flavour and version from `redis-server --version` / `valkey-server --version`:
 * `Redis server v=5.0.14 sha=...`, `Valkey server v=8.0.1 sha=...`. Null when it is neither.
 */
export function releaseFromBanner(text: string): ServerRelease | null {
  const match = /^\s*(\w+) server v=(\d+\.\d+\.\d+)/i.exec(text);
  return match ? { flavour: match[1].toLowerCase(), version: match[2] } : null;
}

/** `valkey 8.0.1`, `redis 5.0.14`. */
export const serverLabel = (id: ServerRelease): string => `${id.flavour} ${id.version}`;

/**
 * The release of a snapshot's node (`server`) or sentinel. Snapshots stored before the flavour was
 * read have only `version` (always `redis_version` then): they count as Redis.
 */
export function releaseOf(
  x: { readonly version: string | null; readonly flavour?: string | null } | null | undefined,
): ServerRelease | null {
  if (!x || x.version === null || x.version === '') return null;
  return { flavour: x.flavour || 'redis', version: x.version };
}

/** `redis 7.0.15`, or null when the version is unknown. */
export const labelOf = (x: Parameters<typeof releaseOf>[0]): string | null => {
  const release = releaseOf(x);
  return release === null ? null : serverLabel(release);
};

/** `[major, minor, patch]` of `7.2.4` (missing parts are 0), or null for anything else. */
export function versionParts(version: string): [number, number, number] | null {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!match) return null;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/** Negative, zero or positive like a sort comparator; unparseable versions sort first. */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  if (pa === null || pb === null) return (pa === null ? 0 : 1) - (pb === null ? 0 : 1);
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/**
 * The Redis version whose features a server has, to compare servers of both flavours: Redis is its
 * own; Valkey forked Redis 7.2.4 and every Valkey release has (at least) its features.
 */
export function redisCompatibleVersion(id: ServerRelease): string {
  if (id.flavour !== 'valkey') return id.version;
  return compareVersions(id.version, '7.2.4') >= 0 ? '7.2.4' : id.version;
}

/** The server has the features of Redis `since` (e.g. `6.2.0`). */
export const hasRedisFeaturesOf = (id: ServerRelease, since: string): boolean =>
  compareVersions(redisCompatibleVersion(id), since) >= 0;

/** `redis 7`, `valkey 8`: what a rolling upgrade changes. Null when the version does not parse. */
export function majorLine(id: ServerRelease): string | null {
  const parts = versionParts(id.version);
  return parts === null ? null : `${id.flavour} ${parts[0]}`;
}

/** One server release found in a deployment, and who runs it. */
export interface ReleaseGroup {
  readonly label: string;
  readonly release: ServerRelease;
  /** `host:port` of the data nodes and of the sentinels that run it. */
  readonly nodes: readonly string[];
  readonly sentinels: readonly string[];
}

/**
 * The releases a snapshot's servers run, oldest first (by the Redis features they have, then by
 * label). More than one group is a deployment in the middle of an upgrade, or one left half-done.
 */
export function releaseGroups(snapshot: Pick<Snapshot, 'nodes' | 'sentinels'>): ReleaseGroup[] {
  const groups = new Map<string, { release: ServerRelease; nodes: string[]; sentinels: string[] }>();
  const add = (release: ServerRelease | null, address: string, kind: 'nodes' | 'sentinels') => {
    if (release === null) return;
    const label = serverLabel(release);
    const group = groups.get(label) ?? { release, nodes: [], sentinels: [] };
    group[kind].push(address);
    groups.set(label, group);
  };
  for (const n of snapshot.nodes) add(releaseOf(n.server), formatAddress(n), 'nodes');
  for (const s of snapshot.sentinels) add(releaseOf(s), formatAddress(s), 'sentinels');
  return [...groups]
    .map(([label, g]) => ({ label, ...g }))
    .sort(
      (a, b) =>
        compareVersions(redisCompatibleVersion(a.release), redisCompatibleVersion(b.release)) ||
        compareVersions(a.release.version, b.release.version) ||
        a.label.localeCompare(b.label),
    );
}

/**
 * What an alert about `subject` says the server runs: `{ serverVersion: 'valkey 8.0.1' }` for a node
 * or sentinel (from the previous snapshot when it is down now), `{ serverVersions: 'redis 6.2.16,
 * redis 7.2.6' }` for the deployment; nothing when unknown.
 */
export function releaseDetails(
  subject: string,
  snapshot: Pick<Snapshot, 'nodes' | 'sentinels'>,
  previous: Pick<Snapshot, 'nodes' | 'sentinels'> | null,
): { serverVersion?: string; serverVersions?: string } {
  if (subject === DEPLOYMENT_SUBJECT) {
    const groups = releaseGroups(snapshot);
    return groups.length === 0 ? {} : { serverVersions: groups.map((g) => g.label).join(', ') };
  }
  for (const s of [snapshot, previous]) {
    if (s === null) continue;
    const node = s.nodes.find((n) => nodeSubject(n) === subject);
    const sentinel = s.sentinels.find((x) => sentinelSubject(x) === subject);
    const label = node ? labelOf(node.server) : sentinel ? labelOf(sentinel) : null;
    if (label !== null) return { serverVersion: label };
  }
  return {};
}
