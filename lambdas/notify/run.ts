// What every notifier Lambda does with the SNS event it is invoked with: each record becomes a notice
// (core/notify/decode.ts: the poller's and drill's structured notices, CloudWatch alarms, anything else
// as plain text) and is handed to the notifier's channel (Slack, PagerDuty, a webhook), all within one
// deadline taken from the invocation's remaining time. A delivery that fails throws: Lambda retries the
// event twice, then puts it in the notifier's dead-letter queue (the stack's alarm watches its depth).
//
// One alert, one delivery: before delivering, the invocation claims the SNS MessageId in a delivery
// record (adapters/delivery-ledger.ts, one prefix per channel), so a message SNS delivers twice, or
// that Lambda hands to a retry after the delivery went through, is not sent again. A delivery that
// fails releases the record so that the retry can send it. When the records cannot be read or written
// the alert is sent anyway: a rare duplicate is better than a silence.

import type { SNSEvent } from 'aws-lambda';
import type { ClaimResult, DeliveryLedger } from '../adapters/delivery-ledger';
import { decodeSnsMessage, type SnsInput } from '../core/notify/decode';
import type { Notice } from '../core/notify/notice';
import type { Presentation } from '../core/notify/presentation';
import type { Clock } from '../core/ports';

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
  /** For people: `Slack`, `PagerDuty`, `webhook incident-io`. */
  readonly name: string;
  deliver(
    notice: Notice,
    context: { readonly deadlineAt: number; readonly log: NotifyLog },
  ): Promise<Delivery>;
}

export type Ledger = Pick<DeliveryLedger, 'claim' | 'posted' | 'release'>;

export interface NotifyDeps {
  readonly presentation: Presentation;
  readonly channel: Channel;
  readonly log: NotifyLog;
  /** Where deliveries are recorded; null: none (each invocation sends what it is given). */
  readonly ledger: Ledger | null;
  readonly clock: Clock;
}

export interface NotifyResult {
  /** Messages sent by this invocation (one already sent, or being sent elsewhere, is not). */
  readonly posted: number;
}

export interface Invocation {
  /** Epoch ms at which Lambda stops the invocation. */
  readonly endsAt: number;
  /** Owns the delivery records it claims (the request id). */
  readonly owner: string;
  /** Kept free at the end for the delivery record's write and the logs. */
  readonly reserveMs: number;
}

export async function notifyRecords(
  event: SNSEvent,
  deps: NotifyDeps,
  invocation: Invocation,
): Promise<NotifyResult> {
  const { channel, log, ledger } = deps;
  let posted = 0;
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
    const about = {
      messageId: sns.MessageId,
      kind: notice.kind,
      code: notice.code,
      type: notice.type,
      deployment: notice.deployment,
      incident: notice.ref,
    };
    const claim = await claimDelivery(deps, sns.MessageId, invocation, about);
    if (claim.outcome === 'posted') {
      log.info(`already posted to ${channel.name}; not posting again`, {
        ...about,
        postedAt: claim.postedAt,
      });
      continue;
    }
    if (claim.outcome === 'busy') {
      log.info('another invocation is posting this message; leaving it to it', about);
      continue;
    }
    let result: Delivery;
    try {
      result = await channel.deliver(notice, { deadlineAt: invocation.endsAt - invocation.reserveMs, log });
    } catch (error) {
      await ledger?.release(sns.MessageId, invocation.owner).catch((e: unknown) =>
        // The record then frees itself when this invocation's lease ends, before Lambda retries.
        log.warn('could not release the delivery record', { ...about, error: (e as Error).message }),
      );
      throw error;
    }
    // Failing now would make Lambda send it again: record what can be recorded, and say so.
    await ledger
      ?.posted(sns.MessageId, invocation.owner, deps.clock())
      .catch((e: unknown) =>
        log.error(
          `posted to ${channel.name}, but could not record it: a retry of this message would post it again`,
          { ...about, error: (e as Error).message },
        ),
      );
    log.info(`delivered to ${channel.name}`, { ...about, attempts: result.attempts, note: result.note });
    posted++;
  }
  return { posted };
}

/** The delivery record's verdict; when it cannot be had, deliver anyway (better twice than never). */
async function claimDelivery(
  deps: NotifyDeps,
  messageId: string,
  invocation: Invocation,
  about: Record<string, unknown>,
): Promise<ClaimResult> {
  if (deps.ledger === null) return { outcome: 'mine' };
  try {
    return await deps.ledger.claim(messageId, invocation.owner, deps.clock(), invocation.endsAt);
  } catch (error) {
    deps.log.warn('could not check the delivery record; posting anyway (a retry may post it twice)', {
      ...about,
      error: (error as Error).message,
    });
    return { outcome: 'mine' };
  }
}
