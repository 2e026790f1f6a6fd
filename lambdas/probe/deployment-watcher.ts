// Watches one deployment: polls on an interval and, between polls, listens to the sentinels' pub/sub so
// that a failover is seen within about a second instead of at the next interval. Polls stay the source
// of truth: an event only makes the next poll happen now.

import type { EventSubscription, SubscribeOptions } from '../adapters/sentinel-events';
import type { BatchTarget, RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import { type DetectContext, type DetectionSettings, detectionSettings } from '../core/detect';
import { drillContextOf, type RememberedDrill } from '../core/drill-context';
import type { Notification } from '../core/incidents';
import type { Clock } from '../core/ports';
import { type SentinelEvent, TRIGGER_EVENTS } from '../core/sentinel-event';
import type { Finding, Snapshot } from '../core/types';
import { sameAddress } from '../core/types';
import { advanceWatch, emptyWatchState, type WatchState } from '../core/watch-cycle';
import { pollDeployment } from './poll-deployment';
import { sentinelTarget } from './targets';

export interface WatcherDeps {
  readonly runBatch: RunBatch;
  readonly now: Clock;
  /** Sentinel pub/sub; without it the watcher only polls. */
  readonly subscribe?: (options: SubscribeOptions) => Promise<EventSubscription>;
  /** The drill key (drill-lock.ts): without it no drill lock is trusted, every switch is paged. */
  readonly drillKey?: string | null;
}

export interface WatchStep {
  readonly snapshot: Snapshot;
  readonly findings: readonly Finding[];
  readonly notifications: readonly Notification[];
  /** Why this poll ran: the interval, or the sentinel event that triggered it. */
  readonly trigger: 'interval' | 'event';
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

export class DeploymentWatcher {
  private state: WatchState = emptyWatchState();
  private pending: SentinelEvent[] = [];
  private readonly settings: DetectionSettings;
  private stopped = false;
  private wakeRequested = false;
  private wake: (() => void) | null = null;
  private following: { readonly to: SentinelEvent['switch']; readonly until: number } | null = null;
  private rememberedDrill: RememberedDrill | null = null;

  constructor(
    private readonly deployment: DeploymentConfig,
    private readonly credentials: Credentials,
    private readonly deps: WatcherDeps,
  ) {
    this.settings = detectionSettings(deployment);
  }

  /** One poll and one step of detection and the incident lifecycle. */
  async pollOnce(context?: DetectContext, trigger: WatchStep['trigger'] = 'interval'): Promise<WatchStep> {
    const snapshot = await pollDeployment(this.deployment, this.credentials, {
      runBatch: this.deps.runBatch,
      now: this.deps.now,
    });
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
    const result = advanceWatch({
      state: this.state,
      snapshot,
      settings: this.settings,
      reminderMinutes: this.deployment.reminderMinutes,
      now,
      events,
      ...(effective ? { context: effective } : {}),
    });
    this.state = result.state;
    return {
      snapshot: { ...snapshot, findings: result.findings },
      findings: result.findings,
      notifications: result.notifications,
      trigger,
    };
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
        trigger = await this.sleep(this.following ? SWITCH_FOLLOW_INTERVAL_MS : options.intervalMs);
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

  private sleep(ms: number): Promise<WatchStep['trigger']> {
    if (this.stopped) return Promise.resolve('interval');
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve('event');
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve('interval');
      }, ms);
      this.wake = () => {
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
