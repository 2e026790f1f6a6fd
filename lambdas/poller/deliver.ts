// Steps 3 and 4 of the outbox protocol (state.ts): publish the entries this invocation claimed, then
// record what was sent in a conditional save that keeps a concurrent writer's changes.
//
// Nothing here may starve the other alerts or send one twice:
//   - a message SNS rejects for good (an invalid parameter) is marked `failed`, logged, counted
//     (the AlertsRejected metric has its own alarm), and the next entry is published;
//   - a failure that may pass (throttling, a timeout) is retried with backoff; when it persists,
//     publishing stops so the rest keep their order (an `opened` must not arrive after its `resolved`);
//   - no try starts that could not end before the record of the outcome must start;
//   - a transient DynamoDB error on that record is retried while time remains: giving up means the
//     sent entries stay claimed and are sent again when the lease ends.

import { renderAlert } from '../core/alert-text';
import { loadPollerState, type OutboxEntry, type PollerState, type PublishOutcome, settle } from './state';
import {
  type Budget,
  errorText,
  FINAL_MARGIN_MS,
  type PollerDeps,
  type PublishRetry,
  RUN_DEFAULTS,
  type RunOptions,
  silentLog,
} from './types';

const MARK_ATTEMPTS = 5;
/** First backoff of a failed record; doubles per try, with jitter. */
const MARK_BASE_DELAY_MS = 200;

/** Publishing stops here: recording its outcome (one state write) still fits before the Lambda ends. */
export function publishDeadline(budget: Budget, options: RunOptions): number {
  const store = options.storeCallTimeoutMs ?? RUN_DEFAULTS.storeCallTimeoutMs;
  return budget.hardEnd - store - FINAL_MARGIN_MS;
}

const backoff = (base: number, max: number, attempt: number, random: () => number): number =>
  Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + random() / 2);

/** Step 3: publish the claimed entries, oldest first (see the rules at the top). */
export async function publishClaimed(
  entries: readonly OutboxEntry[],
  deps: PollerDeps,
  options: RunOptions,
  budget: Budget,
  deployment: string,
): Promise<PublishOutcome[]> {
  const log = deps.log ?? silentLog;
  const retry: PublishRetry = { ...RUN_DEFAULTS.publish, ...options.publish };
  const random = deps.random ?? Math.random;
  const deadline = publishDeadline(budget, options);
  // A try starts only if it ends, even when SNS never answers, before the deadline.
  const fits = (extraMs: number) => deps.clock() + extraMs + retry.callTimeoutMs <= deadline;
  const outcomes: PublishOutcome[] = [];
  for (const entry of [...entries].sort((a, b) => a.queuedAt - b.queuedAt)) {
    const about = {
      deployment,
      alert: entry.key,
      code: entry.notification.code,
      type: entry.notification.type,
      severity: entry.notification.severity,
    };
    let attempts = 0;
    let lastError: string | null = null;
    let sent = false;
    let rejected = false;
    while (attempts < retry.attempts && fits(0)) {
      attempts++;
      try {
        await deps.publisher.publish(renderAlert(entry.notification));
        sent = true;
        break;
      } catch (error) {
        lastError = errorName(error);
        const e = error as { retryable?: unknown; rejected?: unknown } | undefined;
        const retryable = e?.retryable !== false;
        rejected = e?.rejected === true;
        log.warn('publish failed', {
          deployment,
          alert: entry.key,
          attempt: attempts,
          error: errorText(error),
          retryable,
        });
        if (!retryable || attempts >= retry.attempts) break;
        const delay = backoff(retry.baseDelayMs, retry.maxDelayMs, attempts, random);
        if (!fits(delay)) break;
        await deps.sleep(delay);
      }
    }
    if (sent) {
      outcomes.push({ key: entry.key, sent: true, attempts, at: deps.clock() });
      log.info('alert published', { ...about, attempts });
      continue;
    }
    if (rejected) {
      // The same message would be refused every time: record it, say so, and go on with the others.
      outcomes.push({ key: entry.key, sent: false, attempts, error: lastError, rejectedAt: deps.clock() });
      log.error('alert rejected by SNS: not sent, not retried', {
        ...about,
        subject: entry.notification.subject,
        error: lastError,
      });
      continue;
    }
    outcomes.push({ key: entry.key, sent: false, attempts, error: lastError });
    // The rest stay queued in order: an `opened` must not arrive after its `resolved`.
    break;
  }
  return outcomes;
}

/**
 * Step 4: record the outcomes. On a conflict, re-read and re-apply our own outcomes only; on a
 * transient error, try again with backoff while a write still fits before the Lambda ends (the
 * failed write may have landed: the next try then meets a conflict and re-applies, which is safe).
 * Throws the last error when every try failed with one.
 */
export async function recordOutcomes(
  deployment: string,
  saved: PollerState,
  savedVersion: number,
  outcomes: readonly PublishOutcome[],
  deps: PollerDeps,
  options: RunOptions,
  budget: Budget,
): Promise<readonly OutboxEntry[]> {
  const log = deps.log ?? silentLog;
  const random = deps.random ?? Math.random;
  const storeMs = options.storeCallTimeoutMs ?? RUN_DEFAULTS.storeCallTimeoutMs;
  const fits = (extraMs: number) => deps.clock() + extraMs + storeMs <= budget.hardEnd - FINAL_MARGIN_MS;
  let base = saved;
  let version = savedVersion;
  let failure: unknown = null;
  for (let attempt = 1; attempt <= MARK_ATTEMPTS; attempt++) {
    try {
      const outbox = settle(base.outbox, options.owner, outcomes);
      const result = await deps.store.saveState(deployment, { ...base, outbox }, version);
      if (result === 'saved') return outbox;
      const reloaded = await deps.store.loadState<unknown>(deployment);
      if (!reloaded) break;
      base = loadPollerState(reloaded.state);
      version = reloaded.version;
      failure = null;
    } catch (error) {
      failure = error;
      const retryable = (error as { retryable?: unknown } | undefined)?.retryable !== false;
      const delay = backoff(MARK_BASE_DELAY_MS, 2_000, attempt, random);
      if (!retryable || attempt === MARK_ATTEMPTS || !fits(delay)) break;
      log.warn('could not record which alerts were sent; retrying', {
        deployment,
        attempt,
        error: errorText(error),
      });
      await deps.sleep(delay);
    }
  }
  // Sent alerts stay claimed by us until the lease ends, then are sent again: say so loudly.
  log.error('could not record which alerts were sent; they may be sent again after the lease', {
    deployment,
    alerts: outcomes.filter((o) => o.sent).map((o) => o.key),
    ...(failure === null ? {} : { error: errorText(failure) }),
  });
  if (failure !== null) throw failure;
  return saved.outbox;
}

/** What the entry keeps of an error: the SDK's error name when the publisher gives it. */
function errorName(error: unknown): string {
  const e = error as { errorName?: unknown; name?: unknown } | undefined;
  if (typeof e?.errorName === 'string') return e.errorName;
  return typeof e?.name === 'string' ? e.name : 'Error';
}
