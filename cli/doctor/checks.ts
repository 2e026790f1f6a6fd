// The checks of `sentinel-watch doctor`, one function each, over narrow clients. Every check ends in a
// result, never a throw: an AWS call that fails (no permission, a timeout) is that check's `fail`, with
// the error's name, and the others still run. Every call carries its own deadline (callSignal).

import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, type SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { callSignal, failureName } from '../../lambdas/adapters/aws-clients';
import { formatDuration } from '../../lambdas/core/detect/text';
import { describeScope, type Silence } from '../../lambdas/core/silence';
import type { SnapshotRecord } from '../../lambdas/core/snapshot-record';
import type { StackResources } from '../aws/stack';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** What was checked, e.g. `last poll of orders-cache`. */
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface DoctorContext {
  readonly stack: StackResources;
  readonly now: number;
  readonly callTimeoutMs?: number;
}

/** Pages of a list call before the doctor stops reading (a topic with 1000s of subscriptions is odd). */
const MAX_PAGES = 20;
/** How far back notifier errors and failed deliveries are counted. */
export const ERROR_WINDOW_HOURS = 24;
const DEFAULT_STALE_MINUTES = 5;

async function guarded(check: string, run: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (error) {
    const name =
      (error as { doctorName?: string }).doctorName ?? (error as Error | undefined)?.name ?? 'Error';
    return [{ check, status: 'fail', detail: `could not check: ${name}` }];
  }
}

/** Sends with the call deadline; a failure is rethrown with the name to report (TimeoutError on our deadline). */
async function send<T>(
  ctx: DoctorContext,
  call: (options: { abortSignal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  const signal = callSignal(ctx.callTimeoutMs);
  try {
    return await call(signal ? { abortSignal: signal } : {});
  } catch (error) {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
      doctorName: failureName(error, signal),
    });
  }
}

export function stackStatus(ctx: DoctorContext): CheckResult {
  const s = ctx.stack.status;
  const status: CheckStatus =
    /_COMPLETE$/.test(s) && !/ROLLBACK|DELETE/.test(s) ? 'ok' : /IN_PROGRESS$/.test(s) ? 'warn' : 'fail';
  return { check: `stack ${ctx.stack.stackName}`, status, detail: s };
}

/** The newest snapshot of each deployment: the poller ran, reached Redis and could write the table. */
export async function lastPolls(
  ctx: DoctorContext,
  latest: (deployment: string) => Promise<SnapshotRecord | null>,
): Promise<CheckResult[]> {
  if (ctx.stack.deployments.length === 0) {
    return [
      {
        check: 'deployments',
        status: 'fail',
        detail: 'the stack lists no deployment (DeploymentNames output)',
      },
    ];
  }
  const staleMinutes = ctx.stack.noSuccessMinutes ?? DEFAULT_STALE_MINUTES;
  const results = await Promise.all(
    ctx.stack.deployments.map((d) =>
      guarded(`last poll of ${d}`, async () => {
        const record = await latest(d);
        if (!record) {
          return [
            {
              check: `last poll of ${d}`,
              status: 'fail',
              detail: `no snapshot in the last ${ERROR_WINDOW_HOURS} h`,
            },
          ];
        }
        const age = ctx.now - Date.parse(record.takenAt);
        const stale = age > staleMinutes * 60_000;
        const problems =
          record.findings.length === 0 ? 'no findings' : `${record.findings.length} finding(s)`;
        return [
          {
            check: `last poll of ${d}`,
            status: stale ? 'fail' : 'ok',
            detail: `${formatDuration(Math.max(0, age))} ago (${record.takenAt}), master ${record.master ?? 'unknown'}, ${problems}${stale ? `: older than ${staleMinutes} min, the poller is not running or not saving` : ''}`,
          },
        ];
      }),
    ),
  );
  return results.flat();
}

/** Silences in force: the first thing to know when an alert did not come. */
export async function activeSilences(
  ctx: DoctorContext,
  list: () => Promise<Silence[]>,
): Promise<CheckResult[]> {
  return guarded('silences', async () => {
    const active = (await list()).filter(
      (s) => Date.parse(s.startsAt) <= ctx.now && ctx.now < Date.parse(s.endsAt),
    );
    if (active.length === 0) return [{ check: 'silences', status: 'ok', detail: 'none in force' }];
    return active.map((s) => ({
      check: `silence ${s.id}`,
      status: 'warn' as const,
      detail: `${describeScope(s)} until ${s.endsAt} (${formatDuration(Date.parse(s.endsAt) - ctx.now)} left), by ${s.createdBy}: ${s.reason}`,
    }));
  });
}

