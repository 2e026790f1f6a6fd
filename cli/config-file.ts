// `--config FILE`: the CLI's own config ({"deployments": [...]}) or the CDK stack's config
// (config/prod.json), so that a bastion user needs one file. Keys only a deployment reads (vpc,
// alertEmails, memorySize, ...) are accepted and ignored; any other key is still an error, with a "did
// you mean" among all the keys either file may have.

import { readFileSync } from 'node:fs';
import { parseWatchConfig, type WatchConfig } from '../lambdas/core/config';
import { ConfigError } from '../lambdas/core/errors';
import { objectAt, parseJson, rejectUnknownKeys } from '../lambdas/core/fields';
import { ROOT_KEYS, WATCH_KEYS } from '../lib/stack-config/keys';

export function readConfigFile(path: string): WatchConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      '--config',
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, source: string): WatchConfig {
  const root = objectAt(parseJson(text, source), '(config)');
  rejectUnknownKeys(root, ROOT_KEYS, '');
  const watch: Record<string, unknown> = {};
  for (const key of WATCH_KEYS) if (root[key] !== undefined) watch[key] = root[key];
  return parseWatchConfig(watch);
}
