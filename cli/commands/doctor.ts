import { parseArgs } from 'node:util';
import { DynamoSilenceStore } from '../../lambdas/adapters/dynamo-silences';
import { DynamoStore } from '../../lambdas/adapters/dynamo-store';
import type { SnapshotRecord } from '../../lambdas/core/snapshot-record';
import { textTable } from '../../lambdas/core/text-table';
import { CLI_AWS_LIMITS, type OnCallClients, onCallClients } from '../aws/clients';
import { describeStack, StackLookupError, stackNameOf, stackOptions, stackOptionsHelp } from '../aws/stack';
import {
  activeSilences,
  alarms as alarmStates,
  type CheckResult,
  type CheckStatus,
  type DoctorContext,
  deadLetters,
  ERROR_WINDOW_HOURS,
  lastPolls,
  notifierErrors,
  stackStatus,
  subscriptions,
} from '../doctor/checks';
import { type CliIo, EXIT } from '../io';
import { toJson } from '../json-output';

export const doctorHelp = `Usage: sentinel-watch doctor --stack NAME [options]

Checks that a deployed stack watches and alerts: the newest snapshot of each deployment (the poller
runs and saves), silences in force, the topic's subscriptions (none, or pending confirmation), errors
of the stack's functions and failed SNS deliveries in the last ${ERROR_WINDOW_HOURS} h, messages in dead-letter
queues, and the state of the watcher's own alarms. The stack's resources come from its outputs.

Options:
${stackOptionsHelp}
  --json                  one JSON object per check on stdout

Needs read access to the stack (the OnCallPolicyArn output grants exactly this, see docs/aws.md).
Exit codes: 0 all OK, 1 a warning, 2 a failure, 3 usage error.`;

export interface DoctorDeps {
  readonly clients: (
    region: string | undefined,
  ) => Pick<OnCallClients, 'cloudformation' | 'sns' | 'cloudwatch' | 'sqs' | 'dynamo'>;
  readonly now: () => number;
}

const defaultDeps: DoctorDeps = { clients: onCallClients, now: Date.now };

const RANK: Readonly<Record<CheckStatus, number>> = { ok: 0, warn: 1, fail: 2 };

export async function doctorCommand(
  argv: readonly string[],
  io: CliIo,
  deps: DoctorDeps = defaultDeps,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...stackOptions,
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(doctorHelp);
    return EXIT.ok;
  }
  const stackName = stackNameOf(values);
  const clients = deps.clients(values.region);
  const callTimeoutMs = CLI_AWS_LIMITS.callTimeoutMs;
  let ctx: DoctorContext;
  try {
    ctx = {
      stack: await describeStack(clients.cloudformation, stackName, callTimeoutMs),
      now: deps.now(),
      callTimeoutMs,
    };
  } catch (error) {
    if (!(error instanceof StackLookupError)) throw error;
    report(io, values.json === true, [
      { check: `stack ${stackName}`, status: 'fail', detail: error.message },
    ]);
    return 2;
  }
  const store = new DynamoStore({ client: clients.dynamo, tableName: ctx.stack.tableName });
  const silences = new DynamoSilenceStore({
    client: clients.dynamo,
    tableName: ctx.stack.tableName,
    callTimeoutMs,
  });
  const latest = async (deployment: string): Promise<SnapshotRecord | null> => {
    const from = new Date(ctx.now - ERROR_WINDOW_HOURS * 3600_000).toISOString();
    const [newest] = await store.history(deployment, { from, to: new Date(ctx.now).toISOString() }, 1, {
      keep: 'newest',
    });
    return newest ?? null;
  };

  const groups = await Promise.all([
    Promise.resolve([stackStatus(ctx)]),
    lastPolls(ctx, latest),
    activeSilences(ctx, () => silences.listSilences({}, ctx.now)),
    subscriptions(ctx, clients.sns),
    notifierErrors(ctx, clients.cloudwatch),
    deadLetters(ctx, clients.sqs),
    alarmStates(ctx, clients.cloudwatch),
  ]);
  const results = groups.flat();
  report(io, values.json === true, results);
  const worst = Math.max(...results.map((r) => RANK[r.status]));
  return worst;
}

function report(io: CliIo, json: boolean, results: readonly CheckResult[]): void {
  if (json) {
    for (const r of results) io.out(toJson(r));
    return;
  }
  io.out(
    textTable(
      ['STATUS', 'CHECK', 'DETAIL'],
      results.map((r) => [r.status.toUpperCase(), r.check, r.detail]),
    ).join('\n'),
  );
  const counts = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  io.out(`\n${counts('fail')} failed, ${counts('warn')} warning(s), ${counts('ok')} OK`);
}