/** Who receives alerts: none at all is a fail, each unconfirmed one a warning. */
export async function subscriptions(ctx: DoctorContext, sns: SNSClient): Promise<CheckResult[]> {
  return guarded('subscriptions', async () => {
    const subs: Subscription[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await send(ctx, (o) =>
        sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: ctx.stack.topicArn, NextToken: token }), o),
      );
      subs.push(...(page.Subscriptions ?? []));
      token = page.NextToken;
    } while (token && ++pages < MAX_PAGES);
    if (subs.length === 0) {
      return [
        {
          check: 'subscriptions',
          status: 'fail',
          detail: 'the topic has no subscription: nobody receives alerts',
        },
      ];
    }
    return subs.map((s) => {
      const pending = s.SubscriptionArn === 'PendingConfirmation';
      return {
        check: `subscription ${s.Protocol ?? '?'} ${s.Endpoint ?? ''}`.trim(),
        status: pending ? ('warn' as const) : ('ok' as const),
        detail: pending
          ? 'pending confirmation: nothing is delivered until the link in the confirmation email is followed'
          : 'confirmed',
      };
    });
  });
}

/** Errors of every function the stack outputs, and SNS deliveries that failed, over the window. */
export async function notifierErrors(
  ctx: DoctorContext,
  cloudwatch: CloudWatchClient,
): Promise<CheckResult[]> {
  const functions = Object.entries(ctx.stack.functions);
  return guarded('notifier errors', async () => {
    const queries: MetricDataQuery[] = functions.map(([, name], i) => ({
      Id: `f${i}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: name }],
        },
        Period: ERROR_WINDOW_HOURS * 3600,
        Stat: 'Sum',
      },
    }));
    queries.push({
      Id: 'sns',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SNS',
          MetricName: 'NumberOfNotificationsFailed',
          Dimensions: [{ Name: 'TopicName', Value: ctx.stack.topicArn.split(':').at(-1) ?? '' }],
        },
        Period: ERROR_WINDOW_HOURS * 3600,
        Stat: 'Sum',
      },
    });
    const out = await send(ctx, (o) =>
      cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(ctx.now - ERROR_WINDOW_HOURS * 3600_000),
          EndTime: new Date(ctx.now),
        }),
        o,
      ),
    );
    const sum = (id: string) =>
      (out.MetricDataResults ?? []).find((r) => r.Id === id)?.Values?.reduce((a, b) => a + b, 0) ?? 0;
    const window = `in the last ${ERROR_WINDOW_HOURS} h`;
    const results: CheckResult[] = functions.map(([key, name], i) => {
      const errors = sum(`f${i}`);
      return {
        check: `errors of ${key.replace(/FunctionName$/, '')} (${name})`,
        status: errors > 0 ? 'warn' : 'ok',
        detail:
          errors > 0 ? `${errors} failed invocation(s) ${window}: read its log group` : `none ${window}`,
      };
    });
    const failed = sum('sns');
    results.push({
      check: 'SNS deliveries',
      status: failed > 0 ? 'warn' : 'ok',
      detail: failed > 0 ? `${failed} delivery(ies) failed ${window}` : `none failed ${window}`,
    });
    return results;
  });
}

/** Messages waiting in each dead-letter queue: alerts that were not delivered. */
export async function deadLetters(ctx: DoctorContext, sqs: SQSClient): Promise<CheckResult[]> {
  const queues = Object.entries(ctx.stack.dlqs);
  if (queues.length === 0) {
    return [
      { check: 'dead-letter queues', status: 'ok', detail: 'the stack has none (no ...DlqUrl output)' },
    ];
  }
  const results = await Promise.all(
    queues.map(([key, url]) =>
      guarded(`dead-letter queue ${key}`, async () => {
        const out = await send(ctx, (o) =>
          sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
            o,
          ),
        );
        const depth =
          Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
          Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
        return [
          {
            check: `dead-letter queue ${key}`,
            status: depth > 0 ? 'fail' : 'ok',
            detail:
              depth > 0 ? `${depth} undelivered message(s): read them, fix the receiver, redrive` : 'empty',
          } satisfies CheckResult,
        ];
      }),
    ),
  );
  return results.flat();
}

/** The watcher's own alarms: one in ALARM is a fail, INSUFFICIENT_DATA a warning. */
export async function alarms(ctx: DoctorContext, cloudwatch: CloudWatchClient): Promise<CheckResult[]> {
  return guarded('alarms', async () => {
    const found: { name: string; state: string; reason: string }[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await send(ctx, (o) =>
        cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNamePrefix: ctx.stack.alarmPrefix,
            NextToken: token,
            MaxRecords: 100,
          }),
          o,
        ),
      );
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        found.push({ name: a.AlarmName ?? '?', state: a.StateValue ?? '?', reason: a.StateReason ?? '' });
      }
      token = page.NextToken;
    } while (token && ++pages < MAX_PAGES);
    if (found.length === 0) {
      return [{ check: 'alarms', status: 'warn', detail: `no alarm named ${ctx.stack.alarmPrefix}*` }];
    }
    return found
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((a) => ({
        check: `alarm ${a.name}`,
        status:
          a.state === 'OK' ? ('ok' as const) : a.state === 'ALARM' ? ('fail' as const) : ('warn' as const),
        detail: a.state === 'OK' ? 'OK' : `${a.state}: ${a.reason}`,
      }));
  });
}
