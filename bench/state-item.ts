// `npx tsx bench/state-item.ts`: what the poller's STATE item costs in DynamoDB, stored as a map (the
// form before lambdas/adapters/state-codec.ts) and compressed (now), and what compressing costs in CPU.
// No redis-server: the realistic state comes from the fleet bench's simulated deployment (real Redis 7
// replies, RESP listeners in this process: fleet/poll-simulated.ts) polled by the real probe and
// runPoller, healthy and with a failover and the old master down, saved through the
// real DynamoStore into dynalite behind the fleet bench's proxy, which sizes every item by DynamoDB's
// rules; two fixture states (test/unit/helpers/poller-states.ts) beside it.
//
// Results go to stdout (a table) and bench/results/state-item.json.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createDocumentClient, DynamoStore } from '../lambdas/adapters/dynamo-store';
import { decodeState, encodeState } from '../lambdas/adapters/state-codec';
import type { PollerState } from '../lambdas/poller/state';
import { eventfulPollerState, healthyPollerState } from '../test/unit/helpers/poller-states';
import { AwsStandIns, itemSize } from './fleet/aws-stand-ins';
import { pollSimulatedDeployment } from './fleet/poll-simulated';
import { renderTable, summarize } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'sentinel-watch-state-bench';
const ITERATIONS = 2000;
const RESULTS = path.join(__dirname, 'results', 'state-item.json');

/** The item's attributes other than the state, as saveState writes them. */
const housekeeping = (deployment: string) => ({
  pk: `DEPLOYMENT#${deployment}`,
  sk: 'STATE',
  kind: 'state',
  version: 43_200,
  savedAt: '2026-11-30T10:00:00.000Z',
});
const wru = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const rru = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));
const sized = (item: Record<string, unknown>) => itemSize(marshall(item, { removeUndefinedValues: true }));

/** The fleet bench's deployment after 5 invocations, and the STATE writes as the proxy sized them. */
async function fleetState(faults: boolean): Promise<{ state: PollerState; name: string; written: number[] }> {
  const aws = await AwsStandIns.start(TABLE);
  const client = createDocumentClient({
    endpoint: aws.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const store = new DynamoStore({ client, tableName: TABLE });
    const name = await pollSimulatedDeployment(store, { invocations: 5, faults });
    const loaded = await store.loadState<PollerState>(name);
    if (!loaded) throw new Error('the bench deployment saved no state');
    const written = aws.counters.writes.filter((w) => w.kind === 'STATE').map((w) => w.bytes);
    return { state: loaded.state, name, written };
  } finally {
    client.destroy();
    await aws.stop();
  }
}

/** Median microseconds of `f` over ITERATIONS runs, after a warm-up. */
function micros(f: () => unknown): number {
  for (let i = 0; i < 200; i++) f();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return summarize(times).p50;
}

/** Other ways to compress the same JSON, to show what the chosen one buys (blob bytes only). */
const ALTERNATIVES: Record<string, (json: Buffer) => Buffer> = {
  gzip: (json) => gzipSync(json),
  'brotli q6': (json) => brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 6 } }),
  'brotli q11': (json) => brotliCompressSync(json),
  'zlib, no dictionary': (json) => deflateSync(json),
};

async function main(): Promise<void> {
  process.stderr.write('polling the fleet bench deployment (5 invocations, healthy, then with faults)...\n');
  const fleet = await fleetState(false);
  const faulty = await fleetState(true);
  // The fixtures flatter the dictionary (it was made from the second): the fleet rows are the honest ones.
  const cases: { label: string; deployment: string; state: PollerState }[] = [
    { label: 'fleet deployment, healthy, 5 polls', deployment: fleet.name, state: fleet.state },
    { label: 'fleet deployment, failover + old master down', deployment: faulty.name, state: faulty.state },
    { label: 'fixture: healthy, 5 polls', deployment: 'prod-cache', state: await healthyPollerState() },
    { label: 'fixture: the dictionary source', deployment: 'prod-cache', state: await eventfulPollerState() },
  ];
  const rows = cases.map(({ label, deployment, state }) => {
    const json = Buffer.from(JSON.stringify(state));
    const encoded = encodeState(state);
    const before = sized({ ...housekeeping(deployment), state });
    const after = sized({ ...housekeeping(deployment), ...encoded });
    return {
      label,
      jsonBytes: json.length,
      before: { bytes: before, wru: wru(before), rru: rru(before) },
      after: { bytes: after, blobBytes: encoded.stateZ.length, wru: wru(after), rru: rru(after) },
      alternatives: Object.fromEntries(Object.entries(ALTERNATIVES).map(([k, f]) => [k, f(json).length])),
      encodeUs: micros(() => encodeState(state)),
      decodeUs: micros(() => decodeState(encoded)),
    };
  });

  const table = renderTable(
    [
      'state',
      'JSON B',
      'map item B',
      'WRU',
      'RRU',
      'compressed item B',
      'WRU',
      'RRU',
      'encode µs',
      'decode µs',
    ],
    rows.map((r) => [
      r.label,
      String(r.jsonBytes),
      String(r.before.bytes),
      String(r.before.wru),
      String(r.before.rru),
      String(r.after.bytes),
      String(r.after.wru),
      String(r.after.rru),
      r.encodeUs.toFixed(0),
      r.decodeUs.toFixed(0),
    ]),
  );
  const blobs = renderTable(
    ['state', 'zlib + dictionary (stored)', ...Object.keys(ALTERNATIVES)],
    rows.map((r) => [r.label, String(r.after.blobBytes), ...Object.values(r.alternatives).map(String)]),
  );
  process.stdout.write(
    `STATE item by DynamoDB's size rules (attribute names + values; a binary is its bytes)\n${table}\n\n` +
      `The state's blob, bytes, by compression\n${blobs}\n\n` +
      `STATE writes as the fleet bench's proxy sized them, healthy: ${fleet.written.join(', ')} B; ` +
      `with faults: ${faulty.written.join(', ')} B\n`,
  );
  await writeFile(
    RESULTS,
    `${JSON.stringify({ measuredAt: new Date().toISOString(), iterations: ITERATIONS, rows, fleetWrites: { healthy: fleet.written, faults: faulty.written } }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
