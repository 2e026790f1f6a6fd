// A failover timeline as data every channel shares, and as lines a person reads in any font: each line
// says when (offset from the first event, and the UTC clock), what the sentinel said, and which
// sentinel said it, in that order, with no column alignment that only a monospace font would keep.

/** `details.timeline` of MASTER_CHANGED / FAILOVER_ABORTED, normalised. */
export interface NoticeTimeline {
  readonly leader: string | null;
  readonly entries: readonly NoticeTimelineEntry[];
  /** Entries left out beyond MAX_TIMELINE_ENTRIES. */
  readonly omitted: number;
}

export interface NoticeTimelineEntry {
  /** ISO time, or null when the entry had none. */
  readonly at: string | null;
  /** From the first entry with a time. */
  readonly offsetMs: number | null;
  readonly sentinel: string | null;
  /** `+sdown`, `+switch-master`, ... */
  readonly event: string;
  /** The rest of Sentinel's message, e.g. `master mymaster 10.0.1.61 6379`. */
  readonly detail: string;
}

/** Timelines are capped at 60 entries where they are built; this bounds anything else handed in. */
export const MAX_TIMELINE_ENTRIES = 100;

/**
 * From a FailoverTimeline (`{ entries, leader }`) or a bare array of entries; null when there is none.
 * Unknown extra keys of an entry (e.g. `epoch`) become `key=value` in its detail.
 */
export function noticeTimeline(value: unknown): NoticeTimeline | null {
  const list = Array.isArray(value) ? value : (value as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) return null;
  const leaderValue = Array.isArray(value) ? null : (value as { leader?: unknown } | null)?.leader;
  const raw = list.filter(
    (e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof e.type === 'string',
  );
  if (raw.length === 0) return null;
  const times = raw.map((e) => toMs(e.at));
  const first = times.find((t) => t !== null) ?? null;
  const entries = raw.slice(0, MAX_TIMELINE_ENTRIES).map((e, i): NoticeTimelineEntry => {
    const { at: _at, sentinel, type, offsetMs: _offset, detail, ...rest } = e;
    const extra = Object.entries(rest)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    const t = times[i];
    return {
      at: t === null ? null : new Date(t).toISOString(),
      offsetMs: t === null || first === null ? null : t - first,
      sentinel: typeof sentinel === 'string' ? sentinel : null,
      event: String(type),
      detail: [typeof detail === 'string' ? detail : '', ...extra].filter((s) => s !== '').join(' '),
    };
  });
  return {
    leader: typeof leaderValue === 'string' ? leaderValue : null,
    entries,
    omitted: raw.length - entries.length,
  };
}

function toMs(at: unknown): number | null {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** `+1.15 s · 10:00:01.151 · +promoted-slave slave 10.0.1.63:6379 ... · sentinel 10.0.1.62:26379` */
export function timelineLine(e: NoticeTimelineEntry): string {
  const parts = [
    e.offsetMs === null ? null : `+${(e.offsetMs / 1000).toFixed(2)} s`,
    e.at === null ? null : e.at.slice(11, 23),
    `${e.event}${e.detail ? ` ${e.detail}` : ''}`,
    e.sentinel === null ? null : `sentinel ${e.sentinel}`,
  ];
  return parts.filter((p) => p !== null).join(' · ');
}

/** The heading a timeline is shown under: what the times are, and who led. */
export function timelineHeading(t: NoticeTimeline): string {
  return `Failover timeline, times UTC${t.leader ? ` (led by sentinel ${t.leader})` : ''}`;
}

/** At most `max` lines, the rest counted. */
export function timelineLines(t: NoticeTimeline, max: number): string[] {
  const shown = t.entries.slice(0, max).map(timelineLine);
  const more = t.entries.length - shown.length + t.omitted;
  if (more > 0) shown.push(`... ${more} more`);
  return shown;
}
