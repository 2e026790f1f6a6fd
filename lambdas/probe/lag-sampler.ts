// Reads the master's `INFO replication` once (one short connection, one command, its own deadline)
// and says whether a replica looks behind: the watcher and the poller call it between full polls.

import type { BatchTarget, RunBatch } from '../core/batch';
import type { DetectionSettings } from '../core/detect';
import { type LagSample, sampleLag } from '../core/lag-check';
import { parseInfo, parseReplicationInfo } from '../core/parse-info';

export async function readLag(
  runBatch: RunBatch,
  master: BatchTarget,
  timeoutMs: number,
  settings: Pick<DetectionSettings, 'maxLagBytes' | 'maxLagSeconds'>,
): Promise<LagSample> {
  const outcome = await runBatch(master, [['INFO', 'replication']], timeoutMs);
  const reply = outcome.replies[0];
  if (!reply?.ok || typeof reply.value !== 'string') return { behind: null };
  try {
    return sampleLag(parseReplicationInfo(parseInfo(reply.value)), settings);
  } catch {
    // A garbled or partial reply: the next full poll judges the node anyway.
    return { behind: null };
  }
}
