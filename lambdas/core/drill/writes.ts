// What the drill's two writers saw, from their raw samples:
// - the sentinel-aware client: when it could not complete writes (outage windows) and whether any
//   write it was told succeeded is missing afterwards;
// - the plain connection to the old master: how long after `+switch-master` the old master still
//   acknowledged writes (split brain), and how many of its acknowledged writes were lost.

import type { ClientWriteSummary, OutageWindow, SplitBrainSummary, WriteSample } from './types';

/** Gaps between acknowledged writes longer than this count as an outage even without errors. */
export const DEFAULT_GAP_THRESHOLD_MS = 100;

export interface ClientWriteOptions {
  /** Epoch ms the window times are made relative to (the drill's start). */
  readonly origin: number;
  /** Sequence numbers found on the new master afterwards; null when they could not be read. */
  readonly present: ReadonlySet<number> | null;
  /** Epoch ms at which the writer was stopped (closes a window still open then). */
  readonly stoppedAt: number;
  readonly gapThresholdMs?: number;
}

const bySeq = (samples: readonly WriteSample[]): WriteSample[] => [...samples].sort((a, b) => a.seq - b.seq);

const lostOf = (acked: readonly WriteSample[], present: ReadonlySet<number> | null): number | null =>
  present === null ? null : new Set(acked.filter((s) => !present.has(s.seq)).map((s) => s.seq)).size;

export function summarizeClientWrites(
  samples: readonly WriteSample[],
  options: ClientWriteOptions,
): ClientWriteSummary {
  const threshold = options.gapThresholdMs ?? DEFAULT_GAP_THRESHOLD_MS;
  const ordered = bySeq(samples);
  const acked = ordered.filter((s) => s.ok);
  const windows: OutageWindow[] = [];
  let lastAck = ordered[0]?.startedAt ?? options.stoppedAt;
  let failed = 0;
  let firstError: string | null = null;
  let longestGap = 0;
  const close = (to: number) => {
    windows.push({
      fromMs: lastAck - options.origin,
      toMs: to - options.origin,
      failedWrites: failed,
      firstError,
    });
  };
  for (const s of ordered) {
    if (!s.ok) {
      failed += 1;
      firstError ??= s.error ?? 'unknown error';
      continue;
    }
    longestGap = Math.max(longestGap, s.endedAt - lastAck);
    if (failed > 0 || s.endedAt - lastAck > threshold) close(s.endedAt);
    lastAck = s.endedAt;
    failed = 0;
    firstError = null;
  }
  if (failed > 0) close(Math.max(options.stoppedAt, lastAck));
  return {
    attempted: ordered.length,
    acknowledged: acked.length,
    failed: ordered.length - acked.length,
    outageMs: windows.reduce((sum, w) => sum + (w.toMs - w.fromMs), 0),
    longestGapMs: Math.max(longestGap, failed > 0 ? options.stoppedAt - lastAck : 0),
    windows,
    lost: lostOf(acked, options.present),
  };
}

export interface SplitBrainOptions {
  /** Epoch ms of the first `+switch-master`; null when the switch was not seen. */
  readonly switchAt: number | null;
  readonly present: ReadonlySet<number> | null;
}

export function summarizeSplitBrain(
  samples: readonly WriteSample[],
  options: SplitBrainOptions,
): SplitBrainSummary {
  const ordered = bySeq(samples);
  const acked = ordered.filter((s) => s.ok);
  const { switchAt } = options;
  const after = switchAt === null ? [] : acked.filter((s) => s.endedAt >= switchAt);
  const last = after.at(-1);
  const firstError =
    switchAt === null ? undefined : ordered.find((s) => !s.ok && s.endedAt >= switchAt)?.error;
  return {
    attempted: ordered.length,
    acknowledged: acked.length,
    acknowledgedAfterSwitch: after.length,
    windowMs: last && switchAt !== null ? Math.max(0, last.endedAt - switchAt) : 0,
    lost: lostOf(acked, options.present),
    firstErrorAfterSwitch: firstError ?? null,
  };
}
