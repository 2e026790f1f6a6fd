// The silence store against dynalite through the real AWS SDK: the key layout, begins_with per
// deployment, the conditional writes. No redis-server here: it needs no lock.

import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../cli/local/embedded-dynamo';
import { DynamoSilenceStore } from '../../lambdas/adapters/dynamo-silences';
import { createDocumentClient } from '../../lambdas/adapters/dynamo-store';
import { newSilence } from '../../lambdas/core/silence';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const NOW = Date.UTC(2026, 4, 1, 10, 0, 0);
const MINUTE = 60_000;
let dynamo: EmbeddedDynamo;
let store: DynamoSilenceStore;

const silence = (id: string, deployment: string, startOffsetMin = 0) =>
  newSilence({
    id,
    deployment,
    startsAt: NOW + startOffsetMin * MINUTE,
    durationMs: 60 * MINUTE,
    reason: `work on ${deployment}`,
    createdBy: 'it',
    now: NOW,
  });

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo('sentinel-watch-silences-it');
  store = new DynamoSilenceStore({
    client: createDocumentClient({
      region: 'us-east-1',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    tableName: dynamo.tableName,
    callTimeoutMs: 5_000,
  });
  // A deployment whose name is a prefix of another's must not see the other's silences.
  await store.putSilence(silence('s-00000000a1', 'orders'));
  await store.putSilence(silence('s-00000000a2', 'orders-cache', 30));
  await store.putSilence(silence('s-00000000a3', 'orders-cache'));
});

afterAll(async () => {
  await dynamo.close();
});

describe('Class: DynamoSilenceStore against dynalite', () => {
  it("reads one deployment's silences only, even when another's name starts with it", async () => {
    expect((await store.silencesFor('orders', NOW)).map((s) => s.id)).toEqual(['s-00000000a1']);
    expect((await store.silencesFor('orders-cache', NOW)).map((s) => s.id).sort()).toEqual([
      's-00000000a2',
      's-00000000a3',
    ]);
  });

  it('lists every deployment, oldest start first', async () => {
    const all = await store.listSilences({}, NOW);

    expect(all.map((s) => s.id)).toEqual(['s-00000000a1', 's-00000000a3', 's-00000000a2']);
  });

  it('refuses a second silence with the same id instead of replacing it', async () => {
    await expect(store.putSilence({ ...silence('s-00000000a1', 'orders'), reason: 'other' })).rejects.toThrow(
      /DynamoDB Put \(putSilence\) .* failed: ConditionalCheckFailedException/,
    );
  });

  it('ends a silence once; a second remove finds nothing running, list --all still shows it', async () => {
    const first = await store.endSilence('s-00000000a1', 'bob', NOW + 5 * MINUTE);
    const second = await store.endSilence('s-00000000a1', 'carol', NOW + 6 * MINUTE);

    expect(first).toMatchObject({ id: 's-00000000a1', endedBy: 'bob' });
    expect(second).toBeNull();
    expect(await store.silencesFor('orders', NOW + 6 * MINUTE)).toEqual([]);
    expect(
      (await store.listSilences({ includeEnded: true, deployment: 'orders' }, NOW + 6 * MINUTE))[0],
    ).toMatchObject({
      endedBy: 'bob',
      endsAt: new Date(NOW + 5 * MINUTE).toISOString(),
    });
  });
});
