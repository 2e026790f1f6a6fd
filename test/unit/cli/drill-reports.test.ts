import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drillCommand } from '../../../cli/commands/drill';
import {
  type DrillReportsDeps,
  drillHistoryCommand,
  drillShowCommand,
  parseReportFile,
} from '../../../cli/commands/drill-reports';
import type { CliIo } from '../../../cli/io';
import { StoreError } from '../../../lambdas/adapters/dynamo-store';
import type { DrillReport } from '../../../lambdas/core/drill';
import type { DrillReportReader } from '../../../lambdas/core/drill/history';
import { UsageError } from '../../../lambdas/core/errors';
import { realDrillReport } from '../../fixtures/drill/report';

const real = realDrillReport();
const failed: DrillReport = {
  ...real,
  id: 'drill-20261201T080000Z-aaaaaa',
  startedAt: '2026-12-01T08:00:00.000Z',
  passed: false,
  outcome: 'failed',
  summary: 'FAILED: replicas-attached: 1/2',
  criteriaResults: [
    {
      criterion: 'maxSplitBrainMs',
      limit: 5000,
      measured: 10_071,
      passed: false,
      detail: 'the old master acknowledged writes for 10071 ms after +switch-master',
      fix: 'set min-replicas-to-write 1',
    },
    { criterion: 'maxSwitchMs', limit: 10_000, measured: 1172, passed: true, detail: 'ok', fix: null },
  ],
} as DrillReport;

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: {} };
  return { io, out, err };
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-watch-drill-reports-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A reader over `reports`, newest first, recording what it was asked. */
function fakeDeps(reports: DrillReport[], fail?: Error): DrillReportsDeps & { asked: string[] } {
  const asked: string[] = [];
  const reader = (table: string): DrillReportReader => ({
    list: async (deployment, limit) => {
      asked.push(`list ${table} ${deployment} ${limit}`);
      if (fail) throw fail;
      return reports.filter((r) => r.deployment === deployment).slice(0, limit);
    },
    get: async (deployment, id) => {
      asked.push(`get ${table} ${deployment} ${id}`);
      if (fail) throw fail;
      return reports.find((r) => r.deployment === deployment && r.id === id) ?? null;
    },
  });
  return { reader, renderPng: async () => Buffer.from('PNG'), asked };
}

describe('Command: drill history', () => {
  it('lists the stored drills newest first with verdict, switch, verify and lost writes', async () => {
    // Prepare
    const { io, out } = capture();
    const deps = fakeDeps([{ ...failed, deployment: 'local-7.0' }, real]);

    // Act
    const code = await drillHistoryCommand(['--table', 't', '--deployment', 'local-7.0'], io, deps);

    // Assess
    expect(code).toBe(0);
    expect(deps.asked).toEqual(['list t local-7.0 20']);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toMatch(
      /^STARTED\s+ID\s+RESULT\s+SWITCH\s+VERIFIED\s+OUTAGE\s+CLIENT LOST\s+SPLIT-BRAIN\s+OLD MASTER LOST\s+FAILED CRITERIA$/,
    );
    expect(lines[1]).toMatch(
      /^2026-12-01T08:00:00.000Z\s+drill-20261201T080000Z-aaaaaa\s+FAILED\s+1.2 s\s+21.8 s.*\s+maxSplitBrainMs$/,
    );
    expect(lines[2]).toMatch(/PASSED\s+1.2 s\s+21.8 s\s+183 ms\s+100\s+10.1 s\s+1057\s+-$/);
  });

  it('prints one JSON object per drill with --json', async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const code = await drillHistoryCommand(
      ['--table', 't', '--deployment', 'local-7.0', '--json', '--limit', '5'],
      io,
      fakeDeps([real]),
    );

    // Assess
    expect(code).toBe(0);
    expect(out.map((l) => JSON.parse(l))).toEqual([
      {
        schemaVersion: 1,
        id: real.id,
        startedAt: real.startedAt,
        outcome: 'passed',
        passed: true,
        timeToSwitchMs: real.timeToSwitchMs,
        timeToVerifiedMs: real.timeToVerifiedMs,
        writeOutageMs: 183,
        clientWritesLost: 100,
        splitBrainWindowMs: real.splitBrainWindowMs,
        acknowledgedWritesLost: 1057,
        failedCriteria: [],
        summary: real.summary,
      },
    ]);
  });

  it('says so on stderr when there is none, and fails with the store error', async () => {
    // Prepare
    const empty = capture();
    const broken = capture();

    // Act
    const none = await drillHistoryCommand(['--table', 't', '--deployment', 'x'], empty.io, fakeDeps([]));
    const error = await drillHistoryCommand(
      ['--table', 't', '--deployment', 'x'],
      broken.io,
      fakeDeps([], new StoreError('Query (drill list)', 't', 'ResourceNotFoundException')),
    );

    // Assess
    expect(none).toBe(0);
    expect(empty.err).toEqual(['No drill reports of "x" in t.']);
    expect(error).toBe(1);
    expect(broken.err[0]).toMatch(
      /DynamoDB Query \(drill list\) on table "t" failed: ResourceNotFoundException/,
    );
  });

  it.each([
    [['--deployment', 'x'], '--table NAME is required'],
    [['--table', 't'], '--deployment NAME is required'],
    [
      ['--table', 't', '--deployment', 'x', '--limit', '0'],
      '--limit: "0" must be a whole number from 1 to 1000',
    ],
  ])('rejects %j: %s', async (argv, message) => {
    await expect(drillHistoryCommand(argv, capture().io, fakeDeps([]))).rejects.toThrow(
      new UsageError(message),
    );
  });
});

