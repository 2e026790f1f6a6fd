// What `test-alert` and `doctor` know of a deployed stack: its CloudFormation outputs, read with one
// DescribeStacks. Outputs are found by key (lib/sentinel-watch-stack.ts writes them), and the
// families other parts of the stack may grow are found by suffix: every `...FunctionName` output is a
// function whose errors count, every `...DlqUrl` output a dead-letter queue whose depth counts.

import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { callSignal, failureName } from '../../lambdas/adapters/aws-clients';
import { SentinelWatchError } from '../../lambdas/core/errors';
import { DEFAULT_STACK_NAME } from '../../lib/stack-config/context';

/** `--stack` and `--region`, shared by the commands that work on a deployed stack. */
export const stackOptions = {
  stack: { type: 'string' },
  region: { type: 'string' },
} as const;

export const stackOptionsHelp = `  --stack NAME            the CloudFormation stack (default ${DEFAULT_STACK_NAME})
  --region REGION         default: the AWS environment's (AWS_REGION, profile)`;

export const stackNameOf = (values: { readonly stack?: string }): string =>
  values.stack?.trim() || DEFAULT_STACK_NAME;

/** Output keys the stack writes and these commands read (the infra tests hold the stack to them). */
export const OUTPUT_KEYS = {
  topicArn: 'AlertTopicArn',
  tableName: 'SnapshotTableName',
  deployments: 'DeploymentNames',
  dashboardName: 'DashboardName',
  noSuccessMinutes: 'PollerNoSuccessMinutes',
  alarmPrefix: 'AlarmNamePrefix',
} as const;
export const FUNCTION_OUTPUT_SUFFIX = 'FunctionName';
export const DLQ_OUTPUT_SUFFIX = 'DlqUrl';

export interface StackResources {
  readonly stackName: string;
  readonly status: string;
  readonly topicArn: string;
  readonly tableName: string;
  readonly deployments: readonly string[];
  readonly dashboardName: string | null;
  readonly noSuccessMinutes: number | null;
  readonly alarmPrefix: string;
  /** Output key → function name, e.g. `PollerFunctionName` → `SentinelWatch-Poller...`. */
  readonly functions: Readonly<Record<string, string>>;
  /** Output key → queue URL. */
  readonly dlqs: Readonly<Record<string, string>>;
}

/** The stack cannot be described, or lacks what the command needs. */
export class StackLookupError extends SentinelWatchError {}

export async function describeStack(
  client: CloudFormationClient,
  stackName: string,
  callTimeoutMs?: number,
): Promise<StackResources> {
  let outputs: readonly Output[];
  let status: string;
  const signal = callSignal(callTimeoutMs);
  try {
    const out = await client.send(
      new DescribeStacksCommand({ StackName: stackName }),
      signal ? { abortSignal: signal } : {},
    );
    const stack = out.Stacks?.[0];
    if (!stack) throw new StackLookupError(`stack ${stackName} not found`);
    outputs = stack.Outputs ?? [];
    status = stack.StackStatus ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof StackLookupError) throw error;
    // "Stack with id X does not exist" is a ValidationError: say it plainly.
    const missing = /does not exist/.test((error as Error | undefined)?.message ?? '');
    throw new StackLookupError(
      missing
        ? `stack ${stackName} does not exist in this account and region (check --region / AWS_REGION)`
        : `cannot describe stack ${stackName}: ${whyNot(error, signal)}`,
      { cause: error },
    );
  }
  const byKey = new Map(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const required = (key: string): string => {
    const value = byKey.get(key)?.trim();
    if (!value) {
      throw new StackLookupError(
        `stack ${stackName} has no ${key} output: is it a sentinel-watch stack, deployed from this version?`,
      );
    }
    return value;
  };
  const bySuffix = (suffix: string) =>
    Object.fromEntries(
      [...byKey]
        .filter(([k, v]) => k.endsWith(suffix) && v.trim() !== '')
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  const minutes = Number(byKey.get(OUTPUT_KEYS.noSuccessMinutes));
  return {
    stackName,
    status,
    topicArn: required(OUTPUT_KEYS.topicArn),
    tableName: required(OUTPUT_KEYS.tableName),
    deployments: (byKey.get(OUTPUT_KEYS.deployments) ?? '')
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean),
    dashboardName: byKey.get(OUTPUT_KEYS.dashboardName)?.trim() || null,
    noSuccessMinutes: Number.isFinite(minutes) && minutes > 0 ? minutes : null,
    alarmPrefix: byKey.get(OUTPUT_KEYS.alarmPrefix)?.trim() || `${stackName}-`,
    functions: bySuffix(FUNCTION_OUTPUT_SUFFIX),
    dlqs: bySuffix(DLQ_OUTPUT_SUFFIX),
  };
}

/**
 * The SDK's name for the failure, or its message when the name says nothing: "Region is missing" and
 * "connect ECONNREFUSED" arrive as a plain `Error`, and an operator at a terminal needs those words.
 */
function whyNot(error: unknown, signal: AbortSignal | undefined): string {
  const name = failureName(error, signal);
  const message = error instanceof Error ? error.message.trim() : '';
  return name === 'Error' && message !== '' ? message : name;
}
