// One poller invocation, with every outside thing injected: for each configured deployment, in
// parallel, poll -> detect -> advance incidents -> store -> publish through the outbox (state.ts).
// With `pollEverySeconds` it keeps polling within the scheduled minute, each deployment at its own
// phase of the tick, and, between polls, listens to the sentinels' pub/sub so that a failover is
// polled at once instead of at the next tick; it hands over to the next run (handover.ts,
// shard-handover.ts). It stops early enough to save and publish before the next scheduled invocation
// and before its own timeout.
//
// This file is the invocation loop; one poll and its state load-save are in poll-once.ts, publishing
// the outbox in deliver.ts, the shared types and defaults in types.ts.

import type { Credentials, DeploymentConfig, WatchConfig } from '../core/config';
import { SentinelWatchError } from '../core/errors';
import { type SentinelEvent, TRIGGER_EVENTS } from '../core/sentinel-event';
import type { Address } from '../core/types';
import { TIMELINE_NOISE } from '../core/watch-cycle';
import { freshCredentials } from './fresh-credentials';
import { nextTickAt, phaseMs, type RunMark } from './handover';
import { pollOnce, TIMELINE_WINDOW_MS } from './poll-once';
import { ShardHandover } from './shard-handover';
import {
  type Budget,
  errorText,
  type PollerDeps,
  type PollerLog,
  RUN_DEFAULTS,
  type RunOptions,
  silentLog,
} from './types';
import { resolveCredentials } from './wiring';

export type {
  LagProbe,
  PollerDeps,
  PollerLog,
  PollReport,
  Probe,
  PublishRetry,
  RunOptions,
  Sleep,
  Subscribe,
  SubscribeRequest,
} from './types';
export { RUN_DEFAULTS } from './types';
export { lagProbeWith, probeWith, resolveCredentials, sleep } from './wiring';

/** After a lag sample triggered a poll, the next sample may trigger no sooner than this. */
const LAG_TRIGGER_GAP_MS = 5_000;

/** Lost saves in a row after which a run leaves the deployment to the other run. */
const MAX_CONFLICT_RETRIES = 3;

export interface DeploymentSummary {
  readonly deployment: string;
  readonly polls: number;
  readonly published: number;
  /** Alerts left pending for the next poll or invocation. */
  readonly pending: number;
  /**
   * `conflict`: another invocation saved this deployment's state first and carries on with it;
   * `superseded`: a later run (the next minute's, see handover.ts) has taken this deployment over.
   */
  readonly stopped: 'done' | 'conflict' | 'superseded' | 'error';
  readonly error?: string;
}

export interface RunSummary {
  readonly deployments: readonly DeploymentSummary[];
}

/** Some deployments could not be polled or their state not saved; the others were. */
export class PollerError extends SentinelWatchError {
  constructor(
    readonly failures: readonly { readonly deployment: string; readonly error: string }[],
    options?: { cause?: unknown },
  ) {
    super(
      `poll failed for ${failures.length} deployment${failures.length === 1 ? '' : 's'}: ${failures
        .map((f) => `${f.deployment}: ${f.error}`)
        .join('; ')}`,
      options,
    );
  }
}

/**
 * One invocation. Resolves with a summary when every deployment was handled (a lost race to another
 * invocation included); rejects with PollerError, after the others are done, when some could not be.
 */
export async function runPoller(
  config: WatchConfig,
  deps: PollerDeps,
  options: RunOptions,
): Promise<RunSummary> {
  const startedAt = deps.clock();
  const remaining = Math.max(0, options.remainingMs());
  const budget = {
    startedAt,
    hardEnd: startedAt + remaining,
    stopAt: startedAt + Math.min(options.windowMs ?? RUN_DEFAULTS.windowMs, remaining),
    reserveMs: options.reserveMs ?? RUN_DEFAULTS.reserveMs,
  };
  const me: RunMark = { startedAt, owner: options.owner };
  const handover = new ShardHandover(
    { runs: deps.runs, clock: deps.clock, sleep: deps.sleep, log: deps.log ?? silentLog },
    me,
    config.pollEverySeconds === null ? null : (options.handover ?? null),
    config.deployments.map((d) => d.name),
  );
  await handover.begin();
  const watching = handover.watch();
  const summaries = await Promise.all(
    config.deployments.map((d, i) => watchDeployment(config, d, i, deps, options, budget, handover)),
  ).finally(() => handover.stop());
  await watching;
  await handover.done();
  const failures = summaries
    .filter((s) => s.stopped === 'error')
    .map((s) => ({ deployment: s.deployment, error: s.error ?? 'unknown error' }));
  if (failures.length > 0) throw new PollerError(failures);
  return { deployments: summaries };
}

