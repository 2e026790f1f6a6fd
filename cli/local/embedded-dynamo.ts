// dynalite (a DynamoDB-compatible server from npm) in this process, on loopback, with the watcher's
// table created through the real AWS SDK: the demo's store, and the tests'.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, DynamoStore, TABLE_KEYS } from '../../lambdas/adapters/dynamo-store';

export interface EmbeddedDynamo {
  readonly endpoint: string;
  readonly tableName: string;
  readonly store: DynamoStore;
  readonly close: () => Promise<void>;
}

/** Dummy credentials: dynalite checks none, the SDK insists on some. */
const LOCAL_CLIENT = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export async function startEmbeddedDynamo(tableName = 'sentinel-watch'): Promise<EmbeddedDynamo> {
  // dynalite ships no types; its factory returns a plain http.Server.
  const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ ...LOCAL_CLIENT, endpoint });
  try {
    await raw.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } finally {
    raw.destroy();
  }
  const client = createDocumentClient({ ...LOCAL_CLIENT, endpoint });
  return {
    endpoint,
    tableName,
    store: new DynamoStore({ client, tableName }),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
