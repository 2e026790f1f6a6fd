// `drill history` and `drill show`: the drill reports the drill Lambda stored (DRILL# items of the
// table), listed or printed one at a time, or a report saved as JSON (`drill --json`, the Lambda's
// response) turned into its HTML, PNG or Markdown.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDrillReports } from '../../lambdas/adapters/drill-report-reader';
import { createDocumentClient, StoreError } from '../../lambdas/adapters/dynamo-store';
import { type DrillReport, renderDrillReport } from '../../lambdas/core/drill';
import {
  DRILL_HISTORY_HEADERS,
  type DrillReportReader,
  drillHistoryCells,
  drillHistoryRow,
  upgradeReport,
} from '../../lambdas/core/drill/history';
import { UsageError } from '../../lambdas/core/errors';
import { textTable } from '../../lambdas/core/text-table';
import { type CliIo, EXIT } from '../io';
import { toJson } from '../json-output';
import {
  chromiumPng,
  type RenderPng,
  reportFileOptions,
  reportFileOptionsHelp,
  writeReportFiles,
} from '../report-files';
import { required } from './history';

const tableHelp = `  --table NAME                  DynamoDB table the drill Lambda stores reports in (the stack's table)
  --deployment NAME             deployment name, as in the drill's config`;

const awsHelp = `AWS region and credentials come from the usual AWS environment (AWS_REGION, AWS_PROFILE, ...);
AWS_ENDPOINT_URL_DYNAMODB points the command at another endpoint (e.g. a local dynalite).`;

export const drillHistoryHelp = `Usage: sentinel-watch drill history --table NAME --deployment NAME [options]

Lists the stored drill reports of one deployment, newest first: verdict, time to +switch-master, time
until verified, the client's write outage and lost writes, the split-brain window and the old master's
lost writes.

Options:
${tableHelp}
  --limit N                     at most N reports (default 20, max 1000)
  --json                        one JSON object per report per line, nothing else on stdout
  -h, --help                    this text

${awsHelp}

Exit codes: 0 the query ran (even with no reports), 1 DynamoDB failed, 3 usage error.`;

export const drillShowHelp = `Usage: sentinel-watch drill show ID --table NAME --deployment NAME [options]
       sentinel-watch drill show --file REPORT.json [options]

Prints one drill report: a stored one by its id (see "drill history"), or one saved as JSON (the
output of "drill --json", or the drill Lambda's response).

Options:
${tableHelp}
  --file FILE                   read the report from a JSON file instead of the table
  --json                        the report as one JSON object on stdout
${reportFileOptionsHelp}
  -h, --help                    this text

${awsHelp}

Exit codes, as the drill's own: 0 the drill passed, 1 it failed (also: DynamoDB failed, or no report
has that id), 2 it was refused, 3 usage error.`;

export interface DrillReportsDeps {
  readonly reader: (tableName: string) => DrillReportReader;
  readonly renderPng: RenderPng;
}

const defaultDeps: DrillReportsDeps = {
  // Region, credentials and AWS_ENDPOINT_URL_DYNAMODB come from the SDK's default chain.
  reader: (tableName) => new DynamoDrillReports({ client: createDocumentClient(), tableName }),
  renderPng: chromiumPng,
};

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 20;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 1000) {
    throw new UsageError(`--limit: "${text}" must be a whole number from 1 to 1000`);
  }
  return n;
}

/** Runs a read against the table; a StoreError becomes a line on stderr and exit code 1. */
async function reading<T>(io: CliIo, what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    io.err(`sentinel-watch drill ${what}: ${error.message}${cause}`);
    return undefined;
  }
}

export async function drillHistoryCommand(
  argv: readonly string[],
  io: CliIo,
  deps: DrillReportsDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      table: { type: 'string' },
      deployment: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(drillHistoryHelp);
    return EXIT.ok;
  }
  const tableName = required('table', values.table);
  const deployment = required('deployment', values.deployment);
  const limit = parseLimit(values.limit);
  const reports = await reading(io, 'history', () => deps.reader(tableName).list(deployment, limit));
  if (reports === undefined) return EXIT.failed;
  const rows = reports.map(drillHistoryRow);
  if (values.json) {
    for (const row of rows) io.out(toJson(row));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.err(`No drill reports of "${deployment}" in ${tableName}.`);
    return EXIT.ok;
  }
  io.out(textTable(DRILL_HISTORY_HEADERS, rows.map(drillHistoryCells)).join('\n'));
  if (rows.length === limit) io.err(`Showing the newest ${limit} drills; raise --limit for more.`);
  return EXIT.ok;
}

const REPORT_FIELDS = ['id', 'deployment', 'outcome', 'summary', 'checks', 'legs', 'timeline', 'advice'];

/** A saved report, checked enough that rendering it cannot fail half-way. */
export function parseReportFile(text: string, file: string): DrillReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--file: ${file} is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`--file: ${file} holds no JSON object`);
  }
  const record = value as Record<string, unknown>;
  // A Lambda invocation that failed answers {"errorType", "errorMessage"} instead of a report.
  if (typeof record.errorMessage === 'string') {
    throw new UsageError(`--file: ${file} is a Lambda error, not a report: ${record.errorMessage}`);
  }
  const missing = REPORT_FIELDS.filter((f) => !(f in record));
  if (missing.length > 0) {
    throw new UsageError(`--file: ${file} is not a drill report (no ${missing.join(', ')})`);
  }
  for (const f of ['checks', 'legs', 'timeline', 'advice']) {
    if (!Array.isArray(record[f])) throw new UsageError(`--file: ${file}: "${f}" must be an array`);
  }
  return value as DrillReport;
}

export async function drillShowCommand(
  argv: readonly string[],
  io: CliIo,
  deps: DrillReportsDeps = defaultDeps,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      table: { type: 'string' },
      deployment: { type: 'string' },
      file: { type: 'string' },
      json: { type: 'boolean' },
      ...reportFileOptions,
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.out(drillShowHelp);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`one report id at a time (got ${positionals.join(' ')})`);
  const id = positionals[0];
  let report: DrillReport | null | undefined;
  if (values.file !== undefined) {
    if (id !== undefined) throw new UsageError('give either a report ID or --file, not both');
    let text: string;
    try {
      text = readFileSync(values.file, 'utf8');
    } catch (error) {
      throw new UsageError(`--file: cannot read ${values.file} (${(error as Error).message})`, {
        cause: error,
      });
    }
    report = parseReportFile(text, values.file);
  } else {
    if (id === undefined) throw new UsageError('which report? give its ID (see "drill history") or --file');
    const tableName = required('table', values.table);
    const deployment = required('deployment', values.deployment);
    report = await reading(io, 'show', () => deps.reader(tableName).get(deployment, id));
    if (report === undefined) return EXIT.failed;
    if (report === null) {
      io.err(`sentinel-watch drill show: no drill report "${id}" of "${deployment}" in ${tableName}`);
      return EXIT.failed;
    }
  }
  // Stored reports live a year: one made by an older version gets today's fields before rendering.
  report = upgradeReport(report);
  io.out(values.json ? toJson(report) : renderDrillReport(report));
  await writeReportFiles(report, values, io, deps.renderPng);
  // The drill's own codes (drill.ts drillExitCode), so a pipeline reads a stored report like a run.
  return report.passed ? EXIT.ok : report.outcome === 'refused' ? EXIT.refused : EXIT.failed;
}