async function watchDeployment(
  config: WatchConfig,
  d: DeploymentConfig,
  index: number,
  deps: PollerDeps,
  options: RunOptions,
  budget: Budget,
  handover: ShardHandover,
): Promise<DeploymentSummary> {
  const log = deps.log ?? silentLog;
  const everyMs = config.pollEverySeconds === null ? null : config.pollEverySeconds * 1000;
  const me: RunMark = { startedAt: budget.startedAt, owner: options.owner };
  const debounceMs = options.debounceMs ?? RUN_DEFAULTS.debounceMs;
  const minGapMs = options.minGapMs ?? RUN_DEFAULTS.minGapMs;
  const events: SentinelEvent[] = [];
  let wake: AbortController | null = null;
  let triggered = false;
  // A +switch-master since the last poll started: that poll cannot have seen the new master.
  let switchHeard = false;
  let lastLagTriggerAt = Number.NEGATIVE_INFINITY;
  let master: Address | null = null;
  let polls = 0;
  let published = 0;
  let pending = 0;
  let subscription: Promise<{ close(): Promise<void> } | null> | null = null;
  let conflicts = 0;
  // This deployment's clock polls come at its phase of each tick (handover.ts).
  const phase = everyMs === null ? 0 : phaseMs(index, config.deployments.length, everyMs);
  const offHandover = handover.onHandedOver(() => wake?.abort());
  const stopHere = () => ({ deployment: d.name, polls, published, pending, stopped: 'superseded' }) as const;

  const onEvent = (event: SentinelEvent): void => {
    if (event.type.startsWith('__')) return; // hello messages between sentinels
    if (!TIMELINE_NOISE.includes(event.type)) events.push(event);
    const cutoff = deps.clock() - TIMELINE_WINDOW_MS;
    while (events.length > 0 && (events[0].at < cutoff || events.length > 100)) events.shift();
    if (event.type === '+switch-master') switchHeard = true;
    if (TRIGGER_EVENTS.includes(event.type)) {
      triggered = true;
      wake?.abort();
    }
  };
  /**
   * Sleeps until `until` or a sentinel event; with a lag probe, in slices of lagCheckMs, sampling the
   * master's replication view after each: a replica behind triggers a poll now (at most one such
   * trigger per LAG_TRIGGER_GAP_MS: the poll is the judge, a sample only calls it).
   */
  const waitUntil = async (until: number, current: () => Credentials): Promise<void> => {
    const lag = deps.lag;
    const every = lag && d.lagCheckMs > 0 ? d.lagCheckMs : null;
    while (!triggered && !handover.handedOver) {
      const now = deps.clock();
      if (now >= until) return;
      wake = new AbortController();
      await deps.sleep(every === null ? until - now : Math.min(until - now, every), wake.signal);
      wake = null;
      if (triggered || every === null || !lag || master === null || deps.clock() >= until) continue;
      if (deps.clock() - lastLagTriggerAt < LAG_TRIGGER_GAP_MS) continue;
      if (await lag(d, current(), master).catch(() => false)) {
        lastLagTriggerAt = deps.clock();
        log.info('a replica looks behind between polls: polling now', { deployment: d.name });
        triggered = true;
      }
    }
  };
  // A poll may start only if it can finish, and leave the reserve, before the window closes.
  const latestStart = budget.stopAt - d.pollTimeoutMs - budget.reserveMs;

  try {
    const credentials = await resolveCredentials(d, index, deps.secrets, deps.env ?? {});
    // A password a server refuses is read again from its secret before the poll is judged.
    const fresh = freshCredentials(
      deps.probe,
      d,
      credentials,
      (again) => resolveCredentials(d, index, deps.secrets, deps.env ?? {}, again),
      log,
    );
    const pollDeps: PollerDeps = { ...deps, probe: fresh.probe };
    // Listen before the first poll saves: the previous run stops once it sees that save (handover.ts),
    // and by then this run must already hear the sentinels.
    if (everyMs !== null && deps.subscribe) {
      subscription = deps
        .subscribe({
          deployment: d.name,
          masterName: d.masterName,
          sentinels: d.sentinels.map((a) => ({
            ...a,
            tls: d.tls,
            ...(credentials.sentinelPassword ? { password: credentials.sentinelPassword } : {}),
            ...(credentials.sentinelUsername ? { username: credentials.sentinelUsername } : {}),
          })),
          timeoutMs: d.timeoutMs,
          onEvent,
        })
        .catch((error: unknown) => {
          log.warn('could not listen to sentinel events; polling on the clock only', {
            deployment: d.name,
            error: errorText(error),
          });
          return null;
        });
      await subscription;
    }
    handover.subscribed(d.name);
    // An earlier run still watches (and keeps listening until this one does): the first clock poll
    // comes at this deployment's phase, after that run has had a check to see this one listening.
    if (everyMs !== null && handover.predecessor) {
      const listeningAt = (await handover.listening) ?? deps.clock();
      const first = nextTickAt(Math.max(deps.clock(), listeningAt + handover.checkEveryMs), phase, everyMs);
      await waitUntil(Math.min(first, latestStart), fresh.current);
      if (handover.handedOver && !triggered) return stopHere();
      if (!triggered && first > latestStart) {
        return { deployment: d.name, polls, published, pending, stopped: 'done' };
      }
    }
    // Read only when a poll finds a drill lock (cached for the invocation).
    let drillKey: Promise<string | null> | null = null;
    const readKey = () => {
      drillKey ??= readDrillKey(deps, d.name, log);
      return drillKey;
    };
    for (;;) {
      // This poll sees whatever the events so far announced; only later ones call for another.
      triggered = false;
      switchHeard = false;
      const pollStartedAt = deps.clock();
      const result = await pollOnce(
        config,
        d,
        fresh.current(),
        pollDeps,
        options,
        budget,
        events,
        me,
        readKey,
      );
      // The next switch's timeline starts after this one's.
      if (result.switched) events.length = 0;
      master = result.master ?? null;
      if (result.status === 'superseded') {
        log.info('a later run watches this deployment now; stopping here', { deployment: d.name });
        return { deployment: d.name, polls, published, pending, stopped: 'superseded' };
      }
      polls++;
      published += result.published;
      pending = result.pending;
      if (result.status === 'conflict') {
        // An earlier run (in its handover seconds) or a duplicate delivery saved first: its alerts
        // stand. Poll again at once from the state that won; a run that started later stops instead.
        conflicts++;
        if (everyMs === null || conflicts >= MAX_CONFLICT_RETRIES) {
          log.info('another invocation saved this deployment first: it sends the alerts; stopping here', {
            deployment: d.name,
          });
          return { deployment: d.name, polls, published, pending, stopped: 'conflict' };
        }
        continue;
      }
      conflicts = 0;
      if (everyMs === null) break;
      // The next run listens to the whole shard: stop unless an event asked for a poll.
      if (handover.handedOver && !triggered) return stopHere();
      // Wait for the next tick, or for a sentinel event (then a short debounce for the rest of the
      // burst). Near the end of the window, only an event can still start a poll.
      const nextTick = nextTickAt(pollStartedAt + everyMs / 2, phase, everyMs);
      if (!triggered) {
        const now = deps.clock();
        if (now >= latestStart) break;
        const until = Math.min(nextTick, latestStart);
        await waitUntil(until, fresh.current);
        if (handover.handedOver && !triggered) return stopHere();
        if (!triggered && until < nextTick) break;
      }
      if (triggered) {
        // The gap keeps a burst of events from polling back to back; a switch the last poll could
        // not have seen is polled after the debounce alone (a failover has one +switch-master).
        const gap = switchHeard ? 0 : pollStartedAt + minGapMs - deps.clock();
        await deps.sleep(Math.max(debounceMs, gap));
      }
      if (deps.clock() > latestStart) break;
    }
    return { deployment: d.name, polls, published, pending, stopped: 'done' };
  } catch (error) {
    log.error('poll failed', { deployment: d.name, error: errorText(error) });
    return { deployment: d.name, polls, published, pending, stopped: 'error', error: errorText(error) };
  } finally {
    handover.subscribed(d.name);
    offHandover();
    const sub = await subscription;
    await sub?.close().catch(() => undefined);
  }
}

/** The drill key, once per invocation; unreadable means none: drills are paged, polls go on. */
async function readDrillKey(deps: PollerDeps, deployment: string, log: PollerLog): Promise<string | null> {
  try {
    return (await deps.drillKey?.()) ?? null;
  } catch (error) {
    log.warn('could not read the drill key: a drill on this deployment is reported as critical', {
      deployment,
      error: errorText(error),
    });
    return null;
  }
}
