import {
  formatBytes,
  type HistoryDeps,
  historyCommand,
  historyQueryFrom,
  parseSince,
  renderHistory,
} from '../../../cli/commands/history';
import type { CliIo } from '../../../cli/io';
import { StoreError } from '../../../lambdas/adapters/dynamo-store';
import { UsageError } from '../../../lambdas/core/errors';
import type { SnapshotRecord } from '../../../lambdas/core/snapshot-record';
import type { SnapshotStore } from '../../../lambdas/core/store-ports';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: {} };
  return { io, out, err };
};

const record = (takenAt: string, patch: Partial<SnapshotRecord> = {}): SnapshotRecord => ({
  deployment: 'prod-cache',
  takenAt,
  expiresAt: 0,
  durationMs: 10,
  master: '10.0.1.61:6379',
  unanimous: true,
  truncated: false,
  nodes: [
    {
      address: '10.0.1.61:6379',
      role: 'master',
      reachable: true,
      error: null,
      offset: 5_000_000,
      lagBytes: null,
      ackAgeSeconds: null,
      link: null,
      follows: null,
    },
    {
      address: '10.0.1.62:6379',
      role: 'replica',
      reachable: true,
      error: null,
      offset: 1_000,
      lagBytes: 4_999_000,
      ackAgeSeconds: 0,
      link: 'up',
      follows: '10.0.1.61:6379',
    },
  ],
  sentinels: [
    {
      address: '10.0.1.61:26379',
      reachable: true,
      error: null,
      master: '10.0.1.61:6379',
      flags: ['master'],
      ckquorumOk: true,
      tilt: false,
    },
  ],
  findings: [],
  ...patch,
});

const fakeStore = (records: SnapshotRecord[]) => {
  const calls: unknown[][] = [];
  const store: SnapshotStore = {
    putSnapshot: async () => {},
    history: async (...args) => {
      calls.push(args);
      return records;
    },
  };
  const tables: string[] = [];
  const deps: HistoryDeps = {
    store: (table) => {
      tables.push(table);
      return store;
    },
    now: () => NOW,
  };
  return { deps, calls, tables };
};

describe('Function: historyQueryFrom', () => {
  it('defaults to the last hour up to now, 100 records', () => {
    // Act
    const q = historyQueryFrom({ table: 'tbl', deployment: 'prod-cache' }, NOW);

    // Assess
    expect(q).toEqual({
      table: 'tbl',
      deployment: 'prod-cache',
      from: '2025-03-01T11:00:00.000Z',
      to: '2025-03-01T12:00:00.000Z',
      limit: 100,
      json: false,
    });
  });

  it('measures a --since duration back from --until, and takes ISO times as given', () => {
    // Act
    const back = historyQueryFrom(
      { table: 't', deployment: 'd', since: '2d', until: '2025-02-20T00:00:00Z', limit: '5' },
      NOW,
    );
    const iso = historyQueryFrom({ table: 't', deployment: 'd', since: '2025-03-01T08:30:00+01:00' }, NOW);

    // Assess
    expect(back).toMatchObject({
      from: '2025-02-18T00:00:00.000Z',
      to: '2025-02-20T00:00:00.000Z',
      limit: 5,
    });
    expect(iso.from).toBe('2025-03-01T07:30:00.000Z');
  });

  it.each([
    [{ deployment: 'd' }, /^--table NAME is required/],
    [{ table: ' ', deployment: 'd' }, /^--table NAME is required/],
    [{ table: 't' }, /^--deployment NAME is required/],
    [{ table: 't', deployment: 'd', since: 'yesterday' }, /^--since: "yesterday" is neither a duration/],
    [{ table: 't', deployment: 'd', since: '1w' }, /^--since: "1w"/],
    [{ table: 't', deployment: 'd', since: '0h' }, /^--since: "0h" is out of range: at least 1s/],
    [{ table: 't', deployment: 'd', since: '2025-13-45' }, /^--since: "2025-13-45" is not an ISO-8601 time/],
    [{ table: 't', deployment: 'd', until: '1h' }, /^--until: "1h" is not an ISO-8601 time/],
    [{ table: 't', deployment: 'd', limit: '0' }, /^--limit: "0" must be a whole number from 1 to 10000/],
    [{ table: 't', deployment: 'd', limit: '2.5' }, /^--limit: "2.5"/],
    [{ table: 't', deployment: 'd', limit: '20000' }, /^--limit: "20000"/],
    [{ table: 't', deployment: 'd', since: '2025-03-02T00:00:00Z' }, /^--since \(.*\) is after --until/],
  ])('rejects %j with a UsageError naming the flag', (values, message) => {
    expect(() => historyQueryFrom(values, NOW)).toThrow(UsageError);
    expect(() => historyQueryFrom(values, NOW)).toThrow(message);
  });
});

describe('Function: parseSince', () => {
  it.each([
    ['90s', NOW - 90_000],
    ['30m', NOW - 1_800_000],
    ['1h', NOW - 3_600_000],
    ['2d', NOW - 172_800_000],
  ])('reads %s as a duration', (text, expected) => {
    expect(parseSince(text, NOW)).toBe(expected);
  });
});

