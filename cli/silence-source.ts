// Where `silence` writes and `watch` reads silences: the stack's DynamoDB table (`--table`, what the
// poller honours) or a local file (`--silence-file`, default ~/.sentinel-watch/silences.json). One
// choice, two commands, so a silence added one way is honoured by a watch started the same way.

import type { ParseArgsConfig } from 'node:util';
import { AWS_LIMITS, clientConfig } from '../lambdas/adapters/aws-clients';
import { DynamoSilenceStore } from '../lambdas/adapters/dynamo-silences';
import { createDocumentClient } from '../lambdas/adapters/dynamo-store';
import { UsageError } from '../lambdas/core/errors';
import type { SilenceStore } from '../lambdas/core/store-ports';
import { defaultSilenceFile, FileSilenceStore } from './silence-file';

export const silenceSourceOptions = {
  table: { type: 'string' },
  'silence-file': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const silenceSourceHelp = `Where silences are kept:
  --table NAME          the stack's DynamoDB table (its SnapshotTableName output): the poller honours
                        these, and so does every "watch --table NAME"
  --silence-file PATH   a local JSON file, for watch without the stack (default: $SENTINEL_WATCH_SILENCES,
                        else ~/.sentinel-watch/silences.json)`;

export type SilenceSource =
  | { readonly kind: 'table'; readonly table: string }
  | { readonly kind: 'file'; readonly path: string };

export function silenceSourceFrom(
  values: { readonly table?: string; readonly 'silence-file'?: string },
  env: NodeJS.ProcessEnv,
): SilenceSource {
  if (values.table !== undefined && values['silence-file'] !== undefined) {
    throw new UsageError('give --table or --silence-file, not both');
  }
  if (values.table !== undefined) {
    const table = values.table.trim();
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
      throw new UsageError(`--table: "${values.table}" is not a DynamoDB table name`);
    }
    return { kind: 'table', table };
  }
  const path = values['silence-file']?.trim() || defaultSilenceFile(env);
  return { kind: 'file', path };
}

export const describeSource = (source: SilenceSource): string =>
  source.kind === 'table' ? `table ${source.table}` : source.path;

/** The store for a source; region, credentials and AWS_ENDPOINT_URL_DYNAMODB from the SDK's chain. */
export function openSilenceStore(source: SilenceSource, onInvalid: (count: number) => void): SilenceStore {
  if (source.kind === 'file') return new FileSilenceStore(source.path, onInvalid);
  return new DynamoSilenceStore({
    client: createDocumentClient(clientConfig(AWS_LIMITS.cliDynamodb)),
    tableName: source.table,
    callTimeoutMs: AWS_LIMITS.cliDynamodb.callTimeoutMs,
    onInvalid,
  });
}
