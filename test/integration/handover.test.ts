// Two overlapping poller runs of one shard against dynalite (DynamoDB in-process, real conditional
// writes): the previous minute's run is still watching when the next one starts, as the handover
// (lambdas/poller/handover.ts) makes them. A master switch announced around the moment the next run
// starts must be reported exactly once, within a second, and some run must be listening at every
// moment. The sentinels are a stand-in here (a fake pub/sub and scripted snapshots): what is under
// test is the runs' interplay over the real store, so this file starts no redis-server and needs no
// lock (the real-process version is `npm run bench -- --fleet`, "handover").
//
// Times are scaled down: a 4 s "minute", 2.5 s of overlap, polls every 2 s, the next run starting
// 0.5 s late (its cold start), AWS call deadlines of 0.3 s, the shard's run mark read every 0.25 s.
// Each offset runs as the Lambda runs (the shard's run mark in the table, shard-handover.ts), and once
// without it: the per-deployment hand over that remains when the mark cannot be written.

import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { DynamoShardRuns } from '../../lambdas/adapters/dynamo-shard-runs';
import { createDocumentClient } from '../../lambdas/adapters/dynamo-store';
import { parseWatchConfig } from '../../lambdas/core/config';
import type { AlertMessage } from '../../lambdas/core/ports';
import { parseSentinelEvent, type SentinelEvent } from '../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../lambdas/core/types';
import { type DeploymentSummary, type PollerDeps, runPoller } from '../../lambdas/poller/run';
import type { PollerState } from '../../lambdas/poller/state';
import { healthySnapshot } from '../unit/helpers/snapshot-factory';

const PERIOD_MS = 4_000;
const OVERLAP_MS = 2_500;
const COLD_START_MS = 500;

let dynamo: EmbeddedDynamo;
let runs: DynamoShardRuns;
let client: ReturnType<typeof createDocumentClient>;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo('sentinel-watch-handover-it');
  client = createDocumentClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  runs = new DynamoShardRuns({ client, tableName: dynamo.tableName, callTimeoutMs: 300 });
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Listening {
  readonly run: string;
  readonly from: number;
  until: number | null;
}

/** One scenario: a deployment whose master switches at `switchAt` (epoch ms). */
function scenario(name: string, shardMark: boolean) {
  const published: { at: number; message: AlertMessage }[] = [];
  const listeners = new Set<(e: SentinelEvent) => void>();
  const listening: Listening[] = [];
  let switchedAt: number | null = null;

  const deps = (run: string): PollerDeps => ({
    probe: async () =>
      ({
        ...healthySnapshot({
          at: Date.now(),
          ...(switchedAt !== null && Date.now() >= switchedAt ? { masterIndex: 2, configEpoch: 2 } : {}),
        }),
        deployment: name,
      }) as Snapshot,
    store: dynamo.store,
    ...(shardMark ? { runs } : {}),
    publisher: {
      publish: async (message) => {
        published.push({ at: Date.now(), message });
      },
    },
    secrets: { getSecret: async () => 'unused' },
    clock: Date.now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(
          () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          Math.max(0, ms),
        );
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    subscribe: async (request) => {
      listeners.add(request.onEvent);
      const entry: Listening = { run, from: Date.now(), until: null };
      listening.push(entry);
      return {
        close: async () => {
          listeners.delete(request.onEvent);
          entry.until = Date.now();
        },
      };
    },
  });

  const config = parseWatchConfig({
    pollEverySeconds: 2,
    deployments: [
      {
        name,
        masterName: 'mymaster',
        sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
        timeoutMs: 100,
      },
    ],
  });

  /** A run that starts now, for its "minute" plus the overlap, as the handler starts one. */
  const run = (owner: string): Promise<DeploymentSummary> => {
    const startedAt = Date.now();
    const window = PERIOD_MS + OVERLAP_MS;
    return runPoller(config, deps(owner), {
      owner,
      remainingMs: () => startedAt + window + 1_000 - Date.now(),
      windowMs: window,
      reserveMs: 300,
      minGapMs: 200,
      // AWS call deadlines scaled down with the rest: publishing must fit before the run's end.
      storeCallTimeoutMs: 300,
      publish: { callTimeoutMs: 300 },
      handover: { shardKey: `${name}/0`, periodMs: PERIOD_MS, overlapMs: OVERLAP_MS, checkEveryMs: 250 },
    }).then((s) => s.deployments[0]);
  };

  /** The sentinels switch the master now and announce it, as +switch-master does. */
  const switchMaster = () => {
    switchedAt = Date.now();
    const event = parseSentinelEvent(
      '+switch-master',
      'mymaster 10.0.1.61 6379 10.0.1.63 6379',
      '10.0.1.62:26379',
      switchedAt,
    );
    for (const l of listeners) l(event);
  };

  return {
    run,
    switchMaster,
    published,
    listening,
    switchedAt: () => switchedAt,
  };
}

describe('Handover: two overlapping poller runs over dynalite', () => {
  // Where the switch lands relative to the next run's start: while only the previous run listens,
  // as the next one subscribes and makes its first poll, and once both are up.
  it.each([
    ['before the next run starts', -700, true],
    ['as the next run starts', 0, true],
    ['as the next run marks the shard', 150, true],
    ['once the next run listens alone', 600, true],
    ['as the next run starts, without the shard mark', 150, false],
  ])(
    'reports a switch %s exactly once, within a second, with no moment unwatched',
    async (_label, offset, shardMark) => {
      // Prepare
      const name = `handover-${shardMark ? '' : 'nomark-'}${offset < 0 ? 'm' : ''}${Math.abs(offset)}`;
      const s = scenario(name, shardMark);
      const t0 = Date.now();
      const nextStart = t0 + PERIOD_MS + COLD_START_MS;

      // Act: the previous run; the next minute's run after its cold start; the switch at the offset
      const previous = s.run('run-1');
      const next = (async () => {
        await sleep(nextStart - Date.now());
        return s.run('run-2');
      })();
      await sleep(nextStart + offset - Date.now());
      s.switchMaster();
      const [first, second] = await Promise.all([previous, next]);

      // Assess: one MASTER_CHANGED, published within a second of the switch
      const switches = s.published.filter((p) => p.message.attributes.code === 'MASTER_CHANGED');
      expect(switches).toHaveLength(1);
      expect(switches[0].at - (s.switchedAt() as number)).toBeLessThan(1_000);
      // The previous run saw the next one take over (or its window ended); the next one ran to its end
      expect(['superseded', 'done']).toContain(first.stopped);
      expect(second.stopped).toBe('done');
      // The next run was listening before the previous one stopped: no blind gap
      const [a, b] = ['run-1', 'run-2'].map((r) => s.listening.find((l) => l.run === r) as Listening);
      expect(b.from).toBeLessThanOrEqual(a.until as number);
      // With the shard mark the previous run stops soon after the next one listens (a check, 0.25 s,
      // plus a poll an event asked for), not at the end of its window
      if (shardMark) {
        expect(first.stopped).toBe('superseded');
        expect((a.until as number) - b.from).toBeLessThan(1_000);
      }
      // The state is the next run's now
      const stored = await dynamo.store.loadState<PollerState>(name);
      expect(stored?.state.run?.owner).toBe('run-2');
    },
    30_000,
  );
});
