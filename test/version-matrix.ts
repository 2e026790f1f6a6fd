// The version matrix: which integration suites `npm run test:versions` runs on which server build.
// This is the one place to change: a suite is a path under test/integration (`*` matches within one
// path segment), so adding one to a version is one line.
//
// `npm test` already runs every suite on the system's redis-server (Debian's Redis 7.0.15 in CI).
// The builds come from ../shared/servers (build.sh NAME); docs/versions.md says what each version
// lacks and how the checks that need it degrade.

/** The local topology itself, and the capability table checked against the running server. */
const FOUNDATION = ['local-topology.test.ts', 'server-capabilities.test.ts'];
/** Reading servers, and `check`/`watch`/`local` as users run them. */
const PROBING = ['probe.test.ts', 'cli.test.ts'];
/** Incidents from real faults, watch's event-driven polls. */
const DETECTION = ['detection.test.ts'];
/** Real failovers under writers: the drill (the slowest suite, ~85 s). */
const DRILL = ['drill.test.ts'];
/** The poller's core with dynalite and an SNS stand-in (~32 s). */
const POLLER = ['poller.test.ts'];
/**
 * Scenario suites that pass on Redis 5.0 and cost little (~35 s together; readonly-clients is 3 s
 * there, where it degrades to "not checked", and ~60 s where INFO errorstats exists). The others set
 * up their faults with 7.x-only commands (multi-parameter CONFIG SET, busy-reply-threshold,
 * rdb-key-save-delay) or take minutes: add them per version once they run there.
 */
const OLD_SERVER_SCENARIOS = [
  'scenarios/quorum.test.ts',
  'scenarios/lag.test.ts',
  'scenarios/readonly-clients.test.ts',
  'scenarios/failover-target.test.ts',
];
const SCENARIOS = ['scenarios/quorum.test.ts', 'scenarios/lag.test.ts', 'scenarios/failover-target.test.ts'];

export interface MatrixEntry {
  /** A name `build.sh` knows: `redis-5.0.14`, `valkey-8.0.1`, ... */
  readonly server: string;
  readonly suites: readonly string[];
}

/**
 * What runs where, in the order it runs. CI gives the matrix what is left of its 30 minutes after
 * `npm test` (`--deadline-at`): an entry that no longer fits is not started and is named as such. So
 * every version's core comes first (the topology, the capability table, reading, the CLI; detection on
 * the two most different servers, Redis 5.0 and Valkey), then the slow suites: everything else on
 * Redis 5.0, the oldest and the most different; the drill and scenarios on Valkey 8, the other
 * flavour; detection on 6.2. 7.2 runs its core only: Debian's 7.0.15 covers 7.x in full in `npm test`.
 */
export const VERSION_MATRIX: readonly MatrixEntry[] = [
  { server: 'redis-5.0.14', suites: [...FOUNDATION, ...PROBING, ...DETECTION] },
  { server: 'valkey-8.0.1', suites: [...FOUNDATION, ...PROBING, ...DETECTION] },
  { server: 'redis-6.2.16', suites: [...FOUNDATION, ...PROBING] },
  { server: 'redis-7.2.6', suites: [...FOUNDATION, ...PROBING] },
  { server: 'redis-5.0.14', suites: [...DRILL, ...POLLER, ...OLD_SERVER_SCENARIOS] },
  { server: 'valkey-8.0.1', suites: [...DRILL, ...SCENARIOS] },
  { server: 'redis-6.2.16', suites: [...DETECTION] },
];

/**
 * Suites under test/versions that need several builds at once (a deployment on mixed versions). The
 * runner runs them once, after the per-version runs, as the `mixed` entry (`npm run test:versions -- mixed`).
 */
export const MIXED_SUITES: readonly string[] = ['mixed-versions.test.ts'];

/**
 * What a suite takes on the 2-core CI machine, measured (docs/versions.md, "CI time"); a suite not
 * listed counts as DEFAULT_SUITE_SECONDS. `npm run test:versions -- --deadline-at` uses these to
 * leave out a build that would end after the CI's deadline, rather than overrun it.
 */
const SUITE_SECONDS: Readonly<Record<string, number>> = {
  'drill.test.ts': 90,
  'local-topology.test.ts': 35,
  'scenarios/lag.test.ts': 25,
  'scenarios/readonly-clients.test.ts': 60,
};
const DEFAULT_SUITE_SECONDS = 20;
/** Jest's start per build, and build.sh on a cold cache (about a minute each, 5.0.14 in 36 s). */
const START_SECONDS = 10;
const BUILD_SECONDS = 75;

/** The estimated seconds for these suite files (relative to test/integration) on one build. */
export function estimateSeconds(files: readonly string[], built: boolean): number {
  const suites = files.reduce((n, f) => n + (SUITE_SECONDS[f] ?? DEFAULT_SUITE_SECONDS), 0);
  return START_SECONDS + (built ? 0 : BUILD_SECONDS) + suites;
}
