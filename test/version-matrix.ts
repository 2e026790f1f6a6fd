// The version matrix: which integration suites `npm run test:versions` runs on which server build.
// This is the one place to change: a new suite that touches server behaviour is one more line in
// SERVER_SUITES (a path under test/integration; `*` matches within one path segment).
//
// `npm test` already runs every suite on the system's redis-server (Debian's Redis 7.0.15 in CI).
// The builds come from ../shared/servers (build.sh NAME): see docs/versions.md for what each
// version lacks and how the checks that need it degrade.

/** Suites whose results depend on the server: they start real topologies and poll, fail over, drill. */
export const SERVER_SUITES: readonly string[] = [
  'local-topology.test.ts',
  'server-capabilities.test.ts',
  'probe.test.ts',
  'detection.test.ts',
  'cli.test.ts',
  'poller.test.ts',
  'drill.test.ts',
  'scenarios/*.test.ts',
];

export interface MatrixEntry {
  /** A name `build.sh` knows: `redis-5.0.14`, `valkey-8.0.1`, ... */
  readonly server: string;
  readonly suites: readonly string[];
}

/**
 * Every build runs every server suite. Measured on 2 cores (docs/versions.md has the figures): one
 * build's run takes about as long as `npm test`'s integration project, and four of them plus
 * `npm test`, the synth and `npm ci` stay well under CI's 30 minutes. If that stops being true, drop
 * the slowest suite (drill) from the builds whose drill behaviour is already covered, and say so here.
 */
export const VERSION_MATRIX: readonly MatrixEntry[] = [
  { server: 'redis-5.0.14', suites: SERVER_SUITES },
  { server: 'redis-6.2.16', suites: SERVER_SUITES },
  { server: 'redis-7.2.6', suites: SERVER_SUITES },
  { server: 'valkey-8.0.1', suites: SERVER_SUITES },
];

/**
 * Suites under test/versions that need several builds at once (a deployment on mixed versions). The
 * runner runs them once, after the per-version runs, as the `mixed` entry (`npm run test:versions -- mixed`).
 */
export const MIXED_SUITES: readonly string[] = ['mixed-versions.test.ts'];
