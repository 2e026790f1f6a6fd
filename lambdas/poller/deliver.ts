// Steps 3 and 4 of the outbox protocol (state.ts): publish the entries this invocation claimed, then
// record what was sent in a conditional save that keeps a concurrent writer's changes.

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

/** Publishing stops here: recording its outcome (one state write) still fits before the Lambda ends. */
export function publishDeadline(budget: Budget, options: RunOptions): number {
  const store = options.storeCallTimeoutMs ?? RUN_DEFAULTS.storeCallTimeoutMs;
  return budget.hardEnd - store - FINAL_MARGIN_MS;
}

/** Step 3: publish the claimed entries, oldest first; stop at the first one that keeps failing. */
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
    let attempts = 0;
    let lastError: string | null = null;
    let sent = false;
    while (attempts < retry.attempts && fits(0)) {
      attempts++;
      try {
        await deps.publisher.publish(renderAlert(entry.notification));
        sent = true;
        break;
      } catch (error) {
        lastError = (error as Error | undefined)?.name ?? 'Error';
        const retryable = (error as { retryable?: unknown } | undefined)?.retryable !== false;
        log.warn('publish failed', {
          deployment,
          alert: entry.key,
          attempt: attempts,
          error: errorText(error),
          retryable,
        });
        if (!retryable || attempts >= retry.attempts) break;
        const delay =
          Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempts - 1)) * (0.5 + random() / 2);
        if (!fits(delay)) break;
        await deps.sleep(delay);
      }
    }
    if (sent) {
      outcomes.push({ key: entry.key, sent: true, attempts, at: deps.clock() });
      log.info('alert published', {
        deployment,
        alert: entry.key,
        code: entry.notification.code,
        type: entry.notification.type,
        severity: entry.notification.severity,
        attempts,
      });
      continue;
    }
    outcomes.push({ key: entry.key, sent: false, attempts, error: lastError });
    // The rest stay queued in order: an `opened` must not arrive after its `resolved`.
    break;
  }
  return outcomes;
}

/** Step 4: record what was sent; on a conflict re-read and re-apply our own outcomes only. */
export async function recordOutcomes(
  deployment: string,
  saved: PollerState,
  savedVersion: number,
  outcomes: readonly PublishOutcome[],
  deps: PollerDeps,
  options: RunOptions,
): Promise<readonly OutboxEntry[]> {
  const log = deps.log ?? silentLog;
  let base = saved;
  let version = savedVersion;
  for (let attempt = 1; attempt <= MARK_ATTEMPTS; attempt++) {
    const outbox = settle(base.outbox, options.owner, outcomes);
    const result = await deps.store.saveState(deployment, { ...base, outbox }, version);
    if (result === 'saved') return outbox;
    const reloaded = await deps.store.loadState<unknown>(deployment);
    if (!reloaded) break;
    base = loadPollerState(reloaded.state);
    version = reloaded.version;
  }
  // Sent alerts stay claimed by us until the lease ends, then are sent again: say so loudly.
  log.error('could not record which alerts were sent; they may be sent again after the lease', {
    deployment,
    alerts: outcomes.filter((o) => o.sent).map((o) => o.key),
  });
  return saved.outbox;
}
