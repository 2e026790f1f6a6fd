import type { CliIo } from '../../cli/io';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { main } from '../../cli/main';
import { DynamoDrillReports } from '../../lambdas/adapters/drill-report-reader';
import { createDocumentClient } from '../../lambdas/adapters/dynamo-store';
import type { DrillReport } from '../../lambdas/core/drill';
import { realDrillReport } from '../fixtures/drill/report';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'sentinel-watch-drills-it';
const real = realDrillReport();

/** The fixture as another drill of `deployment`, `minutes` after it. */
const drillAt = (deployment: string, minutes: number, patch: Partial<DrillReport> = {}): DrillReport => {
  const start = new Date(Date.parse(real.startedAt) + minutes * 60_000);
  const stamp = start.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  return {
    ...real,
    deployment,
    id: `drill-${stamp}-${String(minutes).padStart(6, '0')}`,
    startedAt: start.toISOString(),
    ...patch,
  };
};

let dynamo: EmbeddedDynamo;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo(TABLE);
  const env = {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  // What the drill Lambda stores, plus neighbours that must not show up: another deployment's drill,
  // a snapshot and the drill lock of the same deployment.
  for (const r of [
    drillAt('it-history', 0),
    drillAt('it-history', 60, { passed: false, outcome: 'failed', summary: 'FAILED: replicas-attached' }),
    drillAt('it-history', 120),
    drillAt('it-other', 30),
  ]) {
    await dynamo.store.putDrillReport(r.deployment, r, r.startedAt, 365);
  }
  await dynamo.store.putDrillReport(
    'it-history',
    { ...drillAt('it-history', 200), id: 'custom-id' },
    drillAt('it-history', 200).startedAt,
    365,
  );
  await dynamo.store.acquireLock('it-history', { owner: 'someone', ttlMs: 60_000, now: Date.now() });
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await dynamo?.close();
});

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: process.env };
  return { io, out, err };
};

describe('Class: DynamoDrillReports', () => {
  const reader = () =>
    new DynamoDrillReports({ client: createDocumentClient(), tableName: TABLE, pageSize: 1 });

  it("lists one deployment's reports newest first, across pages, and nothing else of the partition", async () => {
    // Act
    const all = await reader().list('it-history', 100);
    const two = await reader().list('it-history', 2);

    // Assess
    expect(all.map((r) => r.id)).toEqual([
      'custom-id',
      drillAt('it-history', 120).id,
      drillAt('it-history', 60).id,
      drillAt('it-history', 0).id,
    ]);
    expect(two.map((r) => r.id)).toEqual(['custom-id', drillAt('it-history', 120).id]);
    expect(all[0]).toEqual({ ...drillAt('it-history', 200), id: 'custom-id' });
  });

  it('finds a report by its id, also an id that names no start time', async () => {
    // Act
    const byTime = await reader().get('it-history', drillAt('it-history', 60).id);
    const custom = await reader().get('it-history', 'custom-id');
    const otherDeployment = await reader().get('it-history', drillAt('it-other', 30).id);

    // Assess
    expect(byTime).toMatchObject({ outcome: 'failed', id: drillAt('it-history', 60).id });
    expect(custom?.id).toBe('custom-id');
    expect(otherDeployment).toBeNull();
  });
});

describe('Command: sentinel-watch drill history / show (dynalite via AWS_ENDPOINT_URL_DYNAMODB)', () => {
  it('lists the stored drills', async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const code = await main(
      ['drill', 'history', '--table', TABLE, '--deployment', 'it-history', '--json'],
      io,
    );

    // Assess
    expect(code).toBe(0);
    const rows = out.map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.outcome, r.acknowledgedWritesLost])).toEqual([
      ['passed', 1057],
      ['passed', 1057],
      ['failed', 1057],
      ['passed', 1057],
    ]);
  });

  it('shows one drill, and exits 1 for a failed one', async () => {
    // Prepare
    const passed = capture();
    const failed = capture();

    // Act
    const ok = await main(
      ['drill', 'show', drillAt('it-history', 0).id, '--table', TABLE, '--deployment', 'it-history'],
      passed.io,
    );
    const bad = await main(
      ['drill', 'show', drillAt('it-history', 60).id, '--table', TABLE, '--deployment', 'it-history'],
      failed.io,
    );

    // Assess
    expect(ok).toBe(0);
    expect(passed.out.join('\n')).toContain('Failover drill of it-history');
    expect(bad).toBe(1);
    expect(failed.out.join('\n')).toContain('FAILED: replicas-attached');
  });

  it('fails with the DynamoDB error for a missing table', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const code = await main(['drill', 'history', '--table', 'no-such-table', '--deployment', 'x'], io);

    // Assess
    expect(code).toBe(1);
    expect(err[0]).toMatch(
      /DynamoDB Query \(drill list\) on table "no-such-table" failed: ResourceNotFoundException/,
    );
  });
});
