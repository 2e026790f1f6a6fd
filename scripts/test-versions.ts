// `npm run test:versions [-- NAME ...] [--if-available] [--list]`: runs the integration suites of
// test/version-matrix.ts on each server build, one build at a time (REDIS_SERVER points every suite
// at it), then the suites that need several builds at once (`mixed`), and prints a summary with each
// suite's duration. Builds come from `build.sh NAME` in the
// servers folder: $SENTINEL_WATCH_SERVERS, else ../shared/servers next to the repository.
//
//   --if-available  without a servers folder, say so and exit 0 (CI on a machine without them)
//   --list          print the plan (builds and test files) and exit
//   --deadline-at S  (CI) a build whose suites would end after epoch second S, by the estimates of
//                   test/version-matrix.ts, is not started: it is listed as "not run: time budget"
//                   (never as passed), so a slow machine keeps the CI run inside its 30 minutes
//
// The result is also written to .sentinel-watch/version-matrix.json (docs/versions.md's table is
// filled from it).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { releaseFromBanner, serverLabel } from '../lambdas/core/server-version';
import { estimateSeconds, type MatrixEntry, MIXED_SUITES, VERSION_MATRIX } from '../test/version-matrix';

const ROOT = path.resolve(__dirname, '..');
const INTEGRATION = path.join(ROOT, 'test', 'integration');
const MIXED = 'mixed';

/** Test files a suite pattern names, relative to test/integration; `*` matches within one segment. */
export function expandSuite(pattern: string, root = INTEGRATION): string[] {
  const segments = pattern.split('/');
  let found = [''];
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of found) {
      const abs = path.join(root, dir);
      if (!segment.includes('*')) {
        const candidate = path.join(dir, segment);
        if (existsSync(path.join(root, candidate))) next.push(candidate);
        continue;
      }
      if (!existsSync(abs) || !statSync(abs).isDirectory()) continue;
      const re = new RegExp(`^${segment.split('*').map(escapeRegExp).join('[^/]*')}$`);
      for (const name of readdirSync(abs).sort()) {
        const candidate = path.join(dir, name);
        const isDir = statSync(path.join(root, candidate)).isDirectory();
        if (re.test(name) && (last ? !isDir : isDir)) next.push(candidate);
      }
    }
    found = next;
  }
  return found;
}

const escapeRegExp = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function serversDir(): string | null {
  const dir = process.env.SENTINEL_WATCH_SERVERS || path.resolve(ROOT, '..', 'shared', 'servers');
  return existsSync(path.join(dir, 'build.sh')) ? dir : null;
}

interface SuiteResult {
  readonly file: string;
  readonly status: 'passed' | 'failed';
  readonly seconds: number;
  readonly tests: number;
  readonly failedTests: number;
}

interface RunResult {
  readonly server: string;
  readonly release: string | null;
  readonly binary: string | null;
  readonly status: 'passed' | 'failed' | 'not-run' | 'over-budget';
  readonly seconds: number;
  readonly buildSeconds: number;
  readonly suites: readonly SuiteResult[];
  readonly error?: string;
}

