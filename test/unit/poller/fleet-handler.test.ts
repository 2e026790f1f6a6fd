// The poller handler with a bundled fleet config (SENTINEL_WATCH_CONFIG_FILE): each invocation polls
// the deployments of the shard its event names, never more than POLL_CONCURRENCY at once, and writes
// per-deployment metrics only for the deployments listed in detailedMetrics. Stores, probe and
// publisher are in-memory fakes (the AWS side is covered by handler.test.ts).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { parseWatchConfig } from '../../../lambdas/core/config';
import { ConfigError } from '../../../lambdas/core/errors';
import { fleetConfigDocument, POLL_CONCURRENCY } from '../../../lambdas/core/fleet-config';
import { assignShards } from '../../../lambdas/core/shard';
import type { Snapshot } from '../../../lambdas/core/types';
import { MemoryStore } from '../helpers/memory-store';
import { healthySnapshot, NOW } from '../helpers/snapshot-factory';

const NAMES = Array.from({ length: 120 }, (_, i) => `cache-${String(i).padStart(3, '0')}`);
const WATCH = {
  deployments: NAMES.map((name) => ({
    name,
    masterName: 'mymaster',
    sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
  })),
};
const SHARDS = 3;
const dir = mkdtempSync(join(tmpdir(), 'sw-fleet-handler-'));
writeFileSync(join(dir, 'fleet.json'), JSON.stringify(fleetConfigDocument(WATCH, SHARDS, ['cache-007'])));
Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  SENTINEL_WATCH_CONFIG_FILE: join(dir, 'fleet.json'),
  SNAPSHOT_TABLE_NAME: 'sw-unit-fleet',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:sentinel-watch-alerts',
});
delete process.env.SENTINEL_WATCH_CONFIG;

// Required after the environment is set: the handler reads its config at module load (cold start).
const { createPollerHandler } =
  require('../../../lambdas/poller/handler') as typeof import('../../../lambdas/poller/handler');

const expected = assignShards(parseWatchConfig(WATCH).deployments, SHARDS).map((s) => s.map((d) => d.name));

let polled: string[];
let inFlight: number;
let mostInFlight: number;
let stdout: string[];
let spy: jest.SpyInstance;
let now: number;

/** A cold start with a fresh store; each call of the handler is the next minute's run. */
const coldStart = () => {
  const h = createPollerHandler({
    store: new MemoryStore(),
    publisher: { publish: async () => undefined },
    secrets: { getSecret: async () => 'unused' },
    clock: () => now,
    sleep: async () => undefined,
    probe: async (d) => {
      polled.push(d.name);
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      // Every probe waits a little, so that the shard's polls overlap as far as the limit lets them.
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return healthySnapshot({ at: now }) as Snapshot;
    },
  });
  return async (event: unknown, context: Context) => {
    try {
      return await h(event, context);
    } finally {
      now += 60_000;
    }
  };
};
let handler: ReturnType<typeof coldStart>;

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const emfLines = () =>
  stdout
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(() => {
  now = NOW;
  handler = coldStart();
  polled = [];
  inFlight = 0;
  mostInFlight = 0;
  stdout = [];
  spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => spy.mockRestore());

describe('Function: handler (poller, sharded)', () => {
  it('polls exactly the deployments of the shard its event names', async () => {
    for (let shard = 0; shard < SHARDS; shard++) {
      // Act
      polled = [];
      const summary = await handler({ shard }, context);

      // Assess
      expect(polled.sort()).toEqual([...expected[shard]].sort());
      expect(summary.deployments.map((d) => d.stopped)).toEqual(expected[shard].map(() => 'done'));
    }
    expect(expected.flat().sort()).toEqual(NAMES);
  });

  it('never probes more than POLL_CONCURRENCY deployments at once', async () => {
    // Act
    await handler({ shard: 0 }, context);

    // Assess: the shard holds more deployments than the limit, and they did overlap up to it
    expect(expected[0].length).toBeGreaterThan(POLL_CONCURRENCY + 5);
    expect(mostInFlight).toBe(POLL_CONCURRENCY);
  });

  it('polls nothing for a shard the config does not have (a schedule of an earlier deploy)', async () => {
    // Act
    const summary = await handler({ shard: SHARDS }, context);

    // Assess
    expect(summary.deployments).toEqual([]);
    expect(polled).toEqual([]);
  });

  it('refuses an event without a shard when there are several, naming the field', async () => {
    // Act
    const error = await handler({}, context).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'event.shard: is required: the deployments are split into 3 shards and each invocation polls one ({"shard": 0} to {"shard": 2})',
    );
  });

  it('tags fleet metrics with the shard, and sends per-deployment metrics only where asked', async () => {
    // Prepare: the shard that holds cache-07
    const shard = expected.findIndex((names) => names.includes('cache-007'));

    // Act
    await handler({ shard }, context);

    // Assess: one EMF poll line per deployment of the shard
    const lines = emfLines().filter((l) => l.sw === 'poll');
    expect(lines).toHaveLength(expected[shard].length);
    expect(lines.every((l) => l.shard === String(shard))).toBe(true);
    const perDeployment = lines.filter((l) => JSON.stringify(l._aws).includes('"deployment"'));
    expect(perDeployment.map((l) => l.deployment)).toEqual(['cache-007']);
    // ...and its replicas' lag as metrics of their own
    const replicaMetrics = stdout
      .join('')
      .split('\n')
      .filter((l) => l.includes('"sw":"replica"') && l.startsWith('{"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(replicaMetrics.map((l) => l.deployment)).toEqual(['cache-007', 'cache-007']);
  });
});
