// Watches one deployment: polls on an interval and, between polls, listens to the sentinels' pub/sub so
// that a failover is seen within about a second instead of at the next interval, and samples the
// master's replication offsets every `lagCheckMs` so a lagging replica is too. Polls stay the source
// of truth: an event or a sample only makes the next poll happen now. Event-triggered polls are
// throttled (the first at once, then at most one per EVENT_MIN_GAP_MS): a flood of events is a few
// polls, not one per event.

import type { EventSubscription, SubscribeOptions } from '../adapters/sentinel-events';
import type { BatchTarget, RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import { type DetectContext, type DetectionSettings, detectionSettings } from '../core/detect';
import { drillContextOf, type RememberedDrill } from '../core/drill-context';
import type { IncidentState, Notification } from '../core/incidents';
import type { Clock } from '../core/ports';
import { type SentinelEvent, TRIGGER_EVENTS } from '../core/sentinel-event';
import type { Silence } from '../core/silence';
import type { SilencedNotification } from '../core/silence-policy';
import type { SilenceReader } from '../core/store-ports';
import type { Finding, Snapshot } from '../core/types';
import { sameAddress } from '../core/types';
import { advanceWatch, emptyWatchState, type WatchState } from '../core/watch-cycle';
import { readLag } from './lag-sampler';
import { pollDeployment } from './poll-deployment';
import { nodeTarget, sentinelTarget } from './targets';

export interface WatcherDeps {
  readonly runBatch: RunBatch;
  readonly now: Clock;
  /** One poll of the deployment; default: pollDeployment over `runBatch` (tests pass plain snapshots). */
  readonly poll?: typeof pollDeployment;
  /** Sentinel pub/sub; without it the watcher only polls. */
  readonly subscribe?: (options: SubscribeOptions) => Promise<EventSubscription>;
  /** The drill key (drill-lock.ts): without it no drill lock is trusted, every switch is paged. */
  readonly drillKey?: string | null;
  /** Silences, read before each step; without it nothing is silenced. */
  readonly silences?: SilenceReader;
}

export interface WatchStep {
  readonly snapshot: Snapshot;
  readonly findings: readonly Finding[];
  readonly notifications: readonly Notification[];
  /** Why this poll ran: the interval, a sentinel event, or a replica that looked behind between polls. */
  readonly trigger: 'interval' | 'event' | 'lag';
  /** Notifications a silence held back. */
  readonly silenced?: readonly SilencedNotification[];
  /** The incident state after this step (open incidents by code, for /metrics). */
  readonly incidents?: IncidentState;
}

export interface RunOptions {
  readonly intervalMs: number;
  readonly onStep: (step: WatchStep) => void;
  readonly onEvent?: (event: SentinelEvent) => void;
  readonly context?: () => DetectContext | undefined;
}

/** After a `+switch-master`, poll this often until the sentinels' consensus shows the new master. */
const SWITCH_FOLLOW_INTERVAL_MS = 200;
const SWITCH_FOLLOW_MAX_MS = 15_000;
/** Event-triggered polls: the first at once, then at most one per this gap (a burst is one poll). */
export const EVENT_MIN_GAP_MS = 500;
/** After a lag sample triggered a poll, sample again no sooner than this (the poll is the judge). */
const LAG_TRIGGER_GAP_MS = 5000;

export class DeploymentWatcher {
  private state: WatchState = emptyWatchState();
  private pending: SentinelEvent[] = [];
  private readonly settings: DetectionSettings;
  private stopped = false;
  private wakeRequested = false;
  private wake: (() => void) | null = null;
  private following: { readonly to: SentinelEvent['switch']; readonly until: number } | null = null;
  private rememberedDrill: RememberedDrill | null = null;
  private lastPollAt = 0;
  private lastLagTriggerAt = 0;

  constructor(
    private readonly deployment: DeploymentConfig,
    private readonly credentials: Credentials,
    private readonly deps: WatcherDeps,
  ) {
    this.settings = detectionSettings(deployment);
  }

  /** One poll and one step of detection and the incident lifecycle. */
  async pollOnce(context?: DetectContext, trigger: WatchStep['trigger'] = 'interval'): Promise<WatchStep> {
    this.lastPollAt = this.deps.now();
    // This poll sees whatever the events so far announced; only later ones call for another.
    this.wakeRequested = false;
    const snapshot = await (this.deps.poll ?? pollDeployment)(
      this.deployment,
      this.credentials,
      { runBatch: this.deps.runBatch, now: this.deps.now },
      { previous: this.state.previous },
    );
    const now = this.deps.now();
    const events = this.pending.splice(0);
    // A drill (CLI or Lambda) holds a signed lock on the master: its own failover is planned, not paged.
    const drill = drillContextOf(snapshot, {
      deployment: this.deployment.name,
      key: this.deps.drillKey ?? null,
      now,
      remembered: this.rememberedDrill,
      events: [...this.state.events, ...events],
    });
    this.rememberedDrill = drill.remember;
    const effective = context ?? drill.context;
    const silences = await this.readSilences(now);
    const result = advanceWatch({
      state: this.state,
      snapshot,
      settings: this.settings,
      reminderMinutes: this.deployment.reminderMinutes,
      now,
      events,
      ...(effective ? { context: effective } : {}),
      silences,
    });
    this.state = result.state;
    return {
      snapshot: { ...snapshot, findings: result.findings },
      findings: result.findings,
      notifications: result.notifications,
      trigger,
      silenced: result.silenced ?? [],
      incidents: result.state.incidents,
    };
  }

  /** This deployment's silences; null when the read failed (the step keeps the ones read last). */
  private async readSilences(now: number): Promise<readonly Silence[] | null> {
    if (!this.deps.silences) return [];
    try {
      return await this.deps.silences.silencesFor(this.deployment.name, now);
    } catch {
      return null;
    }
  }

  /** Polls until `stop()`. Resolves once the last poll finished and every connection is closed. */
  async run(options: RunOptions): Promise<void> {
    const subscription = this.deps.subscribe
      ? await this.deps.subscribe({
          sentinels: this.sentinelTargets(),
          masterName: this.deployment.masterName,
          timeoutMs: this.deployment.timeoutMs,
          now: this.deps.now,
          onEvent: (event) => this.onEvent(event, options),
        })
      : null;
    try {
      let trigger: WatchStep['trigger'] = 'interval';
      while (!this.stopped) {
        const step = await this.pollOnce(options.context?.(), trigger);
        options.onStep(step);
        if (
          this.following &&
          (sameAddress(step.snapshot.master, this.following.to?.to ?? null) ||
            this.deps.now() > this.following.until)
        ) {
          this.following = null;
        }
        trigger = await this.between(this.following ? SWITCH_FOLLOW_INTERVAL_MS : options.intervalMs);
      }
    } finally {
      await subscription?.close();
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private onEvent(event: SentinelEvent, options: RunOptions): void {
    this.pending.push(event);
    options.onEvent?.(event);
    if (event.type === '+switch-master' && event.switch) {
      this.following = { to: event.switch, until: this.deps.now() + SWITCH_FOLLOW_MAX_MS };
    }
    if (TRIGGER_EVENTS.includes(event.type)) {
      this.wakeRequested = true;
      this.wake?.();
    }
  }

  /**
   * Waits until the next poll is due: the interval, an event (no sooner than EVENT_MIN_GAP_MS after
   * the last poll), or a lag sample that shows a replica behind.
   */
  private async between(intervalMs: number): Promise<WatchStep['trigger']> {
    const due = this.deps.now() + intervalMs;
    const lagEvery = this.deployment.lagCheckMs;
    while (!this.stopped) {
      const now = this.deps.now();
      if (now >= due) return 'interval';
      const slice = lagEvery > 0 ? Math.min(due - now, lagEvery) : due - now;
      if ((await this.sleep(slice)) === 'event') {
        const gap = this.lastPollAt + EVENT_MIN_GAP_MS - this.deps.now();
        if (gap > 0) await this.sleep(gap, false);
        return 'event';
      }
      if (lagEvery > 0 && (await this.lagBehind())) return 'lag';
    }
    return 'interval';
  }

  /** One lag sample of the master the last poll found, at most once per LAG_TRIGGER_GAP_MS a trigger. */
  private async lagBehind(): Promise<boolean> {
    const master = this.state.previous?.master;
    if (!master || this.deps.now() - this.lastLagTriggerAt < LAG_TRIGGER_GAP_MS) return false;
    const sample = await readLag(
      this.deps.runBatch,
      nodeTarget(this.deployment, this.credentials, master),
      this.deployment.timeoutMs,
      this.settings,
    );
    if (!sample.behind) return false;
    this.lastLagTriggerAt = this.deps.now();
    return true;
  }

  /** Sleeps `ms`; an event ends it early (unless `wakeable` is false), reported as 'event'. */
  private sleep(ms: number, wakeable = true): Promise<'event' | 'timeout'> {
    if (this.stopped) return Promise.resolve('timeout');
    if (wakeable && this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve('event');
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve('timeout');
      }, ms);
      this.wake = () => {
        if (!wakeable && !this.stopped) return;
        clearTimeout(timer);
        this.wake = null;
        this.wakeRequested = false;
        resolve('event');
      };
    });
  }

  private sentinelTargets(): BatchTarget[] {
    return this.deployment.sentinels.map((a) => sentinelTarget(this.deployment, this.credentials, a));
  }
}