describe('Command: drill show', () => {
  it('prints a stored report by id and writes its HTML, PNG and Markdown', async () => {
    // Prepare
    const { io, out, err } = capture();
    const deps = fakeDeps([real]);
    const files = { html: join(dir, 'r.html'), png: join(dir, 'r.png'), markdown: join(dir, 'r.md') };

    // Act
    const code = await drillShowCommand(
      [
        real.id,
        '--table',
        't',
        '--deployment',
        'local-7.0',
        '--html',
        files.html,
        '--png',
        files.png,
        '--markdown',
        files.markdown,
      ],
      io,
      deps,
    );

    // Assess
    expect(code).toBe(0);
    expect(deps.asked).toEqual([`get t local-7.0 ${real.id}`]);
    expect(out.join('\n')).toContain(real.summary);
    expect(readFileSync(files.html, 'utf8')).toContain('<section id="picture">');
    expect(readFileSync(files.png, 'utf8')).toBe('PNG');
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/^## ✅ PASSED/);
    expect(err).toEqual([`Wrote ${files.markdown}, ${files.html}, ${files.png}`]);
  });

  it('renders a PNG without --html from a private temporary page', async () => {
    // Prepare
    const { io } = capture();
    let page = '';
    const deps = {
      ...fakeDeps([real]),
      renderPng: async (file: string) => {
        page = readFileSync(file, 'utf8');
        return Buffer.from('PNG');
      },
    };

    // Act
    const code = await drillShowCommand(
      [real.id, '--table', 't', '--deployment', 'local-7.0', '--png', join(dir, 'only.png')],
      io,
      deps,
    );

    // Assess
    expect(code).toBe(0);
    expect(page).toContain('<section id="picture">');
  });

  it('exits 1 for a failed drill and for an unknown id', async () => {
    // Prepare
    const deps = fakeDeps([failed]);
    const missing = capture();

    // Act
    const bad = await drillShowCommand(
      [failed.id, '--table', 't', '--deployment', 'local-7.0', '--json'],
      capture().io,
      deps,
    );
    const none = await drillShowCommand(
      ['drill-nope', '--table', 't', '--deployment', 'local-7.0'],
      missing.io,
      deps,
    );

    // Assess
    expect(bad).toBe(1);
    expect(none).toBe(1);
    expect(missing.err).toEqual([
      'sentinel-watch drill show: no drill report "drill-nope" of "local-7.0" in t',
    ]);
  });

  it('reads a saved report with --file (the output of drill --json or the Lambda)', async () => {
    // Prepare
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(real));
    const { io, out } = capture();

    // Act
    const code = await drillShowCommand(['--file', file, '--json'], io, fakeDeps([]));

    // Assess
    expect(code).toBe(0);
    // The fixture predates pass criteria (schema 1): it is read with today's fields, judged by none
    expect(JSON.parse(out[0])).toEqual({ ...real, schemaVersion: 1, mode: 'failover', criteriaResults: [] });
  });

  it.each([
    ['not JSON', 'not json', 'x.json is not JSON'],
    ['an array', '[1]', 'x.json holds no JSON object'],
    [
      "a Lambda's error",
      '{"errorType":"Error","errorMessage":"Task timed out after 900.00 seconds"}',
      'is a Lambda error, not a report: Task timed out',
    ],
    [
      'another object',
      '{"id":"x"}',
      'is not a drill report (no deployment, outcome, summary, checks, legs, timeline, advice)',
    ],
    ['a report with broken legs', JSON.stringify({ ...real, legs: {} }), '"legs" must be an array'],
  ])('rejects a file holding %s', (_, text, message) => {
    expect(() => parseReportFile(text, 'x.json')).toThrow(message);
  });

  it.each([
    [[], 'which report? give its ID (see "drill history") or --file'],
    [['a', 'b'], 'one report id at a time (got a b)'],
    [['a', '--file', 'f.json'], 'give either a report ID or --file, not both'],
    [['a', '--deployment', 'x'], '--table NAME is required'],
  ])('rejects %j', async (argv, message) => {
    await expect(drillShowCommand(argv, capture().io, fakeDeps([]))).rejects.toThrow(message);
  });
});

describe('Command: drill (subcommands)', () => {
  it('routes "history" and "show" to their commands', async () => {
    // Prepare
    const history = capture();
    const show = capture();

    // Act
    await drillCommand(['history', '--help'], history.io);
    await drillCommand(['show', '--help'], show.io);

    // Assess
    expect(history.out[0]).toMatch(/^Usage: sentinel-watch drill history/);
    expect(show.out[0]).toMatch(/^Usage: sentinel-watch drill show ID/);
  });

  it('lists the report files in its help', async () => {
    const { io, out } = capture();
    await drillCommand(['--help'], io);
    expect(out[0]).toContain('--png FILE');
    expect(out[0]).toContain('sentinel-watch drill history --table NAME --deployment NAME [--json]');
  });
});
