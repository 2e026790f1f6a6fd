// Server features that some checks need and some versions lack, and which checks a snapshot could
// therefore not make. A check that needs a missing feature must not go quiet as if all were well: it
// is listed in the snapshot's `unavailable`, and `check` prints it under "Not checked".
//
// To gate a check on a feature: give the capability an entry in CAPABILITIES (the Redis version that
// added it, and the error reply that shows it is missing), and add a `Need` to the list the probe
// passes to `capabilityGaps` (lambdas/probe/poll-deployment.ts). docs/versions.md says what each
// version has, as verified on the real binaries by test/integration/server-capabilities.test.ts.

import {
  compareVersions,
  hasRedisFeaturesOf,
  releaseOf,
  type ServerRelease,
  serverLabel,
} from './server-version';
import {
  formatAddress,
  type NodeSnapshot,
  type ProbeError,
  type SentinelSnapshot,
  type Snapshot,
  type UnavailableCheck,
} from './types';

export interface Capability {
  readonly id: string;
  /** What cannot be done without it, as `check` prints it. */
  readonly check: string;
  /** The first Redis version that has it; every Valkey release has the features of Redis 7.2.4. */
  readonly since: string;
  /** An error reply that shows the server lacks it, when its version cannot be read (AUTH failed). */
  readonly refusal?: RegExp;
}

export const CAPABILITIES = {
  aclUsers: {
    id: 'acl-users',
    check: 'ACL users (AUTH <username> <password>)',
    since: '6.0.0',
    // Redis 5 knows only AUTH <password>: two arguments are a syntax error, not a wrong password.
    refusal: /^ERR wrong number of arguments for 'auth' command/i,
  },
  errorstats: {
    id: 'errorstats',
    check: 'error counts per error type (INFO errorstats)',
    since: '6.2.0',
  },
  replicaAnnounced: {
    id: 'replica-announced',
    check: 'replicas hidden from clients (replica-announced in SENTINEL REPLICAS)',
    since: '6.2.0',
  },
  sentinelConfig: {
    id: 'sentinel-config',
    check: "Sentinel's own settings (SENTINEL CONFIG GET)",
    since: '6.2.0',
    refusal: /^ERR Unknown sentinel subcommand 'config'/i,
  },
  sentinelReplicas: {
    id: 'sentinel-replicas',
    check: 'SENTINEL REPLICAS (older servers: SENTINEL SLAVES, which the probe falls back to)',
    since: '5.0.0',
  },
} as const satisfies Record<string, Capability>;

/** A capability some checks need, on the data nodes or on the sentinels. */
export interface Need {
  readonly capability: Capability;
  readonly on: 'node' | 'sentinel';
}

/** Whether a server of `release` has `capability`; null when the release is unknown. */
export function supports(release: ServerRelease | null, capability: Capability): boolean | null {
  return release === null ? null : hasRedisFeaturesOf(release, capability.since);
}

/** The server's error shows it lacks `capability` (its version may be unknown: e.g. AUTH failed). */
export const refuses = (error: ProbeError | null, capability: Capability): boolean =>
  error !== null && capability.refusal?.test(error.message) === true;

const minorOf = (version: string): string => version.split('.').slice(0, 2).join('.');

/**
 * The checks `needs` call for that some servers of the snapshot cannot answer: by version when it is
 * known, else by the server's own refusal. One entry per capability and reason, its servers listed,
 * in the snapshot's `unavailable` form (`check` is the capability's id).
 */
export function capabilityGaps(
  snapshot: Pick<Snapshot, 'nodes' | 'sentinels'>,
  needs: readonly Need[],
): UnavailableCheck[] {
  const out = new Map<string, { check: string; reason: string; servers: string[] }>();
  for (const need of needs) {
    const cap = need.capability;
    const servers: readonly (NodeSnapshot | SentinelSnapshot)[] =
      need.on === 'node' ? snapshot.nodes : snapshot.sentinels;
    for (const server of servers) {
      const release = releaseOf('server' in server ? server.server : server);
      const lacks = supports(release, cap) === false;
      if (!lacks && !refuses(server.error, cap)) continue;
      const why = lacks
        ? `${serverLabel(release!)} does not have it (added in Redis ${minorOf(cap.since)})`
        : `refused as by a server older than Redis ${minorOf(cap.since)} ("${server.error!.message.slice(0, 120)}")`;
      const group = out.get(`${cap.id}|${why}`) ?? {
        check: cap.id,
        reason: `${cap.check}: ${why}`,
        servers: [],
      };
      group.servers.push(`${need.on} ${formatAddress(server)}`);
      out.set(`${cap.id}|${why}`, group);
    }
  }
  return [...out.values()].map((g) => ({
    check: g.check,
    reason: `${g.reason}; on ${g.servers.join(', ')}`,
  }));
}

/** The capabilities the probe itself needs with these credentials (a username means ACL users). */
export function probeNeeds(credentials: {
  readonly username?: string | null;
  readonly sentinelUsername?: string | null;
}): Need[] {
  return [
    ...(credentials.username ? [{ capability: CAPABILITIES.aclUsers, on: 'node' as const }] : []),
    ...(credentials.sentinelUsername ? [{ capability: CAPABILITIES.aclUsers, on: 'sentinel' as const }] : []),
  ];
}

/** Oldest first, for docs and tests: the capabilities in the order the versions gained them. */
export const capabilityList = (): Capability[] =>
  Object.values(CAPABILITIES).sort((a, b) => compareVersions(a.since, b.since) || a.id.localeCompare(b.id));
