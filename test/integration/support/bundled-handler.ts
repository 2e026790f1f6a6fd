// The Lambda handlers as they ship: bundled by esbuild with the options lib/constructs/watcher-function.ts
// gives NodejsFunction (everything bundled, the AWS SDK included, minified, CommonJS), then loaded and
// invoked in a separate Node process with only the environment a test gives it, the way the Lambda
// runtime loads them. The child reports how the invocation ended, how long it took and its memory peak;
// a test that hangs is killed and reported as such.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..', '..', '..');

export interface Bundles {
  /** Path of the bundle built from `entry` (e.g. `lambdas/poller/handler.ts`). */
  readonly path: (entry: string) => string;
  readonly cleanup: () => void;
}

/** Builds each entry into its own directory of a temporary folder (about 1-2 s per entry). */
export async function buildBundles(entries: readonly string[]): Promise<Bundles> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-bundles-'));
  const out = (entry: string) => join(dir, entry.replace(/[/.]/g, '_'), 'index.js');
  await Promise.all(
    entries.map((entry) =>
      build({
        entryPoints: [join(ROOT, entry)],
        outfile: out(entry),
        bundle: true,
        platform: 'node',
        // Lambda runs node24; these tests run on the local Node, so target it.
        target: `node${process.versions.node.split('.')[0]}`,
        format: 'cjs',
        minify: true,
        keepNames: true,
        sourcemap: 'external',
        logLevel: 'warning',
      }),
    ),
  );
  writeFileSync(join(dir, 'invoke.js'), INVOKER);
  return {
    path: (entry) => {
      if (!entries.includes(entry)) throw new Error(`${entry} was not built`);
      return out(entry);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// Loads the bundle, invokes `handler(event, context)` once, and prints one RESULT line last.
const INVOKER = `
const [bundle, eventJson, remainingMs] = process.argv.slice(2);
const { handler } = require(bundle);
const started = Date.now();
const deadline = started + Number(remainingMs);
const context = {
  awsRequestId: 'req-' + process.pid,
  functionName: 'bundle-test',
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const finish = (outcome) => {
  const line = JSON.stringify({ ...outcome, elapsedMs: Date.now() - started, maxRssKb: process.resourceUsage().maxRSS });
  process.stdout.write('\\nRESULT ' + line + '\\n', () => process.exit(0));
};
handler(JSON.parse(eventJson), context).then(
  (result) => finish({ outcome: 'returned', result }),
  (error) => finish({ outcome: 'threw', error: { name: error && error.name, message: String(error && error.message) } }),
);
`;

export interface Invocation {
  /** `killed`: still running when the test's patience ran out; `crashed`: exited without a result. */
  readonly outcome: 'returned' | 'threw' | 'killed' | 'crashed';
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** From the handler call to its end (module load excluded); for `killed`, the test's patience. */
  readonly elapsedMs: number;
  readonly maxRssKb: number | null;
  /** The structured log lines (one JSON object per line), stdout's then stderr's. */
  readonly logs: readonly Record<string, unknown>[];
  readonly stdout: string;
  readonly stderr: string;
}

export interface InvokeOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly event?: unknown;
  /** What `context.getRemainingTimeInMillis()` starts from: the function's timeout. */
  readonly remainingMs: number;
  /** Kill the process after this long (default remainingMs + 10 s): a hang fails, it does not block. */
  readonly killAfterMs?: number;
}

/** Invokes a bundled handler once in a fresh Node process (a cold start). */
export async function invokeBundle(bundle: string, options: InvokeOptions): Promise<Invocation> {
  const invoker = join(bundle, '..', '..', 'invoke.js');
  const child = spawn(
    process.execPath,
    [invoker, bundle, JSON.stringify(options.event ?? {}), String(options.remainingMs)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const patience = options.killAfterMs ?? options.remainingMs + 10_000;
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, patience);
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  clearTimeout(timer);
  // Powertools writes info and warn to stdout, error to stderr.
  const logs = `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const resultLine = stdout.split('\n').find((line) => line.startsWith('RESULT '));
  if (killed || !resultLine) {
    return {
      outcome: killed ? 'killed' : 'crashed',
      elapsedMs: patience,
      maxRssKb: null,
      logs,
      stdout,
      stderr,
    };
  }
  const parsed = JSON.parse(resultLine.slice('RESULT '.length)) as Omit<
    Invocation,
    'logs' | 'stdout' | 'stderr'
  >;
  return { ...parsed, logs, stdout, stderr };
}

/** The log lines with this message. */
export const logsWith = (invocation: Invocation, message: string): Record<string, unknown>[] =>
  invocation.logs.filter((l) => l.message === message);
