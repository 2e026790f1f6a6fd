// Where the CDK app finds its config and stack name: context keys (`cdk.json` or `-c key=value`).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Node } from 'constructs';
import { describe } from '../../lambdas/core/address';
import { ConfigError } from '../../lambdas/core/errors';
import { parseJson } from '../../lambdas/core/fields';
import { type FleetLayout, isFleetLayout, parseFleetLayout } from './fleet-layout';
import { parseStackConfig, type StackConfig } from './parse';

/** Context keys the app reads (`cdk.json` or `-c key=value`). */
export const CONTEXT_KEYS = {
  /** The config as an inline object (or its JSON text, from `-c`). Wins over the file. */
  config: 'sentinel-watch:config',
  /** Path of a JSON config file, relative to the working directory. */
  configFile: 'sentinel-watch:configFile',
  /** CloudFormation stack name. */
  stackName: 'sentinel-watch:stackName',
  /** `true`: synthesize even with config/example.json's placeholder ids (CI's `npm run synth`). */
  allowExampleConfig: 'sentinel-watch:allowExampleConfig',
} as const;

export const DEFAULT_CONFIG_FILE = 'config/example.json';
export const DEFAULT_STACK_NAME = 'SentinelWatch';

/**
 * Reads the config named by the app's context: `sentinel-watch:config` (an object, or JSON text when
 * given with `-c`) or else the file `sentinel-watch:configFile` (default config/example.json).
 */
export function loadStackConfig(node: Node, cwd = process.cwd()): StackConfig {
  return parseStackConfig(loadRawConfig(node, cwd));
}

export type AppConfig =
  | { readonly kind: 'single'; readonly config: StackConfig }
  | { readonly kind: 'fleet'; readonly layout: FleetLayout };

/** The config as either layout: with `watchers`, several stacks (fleet-layout.ts); else one. */
export function loadAppConfig(node: Node, cwd = process.cwd()): AppConfig {
  const raw = loadRawConfig(node, cwd);
  return isFleetLayout(raw)
    ? { kind: 'fleet', layout: parseFleetLayout(raw) }
    : { kind: 'single', config: parseStackConfig(raw) };
}

function loadRawConfig(node: Node, cwd: string): unknown {
  const inline = node.tryGetContext(CONTEXT_KEYS.config);
  if (inline !== undefined) {
    return typeof inline === 'string' ? parseJson(inline, CONTEXT_KEYS.config) : inline;
  }
  const file = node.tryGetContext(CONTEXT_KEYS.configFile) ?? DEFAULT_CONFIG_FILE;
  if (typeof file !== 'string' || file.trim() === '') {
    throw new ConfigError(CONTEXT_KEYS.configFile, `must be a file path, got ${describe(file)}`);
  }
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new ConfigError(CONTEXT_KEYS.configFile, `cannot read ${file} (${(error as Error).message})`);
  }
  return parseJson(text, file);
}

/** The CloudFormation stack name from context, checked like CloudFormation would. */
export function stackNameFrom(node: Node): string {
  const name = node.tryGetContext(CONTEXT_KEYS.stackName) ?? DEFAULT_STACK_NAME;
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new ConfigError(
      CONTEXT_KEYS.stackName,
      `${describe(name)} is not a stack name (a letter, then letters, digits or "-", at most 128)`,
    );
  }
  return name;
}
