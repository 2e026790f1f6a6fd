// Replica lag between full polls. A full poll costs a round trip to every server; the master's own
// `INFO replication` (about 1 ms) already lists every replica's acknowledged offset and the time since
// its last ACK. Sampling it every second between polls and polling at once when a replica looks
// behind brings REPLICA_LAGGING from "the next poll" (a median 4 s at a 10 s interval, up to a minute
// in the Lambda) to about a second. The full poll stays the judge: a sample only triggers it.

import type { DetectionSettings } from './detect';
import type { ReplicationInfo } from './types';

export interface LagSample {
  /** The replica that looks furthest behind, or null when none does. */
  readonly behind: {
    readonly host: string;
    readonly port: number;
    readonly bytes: number;
    readonly seconds: number;
  } | null;
}

/**
 * Whether the master's replication view shows a replica past the limits. Bytes: the master's offset
 * minus the offset the replica last acknowledged (acks come every second, so a healthy replica under
 * heavy writes can look up to a second behind: the full poll it triggers then finds nothing).
 */
export function sampleLag(
  info: ReplicationInfo,
  settings: Pick<DetectionSettings, 'maxLagBytes' | 'maxLagSeconds'>,
): LagSample {
  if (info.role !== 'master' || info.masterReplOffset === null) return { behind: null };
  let worst: LagSample['behind'] = null;
  for (const r of info.replicas) {
    const bytes = Math.max(0, info.masterReplOffset - r.offset);
    if (bytes > settings.maxLagBytes || r.lagSeconds > settings.maxLagSeconds) {
      if (!worst || bytes > worst.bytes) worst = { host: r.host, port: r.port, bytes, seconds: r.lagSeconds };
    }
  }
  return { behind: worst };
}
