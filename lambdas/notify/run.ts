// What every notifier Lambda does with the SNS event it is invoked with: each record becomes a notice
// (core/notify/decode.ts: the poller's and drill's structured notices, CloudWatch alarms, anything else
// as plain text) and is handed to the notifier's channel (Slack, PagerDuty, a webhook), all within one
// deadline taken from the invocation's remaining time. A delivery that fails throws: Lambda retries the
// event twice, then puts it in the notifier's dead-letter queue (the stack's alarm watches its depth).

import type { SNSEvent } from 'aws-lambda';
import { decodeSnsMessage, type SnsInput } from '../core/notify/decode';
import type { Notice } from '../core/notify/notice';
import type { Presentation } from '../core/notify/presentation';

export interface NotifyLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface Delivery {
  readonly attempts: number;
  /** Anything worth a log line (e.g. "posted the plain form"). */
  readonly note?: string;
}

/** One destination. `deliver` throws when the notice did not get there. */
export interface Channel {
  readonly name: string;
  deliver(
    notice: Notice,
    context: { readonly deadlineAt: number; readonly log: NotifyLog },
  ): Promise<Delivery>;
}

export interface NotifyDeps {
  readonly presentation: Presentation;
  readonly channel: Channel;
  readonly log: NotifyLog;
}

export interface NotifyResult {
  readonly delivered: number;
}

/** Time kept back from the invocation's remaining time, to log and return before Lambda's timeout. */
export const DEADLINE_MARGIN_MS = 1_000;

export async function notifyRecords(
  event: SNSEvent,
  deps: NotifyDeps,
  deadlineAt: number,
): Promise<NotifyResult> {
  let delivered = 0;
  for (const record of event.Records ?? []) {
    const sns = record.Sns;
    const input: SnsInput = {
      messageId: sns.MessageId,
      subject: sns.Subject ?? null,
      message: sns.Message ?? '',
      timestamp: sns.Timestamp,
      attributes: Object.fromEntries(
        Object.entries(sns.MessageAttributes ?? {}).map(([k, v]) => [k, String(v.Value)]),
      ),
    };
    const notice = decodeSnsMessage(input, deps.presentation);
    const context = {
      messageId: sns.MessageId,
      kind: notice.kind,
      code: notice.code,
      type: notice.type,
      deployment: notice.deployment,
      incident: notice.ref,
    };
    const result = await deps.channel.deliver(notice, { deadlineAt, log: deps.log });
    deps.log.info(`delivered to ${deps.channel.name}`, {
      ...context,
      attempts: result.attempts,
      note: result.note,
    });
    delivered++;
  }
  return { delivered };
}