function runOne(entry: MatrixEntry, servers: string): RunResult {
  const started = Date.now();
  const files = [...new Set(entry.suites.flatMap((s) => expandSuite(s)))];
  let binary: string;
  try {
    // build.sh prints "building ..." on stderr the first time; the binary's path on stdout.
    binary = execFileSync('bash', [path.join(servers, 'build.sh'), entry.server], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch (err) {
    return notRun(entry, `build.sh ${entry.server} failed: ${(err as Error).message}`);
  }
  const buildSeconds = (Date.now() - started) / 1000;
  const banner = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const release = releaseFromBanner(banner);
  const label = release ? serverLabel(release) : entry.server;
  console.log(`\n== ${label}: ${files.length} suites (${binary})`);

  const run = runJest(entry.server, 'integration', files, { REDIS_SERVER: binary });
  return {
    server: entry.server,
    release: release ? serverLabel(release) : null,
    binary,
    buildSeconds,
    ...run,
    seconds: (Date.now() - started) / 1000 - buildSeconds,
  };
}

/** The suites that need several builds at once (project `versions`, test/versions). */
function runMixed(servers: string): RunResult {
  const started = Date.now();
  console.log(`\n== mixed versions: ${MIXED_SUITES.length} suites`);
  const files = MIXED_SUITES.map((f) => path.join('..', 'versions', f));
  const run = runJest(MIXED, 'versions', files, {
    SENTINEL_WATCH_SERVERS: servers,
    SENTINEL_WATCH_MIXED_VERSIONS: '1',
  });
  return {
    server: MIXED,
    release: null,
    binary: null,
    buildSeconds: 0,
    ...run,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Runs jest on `files` (relative to test/integration) in one project, one file at a time. */
function runJest(
  name: string,
  project: string,
  files: readonly string[],
  env: Readonly<Record<string, string>>,
): Pick<RunResult, 'status' | 'suites' | 'error'> {
  const out = path.join(os.tmpdir(), `sentinel-watch-matrix-${process.pid}-${name}.json`);
  const jest = spawnSync(
    process.execPath,
    [
      require.resolve('jest/bin/jest'),
      ...files.map((f) => path.join('test', 'integration', f)),
      '--selectProjects',
      project,
      '--runTestsByPath',
      '--json',
      '--outputFile',
      out,
    ],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const suites = readSuites(out);
  rmSync(out, { force: true });
  const passed = jest.status === 0 && suites.length === files.length;
  return {
    status: passed ? 'passed' : 'failed',
    suites,
    ...(jest.status === 0 ? {} : { error: `jest exited with ${jest.status ?? jest.signal}` }),
  };
}

function notRun(entry: MatrixEntry, error: string): RunResult {
  console.error(`test:versions: ${error}`);
  const base = { server: entry.server, release: null, binary: null, seconds: 0, buildSeconds: 0 };
  return { ...base, status: 'not-run', suites: [], error };
}

interface JestJson {
  readonly testResults?: readonly {
    readonly name: string;
    readonly status: string;
    readonly startTime: number;
    readonly endTime: number;
    readonly assertionResults?: readonly { readonly status: string }[];
  }[];
}

function readSuites(file: string): SuiteResult[] {
  if (!existsSync(file)) return [];
  const json = JSON.parse(readFileSync(file, 'utf8')) as JestJson;
  return (json.testResults ?? []).map((r) => ({
    file: path.relative(INTEGRATION, r.name),
    status: r.status === 'passed' ? 'passed' : 'failed',
    seconds: Math.round((r.endTime - r.startTime) / 100) / 10,
    tests: r.assertionResults?.length ?? 0,
    failedTests: r.assertionResults?.filter((a) => a.status === 'failed').length ?? 0,
  }));
}

function summary(results: readonly RunResult[]): string {
  const lines = ['', '== version matrix'];
  for (const r of results) {
    const tests = r.suites.reduce((n, s) => n + s.tests, 0);
    const failed = r.suites.reduce((n, s) => n + s.failedTests, 0);
    lines.push(
      `${(r.release ?? r.server).padEnd(14)} ${r.status.toUpperCase().padEnd(8)} ${String(r.suites.length).padStart(2)} suites ` +
        `${String(tests).padStart(3)} tests${failed ? ` (${failed} failed)` : ''}  ${r.seconds.toFixed(0)} s` +
        (r.error ? `  ${r.error}` : ''),
    );
    for (const s of r.suites) {
      lines.push(
        `    ${s.status === 'passed' ? 'ok  ' : 'FAIL'} ${s.file.padEnd(34)} ${s.seconds.toFixed(1)} s`,
      );
    }
  }
  const total = results.reduce((n, r) => n + r.seconds + r.buildSeconds, 0);
  lines.push(`total ${total.toFixed(0)} s`);
  return lines.join('\n');
}

/** `--deadline-at S` (epoch seconds) out of the arguments; null without it. */
function deadlineFrom(argv: string[]): number | null | 'invalid' {
  const i = argv.indexOf('--deadline-at');
  if (i === -1) return null;
  const [, value] = argv.splice(i, 2);
  const at = Number(value);
  return Number.isInteger(at) && at > 0 ? at * 1000 : 'invalid';
}

/** Runs each entry unless its estimate no longer fits before the deadline. */
function runWithin(entries: readonly MatrixEntry[], servers: string, deadline: number | null): RunResult[] {
  return entries.map((e) => {
    const files = [...new Set(e.suites.flatMap((s) => expandSuite(s)))];
    const needs = estimateSeconds(
      files,
      existsSync(path.join(os.homedir(), '.cache', 'redis-servers', e.server)),
    );
    if (deadline !== null && Date.now() + needs * 1000 > deadline) {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const error = `not run: time budget (needs ~${needs} s, ${left} s left before the CI deadline)`;
      console.log(`\n== ${e.server}: ${error}`);
      return {
        server: e.server,
        release: null,
        binary: null,
        status: 'over-budget',
        seconds: 0,
        buildSeconds: 0,
        suites: [],
        error,
      };
    }
    return runOne(e, servers);
  });
}

function main(args: readonly string[]): number {
  const argv = [...args];
  const deadline = deadlineFrom(argv);
  if (deadline === 'invalid') {
    console.error('test:versions: --deadline-at: give a whole number of seconds since the epoch');
    return 3;
  }
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknownFlag = [...flags].find((f) => f !== '--if-available' && f !== '--list');
  if (unknownFlag) {
    console.error(
      `test:versions: unknown option ${unknownFlag} (use NAME..., --if-available, --list, --deadline-at S)`,
    );
    return 3;
  }
  const unknown = names.filter((n) => n !== MIXED && !VERSION_MATRIX.some((e) => e.server === n));
  if (unknown.length > 0) {
    const known = [...new Set(VERSION_MATRIX.map((e) => e.server)), MIXED].join(', ');
    console.error(`test:versions: no ${unknown.join(', ')} in test/version-matrix.ts (have: ${known})`);
    return 3;
  }
  const entries = names.length > 0 ? VERSION_MATRIX.filter((e) => names.includes(e.server)) : VERSION_MATRIX;
  const mixed = names.length === 0 || names.includes(MIXED);
  if (flags.has('--list')) {
    for (const e of entries) {
      console.log(`${e.server}: ${[...new Set(e.suites.flatMap((s) => expandSuite(s)))].join(' ')}`);
    }
    if (mixed) console.log(`${MIXED}: ${MIXED_SUITES.map((f) => `../versions/${f}`).join(' ')}`);
    return 0;
  }
  const servers = serversDir();
  if (servers === null) {
    const where = process.env.SENTINEL_WATCH_SERVERS || path.resolve(ROOT, '..', 'shared', 'servers');
    const line = `version matrix skipped: no server builds (no build.sh in ${where}; set SENTINEL_WATCH_SERVERS)`;
    console.log(line);
    return flags.has('--if-available') ? 0 : 2;
  }
  const perVersion = runWithin(entries, servers, deadline);
  // The mixed suite starts three builds at once (~20 s when they are built).
  const mixedFits = deadline === null || Date.now() + 60_000 <= deadline;
  const mixedRun = !mixed
    ? null
    : mixedFits
      ? runMixed(servers)
      : ({
          server: MIXED,
          release: null,
          binary: null,
          status: 'over-budget',
          seconds: 0,
          buildSeconds: 0,
          suites: [],
          error: 'not run: time budget',
        } satisfies RunResult);
  const results = [...perVersion, ...(mixedRun ? [mixedRun] : [])];
  console.log(summary(results));
  const record = path.join(ROOT, '.sentinel-watch');
  mkdirSync(record, { recursive: true });
  writeFileSync(
    path.join(record, 'version-matrix.json'),
    `${JSON.stringify({ finishedAt: new Date().toISOString(), results }, null, 2)}\n`,
  );
  // A build left out for time is said in the summary, but is not a failure of the code under test.
  return results.every((r) => r.status === 'passed' || r.status === 'over-budget') ? 0 : 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