describe('Function: historyCommand', () => {
  it('throws a UsageError for a missing --table before touching DynamoDB', async () => {
    // Prepare
    const { io } = capture();
    const { deps, tables } = fakeStore([]);

    // Act / Assess
    await expect(historyCommand(['--deployment', 'd'], io, deps)).rejects.toThrow(UsageError);
    expect(tables).toEqual([]);
  });

  it('throws a UsageError naming --since for a bad value', async () => {
    // Prepare
    const { io } = capture();

    // Act / Assess
    await expect(
      historyCommand(['--table', 't', '--deployment', 'd', '--since', 'soon'], io, fakeStore([]).deps),
    ).rejects.toThrow(/^--since: "soon"/);
  });

  it('lets parseArgs reject an unknown flag (the dispatcher exits 3)', async () => {
    // Prepare
    const { io } = capture();

    // Act
    const error = await historyCommand(['--table', 't', '--deployment', 'd', '--tabel', 'x'], io).catch(
      (e: unknown) => e,
    );

    // Assess
    expect((error as NodeJS.ErrnoException).code).toBe('ERR_PARSE_ARGS_UNKNOWN_OPTION');
  });

  it('prints help and exits 0', async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const code = await historyCommand(['--help'], io);

    // Assess
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: sentinel-watch history --table NAME --deployment NAME/);
  });

  it('queries the newest records of the range and prints a table', async () => {
    // Prepare
    const { io, out, err } = capture();
    const { deps, calls, tables } = fakeStore([
      record('2025-03-01T11:58:00.000Z'),
      record('2025-03-01T11:59:00.000Z', {
        master: null,
        unanimous: false,
        nodes: [{ ...record('x').nodes[0], reachable: false, error: 'timeout' }],
        findings: [
          { code: 'MASTER_UNREACHABLE', severity: 'critical', subject: 'deployment' },
          { code: 'SENTINELS_DISAGREE', severity: 'warning', subject: 'deployment' },
        ],
      }),
    ]);

    // Act
    const code = await historyCommand(
      ['--table', 'tbl', '--deployment', 'prod-cache', '--since', '30m'],
      io,
      deps,
    );

    // Assess
    expect(code).toBe(0);
    expect(tables).toEqual(['tbl']);
    expect(calls).toEqual([
      [
        'prod-cache',
        { from: '2025-03-01T11:30:00.000Z', to: '2025-03-01T12:00:00.000Z' },
        100,
        { keep: 'newest' },
      ],
    ]);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^TIME\s+MASTER\s+STATUS\s+NODES\s+SENTINELS\s+MAX LAG\s+FINDINGS$/);
    expect(lines[1]).toMatch(
      /^2025-03-01T11:58:00.000Z\s+10\.0\.1\.61:6379\s+OK\s+2\/2\s+1\/1\s+4\.8 MiB\s+-$/,
    );
    expect(lines[2]).toMatch(
      /unknown \(split\)\s+CRITICAL\s+0\/1\s+1\/1\s+-\s+MASTER_UNREACHABLE,SENTINELS_DISAGREE$/,
    );
    expect(err).toEqual([]);
  });

  it('prints JSON lines with --json, each with the schemaVersion first', async () => {
    // Prepare
    const { io, out } = capture();
    const records = [record('2025-03-01T11:58:00.000Z'), record('2025-03-01T11:59:00.000Z')];

    // Act
    await historyCommand(
      ['--table', 't', '--deployment', 'prod-cache', '--json'],
      io,
      fakeStore(records).deps,
    );

    // Assess
    expect(out.map((l) => JSON.parse(l))).toEqual(records.map((r) => ({ schemaVersion: 1, ...r })));
    expect(out[0]).toMatch(/^\{"schemaVersion":1,/);
  });

  it('says so on stderr when the range is empty, and exits 0', async () => {
    // Prepare
    const { io, out, err } = capture();

    // Act
    const code = await historyCommand(['--table', 't', '--deployment', 'd'], io, fakeStore([]).deps);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(/^No snapshots of "d" in t from/);
  });

  it('reports a StoreError with its cause and exits 1', async () => {
    // Prepare
    const { io, err } = capture();
    const failing: HistoryDeps = {
      now: () => NOW,
      store: () => ({
        putSnapshot: async () => {},
        history: async () => {
          throw new StoreError('Query (history)', 't', 'Error', { cause: new Error('Region is missing') });
        },
      }),
    };

    // Act
    const code = await historyCommand(['--table', 't', '--deployment', 'd'], io, failing);

    // Assess
    expect(code).toBe(1);
    expect(err[0]).toBe(
      'sentinel-watch history: DynamoDB Query (history) on table "t" failed: Error\n  cause: Region is missing',
    );
  });
});

describe('Function: renderHistory / formatBytes', () => {
  it('formats byte counts for a terminal', () => {
    expect([null, 0, 1023, 1024, 15 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      '-',
      '0 B',
      '1023 B',
      '1.0 KiB',
      '15 MiB',
      '3.0 GiB',
    ]);
    expect(renderHistory([])).toMatch(/^TIME/);
  });
});
