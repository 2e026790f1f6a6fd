// A failover's story as the sentinels told it: their pub/sub events from the master being seen down
// (or the failover being tried) to the end. Pure; used by MASTER_CHANGED, FAILOVER_ABORTED and the
// poller's alerts.

import type { SentinelEvent } from './sentinel-event';

/** One entry of a failover timeline, relative times in ms from its first event. */
export interface TimelineEntry {
  readonly at: string;
  readonly offsetMs: number;
  readonly sentinel: string;
  readonly type: string;
  readonly detail: string;
}

export interface FailoverTimeline {
  readonly entries: readonly TimelineEntry[];
  /** The sentinel that led the failover (published `+elected-leader` / `+failover-state-select-slave`). */
  readonly leader: string | null;
  /** ISO time of the first `+switch-master` heard. */
  readonly switchSeenAt: string | null;
  /** Why Sentinel gave up, e.g. `-failover-abort-no-good-slave`. */
  readonly aborted: string | null;
}

const LEADER_EVENTS = ['+elected-leader', '+failover-state-select-slave'];
/** How far before the switch a timeline reaches: down-after-milliseconds plus the election, generously. */
const TIMELINE_LOOKBACK_MS = 120_000;
const TIMELINE_MAX_ENTRIES = 60;
/** Bookkeeping between sentinels, left out of a timeline a person reads. */
export const TIMELINE_NOISE: readonly string[] = [
  '+new-epoch',
  '+vote-for-leader',
  '+slave',
  '+sentinel',
  '-dup-sentinel',
];
/** What starts a failover story: the master seen down, or a failover attempt (SENTINEL FAILOVER). */
const isFailoverStart = (e: SentinelEvent): boolean =>
  ((e.type === '+sdown' || e.type === '+odown') && e.instance?.role === 'master') ||
  e.type === '+try-failover' ||
  LEADER_EVENTS.includes(e.type);

/**
 * The sentinels' events of the latest failover, from the master being seen down (or the failover
 * being tried) to the end: earlier, unrelated events (a replica that blinked minutes ago) stay out.
 */
export function buildTimeline(events: readonly SentinelEvent[]): FailoverTimeline {
  const byTime = [...events].sort((a, b) => a.at - b.at);
  const end = byTime.find((e) => e.type === '+switch-master')?.at ?? byTime.at(-1)?.at ?? 0;
  const window = byTime.filter((e) => e.at >= end - TIMELINE_LOOKBACK_MS);
  const start = window.find((e) => isFailoverStart(e) && e.at <= end)?.at ?? window[0]?.at ?? 0;
  const story = window
    .filter((e) => e.at >= start && !TIMELINE_NOISE.includes(e.type))
    .slice(0, TIMELINE_MAX_ENTRIES);
  const first = story[0]?.at ?? 0;
  const switchEvent = story.find((e) => e.type === '+switch-master');
  const abort = story.find((e) => e.type.startsWith('-failover-abort'));
  return {
    entries: story.map((e) => ({
      at: new Date(e.at).toISOString(),
      offsetMs: e.at - first,
      sentinel: e.sentinel,
      type: e.type,
      detail: e.payload,
    })),
    leader: window.find((e) => LEADER_EVENTS.includes(e.type))?.sentinel ?? null,
    switchSeenAt: switchEvent ? new Date(switchEvent.at).toISOString() : null,
    aborted: abort ? abort.type : null,
  };
}
