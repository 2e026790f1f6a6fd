// Lambda bundles: each entry bundled with esbuild the way the CDK stack does it
// (lib/constructs/watcher-function.ts: bundle everything, AWS SDK included, minify, CJS, target
// node24, external source map without sources), then the size of the bundle and the time a fresh
// `node` takes to load it: `node -e "require(bundle)"` minus `node -e ""`, median of N runs each,
// interleaved. Also with `--enable-source-maps`, which the stack sets in NODE_OPTIONS. The Lambdas
// validate their environment at module scope, so the children get a valid dummy environment.

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import type { Log } from './lab';
import { median, roundTo } from './stats';

export const LAMBDA_ENTRIES = [
  ['poller', 'lambdas/poller/handler.ts'],
  ['drill', 'lambdas/drill/handler.ts'],
  ['slack', 'lambdas/slack/handler.ts'],
  ['pagerduty', 'lambdas/pagerduty/handler.ts'],
  ['webhook', 'lambdas/webhook/handler.ts'],
] as const;

/** The stack's bundling settings (NodejsFunction `bundling` in lib/constructs/watcher-function.ts). */
export const ESBUILD_SETTINGS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  sourcemap: 'external',
  sourcesContent: false,
  external: [] as string[],
  logLevel: 'warning',
} as const;

export interface BundleOptions {
  readonly runs: number;
}

export interface BundleRow {
  readonly name: string;
  readonly entry: string;
  readonly bytes: number;
  readonly kb: number;
  readonly sourceMapKb: number;
  readonly buildMs: number;
  /** Median load time above an empty `node -e ""`, without and with --enable-source-maps. */
  readonly loadMs: number | null;
  readonly loadMsSourceMaps: number | null;
  readonly loadError: string | null;
}

export interface BundleResult {
  readonly options: BundleOptions;
  readonly settings: typeof ESBUILD_SETTINGS;
  readonly baselineMs: number;
  readonly rows: readonly BundleRow[];
  readonly goal: { readonly met: boolean; readonly text: string };
}

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench';

/** A valid minimal environment so the handlers' module-scope validation passes; no network is used. */
export const BUNDLE_ENV: Readonly<Record<string, string>> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  SENTINEL_WATCH_CONFIG: JSON.stringify({
    deployments: [
      {
        name: 'bench',
        masterName: 'mymaster',
        sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
        passwordSecretArn: SECRET,
      },
    ],
  }),
  SNAPSHOT_TABLE_NAME: 'sentinel-watch-bench',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:sentinel-watch-bench',
  SLACK_WEBHOOK_SECRET_ARN: `${SECRET}-slack`,
  PAGERDUTY_ROUTING_KEY_SECRET_ARN: `${SECRET}-pagerduty`,
  WEBHOOK_NAME: 'bench',
  WEBHOOK_SECRET_ARN: `${SECRET}-webhook`,
};

/** Wall time of one `node [flags] -e code` (ms), and its error output if it failed. */
function timeNode(flags: readonly string[], code: string): { ms: number; error: string | null } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...flags, '-e', code], { env: BUNDLE_ENV, encoding: 'utf8' });
  const ms = performance.now() - t0;
  const failed = r.status !== 0 || r.error;
  return { ms, error: failed ? (r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' ')) : null };
}

export async function benchBundles(root: string, options: BundleOptions, log: Log): Promise<BundleResult> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'sentinel-watch-bench-bundles-'));
  try {
    const built: { name: string; entry: string; file: string; buildMs: number }[] = [];
    for (const [name, entry] of LAMBDA_ENTRIES) {
      const file = path.join(out, name, 'index.js');
      const t0 = performance.now();
      await build({ ...ESBUILD_SETTINGS, entryPoints: [path.join(root, entry)], outfile: file });
      built.push({ name, entry, file, buildMs: roundTo(performance.now() - t0, 0) });
    }
    log(`bundled ${built.length} Lambdas; timing ${options.runs} cold loads of each (plus an empty node)`);
    const flagSets = [[], ['--enable-source-maps']] as const;
    const samples = new Map<string, number[]>();
    const errors = new Map<string, string>();
    const add = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
    for (let i = 0; i < options.runs + 1; i++) {
      for (const [f, flags] of flagSets.entries()) {
        const empty = timeNode(flags, '');
        if (i > 0) add(`empty:${f}`, empty.ms);
        for (const b of built) {
          const r = timeNode(flags, `require(${JSON.stringify(b.file)})`);
          if (r.error) errors.set(b.name, r.error);
          if (i > 0) add(`${b.name}:${f}`, r.ms);
        }
      }
    }
    const baseline = [median(samples.get('empty:0') ?? []), median(samples.get('empty:1') ?? [])];
    const rows: BundleRow[] = [];
    for (const b of built) {
      const bytes = (await stat(b.file)).size;
      const mapBytes = (await stat(`${b.file}.map`)).size;
      const error = errors.get(b.name) ?? null;
      const load = (f: number) =>
        error ? null : roundTo(Math.max(0, median(samples.get(`${b.name}:${f}`) ?? []) - baseline[f]), 1);
      rows.push({
        name: b.name,
        entry: b.entry,
        bytes,
        kb: roundTo(bytes / 1024, 1),
        sourceMapKb: roundTo(mapBytes / 1024, 1),
        buildMs: b.buildMs,
        loadMs: load(0),
        loadMsSourceMaps: load(1),
        loadError: error,
      });
    }
    const bad = rows.filter(
      (r) => r.bytes >= 1024 * 1024 || r.loadMs === null || (r.loadMsSourceMaps ?? r.loadMs) >= 300,
    );
    const biggest = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const slowest = rows.reduce((a, b) => ((b.loadMsSourceMaps ?? 0) > (a.loadMsSourceMaps ?? 0) ? b : a));
    return {
      options,
      settings: ESBUILD_SETTINGS,
      baselineMs: roundTo(baseline[0], 1),
      rows,
      goal: {
        met: bad.length === 0,
        text:
          `largest bundle ${biggest.name} ${biggest.kb} KB (goal < 1024 KB), slowest load ${slowest.name} ` +
          `${slowest.loadMs} ms / ${slowest.loadMsSourceMaps} ms with source maps (goal < 300 ms): ` +
          `${bad.length === 0 ? 'met' : `NOT met (${bad.map((r) => r.name).join(', ')})`}`,
      },
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
