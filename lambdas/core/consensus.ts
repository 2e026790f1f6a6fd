import { type Address, formatAddress, type MasterConsensus, type SentinelSnapshot } from './types';

/**
 * Tallies whom each answering sentinel calls master. The consensus master is the address with the
 * most votes; a tie has no winner (null), because picking one would hide a split brain.
 */
export function masterConsensus(sentinels: readonly SentinelSnapshot[]): {
  master: Address | null;
  consensus: MasterConsensus;
} {
  const tally = new Map<string, { address: Address; sentinels: string[] }>();
  for (const s of sentinels) {
    if (!s.masterAddress) continue;
    const key = formatAddress(s.masterAddress);
    const entry = tally.get(key) ?? { address: s.masterAddress, sentinels: [] };
    entry.sentinels.push(formatAddress(s));
    tally.set(key, entry);
  }
  const votes = [...tally.values()].sort((a, b) => b.sentinels.length - a.sentinels.length);
  const tied = votes.length > 1 && votes[0].sentinels.length === votes[1].sentinels.length;
  return {
    master: votes.length > 0 && !tied ? votes[0].address : null,
    consensus: { votes, unanimous: votes.length === 1 },
  };
}
