// Writes per time bucket for the picture of a failover (chart.ts): for each of the drill's two writers,
// how many writes were acknowledged, failed, and acknowledged but later found lost, per 100 ms.
//
// The report keeps these counts, not the samples: a leg writes every 10 ms for up to minutes, and the
// report is stored as one DynamoDB item (400 KB). The bucket count is bounded (MAX_WRITE_BUCKETS): a
// longer leg gets wider buckets (a multiple of 100 ms) instead of a bigger report.

import type { WriteSample } from './types';

export const WRITE_BUCKET_MS = 100;
/** At most this many buckets per writer: 2.5 minutes at 100 ms, ~5 KB of JSON per array at most. */
export const MAX_WRITE_BUCKETS = 1500;

export interface WriterBuckets {
  /** Writes acknowledged per bucket, lost ones included. */
  readonly acknowledged: readonly number[];
  /** Writes that failed (error or no answer in time) per bucket. */
  readonly failed: readonly number[];
  /** Of the acknowledged writes, those missing afterwards; null when the survivors could not be read. */
  readonly lost: readonly number[] | null;
}

/** Both writers of one failover leg, bucketed by when each write's answer came. */
export interface WriteSeries {
  /** Start of the first bucket, in ms since the drill started (a multiple of `bucketMs`). */
  readonly fromMs: number;
  readonly bucketMs: number;
  /** The sentinel-aware client (the application's view). */
  readonly client: WriterBuckets;
  /** The plain connection to the old master (the split brain). */
  readonly oldMaster: WriterBuckets;
}

export interface WriterInput {
  readonly samples: readonly WriteSample[];
  /** Sequence numbers found afterwards; null when they could not be read. */
  readonly present: ReadonlySet<number> | null;
}

/** Null when neither writer made a single attempt. `origin`: epoch ms of the drill's start. */
export function bucketWrites(
  writers: { readonly client: WriterInput; readonly oldMaster: WriterInput },
  origin: number,
): WriteSeries | null {
  const all = [...writers.client.samples, ...writers.oldMaster.samples];
  if (all.length === 0) return null;
  // A loop, not Math.min(...): a long leg has tens of thousands of samples.
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of all) {
    first = Math.min(first, s.endedAt - origin);
    last = Math.max(last, s.endedAt - origin);
  }
  const span = last - first + 1;
  const bucketMs = WRITE_BUCKET_MS * Math.max(1, Math.ceil(span / (WRITE_BUCKET_MS * MAX_WRITE_BUCKETS)));
  const fromMs = Math.floor(first / bucketMs) * bucketMs;
  const count = Math.floor((last - fromMs) / bucketMs) + 1;
  const bucket = (s: WriteSample) => Math.floor((s.endedAt - origin - fromMs) / bucketMs);
  const one = ({ samples, present }: WriterInput): WriterBuckets => {
    const acknowledged = new Array<number>(count).fill(0);
    const failed = new Array<number>(count).fill(0);
    const lost = present === null ? null : new Array<number>(count).fill(0);
    for (const s of samples) {
      const i = bucket(s);
      if (!s.ok) failed[i] += 1;
      else {
        acknowledged[i] += 1;
        if (lost && present && !present.has(s.seq)) lost[i] += 1;
      }
    }
    return { acknowledged, failed, lost };
  };
  return { fromMs, bucketMs, client: one(writers.client), oldMaster: one(writers.oldMaster) };
}

/** Total of one bucket array (null stays null): what the summaries count, for cross-checks. */
export const totalOf = (buckets: readonly number[] | null): number | null =>
  buckets === null ? null : buckets.reduce((a, b) => a + b, 0);
