import { parseArgs } from 'node:util';
import { AWS_LIMITS, clientConfig } from '../../lambdas/adapters/aws-clients';
import { createDocumentClient, DynamoStore, StoreError } from '../../lambdas/adapters/dynamo-store';
import { UsageError } from '../../lambdas/core/errors';
import { maxLagBytes, type SnapshotRecord, worstSeverity } from '../../lambdas/core/snapshot-record';
import type { SnapshotStore } from '../../lambdas/core/store-ports';
import { textTable } from '../../lambdas/core/text-table';
import { isDurationWithUnit, parseDuration } from '../duration';
import { type CliIo, EXIT } from '../io';
import { toJson } from '../json-output';

export const historyHelp = `Usage: sentinel-watch history --table NAME --deployment NAME [options]

Prints the snapshots the poller stored for one deployment, oldest first.

Options:
  --table NAME          DynamoDB table the poller writes (the stack's SnapshotTableName output)
  --deployment NAME     deployment name, as in the poller's config
  --since WHEN          start of the range: a duration back from --until (90s, 30m, 1h, 2d)
                        or an ISO-8601 time (default 1h)
  --until ISO           end of the range (default now)
  --limit N             at most N snapshots, the newest of the range (default 100, max 10000)
  --json                one stored record per line, nothing else on stdout
  -h, --help            this text

AWS region and credentials come from the usual AWS environment (AWS_REGION, AWS_PROFILE, ...);
AWS_ENDPOINT_URL_DYNAMODB points the command at another endpoint (e.g. a local dynalite).
Each DynamoDB request gives up after ${AWS_LIMITS.cliDynamodb.callTimeoutMs / 1000} s (retries included): an endpoint that never answers is an
error, not a hang.

Exit codes: 0 the query ran (even with no snapshots), 1 DynamoDB failed, 3 usage error.`;

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_LIMIT = 10_000;

function parseIso(flag: string, text: string): number {
  const ms = ISO.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(`--${flag}: "${text}" is not an ISO-8601 time (e.g. 2025-01-31T08:00:00Z)`);
  return ms;
}

/** `--since`: a duration back from `end` (`30m`, `1h`, `2d`, `90s`) or an ISO-8601 time. */
export function parseSince(text: string, end: number): number {
  const trimmed = text.trim();
  if (isDurationWithUnit(trimmed)) {
    return end - parseDuration(trimmed, { flag: '--since', plainUnit: null, minMs: 1000, maxMs: Infinity });
  }
  if (!ISO.test(trimmed)) {
    throw new UsageError(`--since: "${text}" is neither a duration (30m, 1h, 2d) nor an ISO-8601 time`);
  }
  return parseIso('since', trimmed);
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 100;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new UsageError(`--limit: "${text}" must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${flag} NAME is required`);
  return value.trim();
}

export interface HistoryQuery {
  readonly table: string;
  readonly deployment: string;
  readonly from: string;
  readonly to: string;
  readonly limit: number;
  readonly json: boolean;
}

/** Validates the flags into a query; throws UsageError naming the flag. */
export function historyQueryFrom(
  values: {
    readonly table?: string;
    readonly deployment?: string;
    readonly since?: string;
    readonly until?: string;
    readonly limit?: string;
    readonly json?: boolean;
  },
  now: number,
): HistoryQuery {
  const tableName = required('table', values.table);
  const deployment = required('deployment', values.deployment);
  const to = values.until === undefined ? now : parseIso('until', values.until.trim());
  const from = parseSince(values.since ?? '1h', to);
  if (from > to) {
    throw new UsageError(
      `--since (${new Date(from).toISOString()}) is after --until (${new Date(to).toISOString()})`,
    );
  }
  return {
    table: tableName,
    deployment,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    limit: parseLimit(values.limit),
    json: values.json === true,
  };
}

const dash = '-';

export function formatBytes(n: number | null): string {
  if (n === null) return dash;
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const upOf = (items: readonly { readonly reachable: boolean }[]): string =>
  `${items.filter((i) => i.reachable).length}/${items.length}`;

/** One line per record: time, master, status, nodes and sentinels up, max lag, finding codes. */
export function renderHistory(records: readonly SnapshotRecord[]): string {
  const rows = records.map((r) => {
    const worst = worstSeverity(r);
    // A finding a silence covered is recorded all the same, marked: "REPLICA_LAGGING (silenced)".
    const codes = [...new Set(r.findings.map((f) => `${f.code}${f.silencedBy ? ' (silenced)' : ''}`))];
    return [
      r.takenAt,
      `${r.master ?? 'unknown'}${r.unanimous ? '' : ' (split)'}`,
      worst === null ? 'OK' : worst.toUpperCase(),
      upOf(r.nodes),
      upOf(r.sentinels),
      formatBytes(maxLagBytes(r)),
      codes.length === 0 ? dash : codes.join(','),
    ];
  });
  return textTable(['TIME', 'MASTER', 'STATUS', 'NODES', 'SENTINELS', 'MAX LAG', 'FINDINGS'], rows).join(
    '\n',
  );
}

export interface HistoryDeps {
  readonly store: (tableName: string) => SnapshotStore;
  readonly now: () => number;
}

const defaultDeps: HistoryDeps = {
  // Region, credentials and AWS_ENDPOINT_URL_DYNAMODB come from the SDK's default chain; every
  // request has a deadline (the SDK has none by default).
  store: (tableName) =>
    new DynamoStore({
      client: createDocumentClient(clientConfig(AWS_LIMITS.cliDynamodb)),
      tableName,
      callTimeoutMs: AWS_LIMITS.cliDynamodb.callTimeoutMs,
    }),
  now: Date.now,
};

export async function historyCommand(
  argv: readonly string[],
  io: CliIo,
  deps: HistoryDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      table: { type: 'string' },
      deployment: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(historyHelp);
    return EXIT.ok;
  }
  const query = historyQueryFrom(values, deps.now());
  let records: SnapshotRecord[];
  try {
    records = await deps
      .store(query.table)
      .history(query.deployment, { from: query.from, to: query.to }, query.limit, { keep: 'newest' });
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    // The operator's own terminal: the SDK's message (no region, expired credentials) is what helps.
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    io.err(`sentinel-watch history: ${error.message}${cause}`);
    return EXIT.failed;
  }
  if (values.json) {
    for (const r of records) io.out(toJson(r));
    return EXIT.ok;
  }
  if (records.length === 0) {
    io.err(`No snapshots of "${query.deployment}" in ${query.table} from ${query.from} to ${query.to}.`);
    return EXIT.ok;
  }
  io.out(renderHistory(records));
  if (records.length === query.limit) {
    io.err(
      `Showing the newest ${query.limit} snapshots of the range; raise --limit or narrow --since for more.`,
    );
  }
  return EXIT.ok;
}
