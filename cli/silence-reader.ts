// The silences `watch` honours, read before every poll from the table or the local file (at most once
// a second per deployment: after a switch watch polls every 200 ms). A read that fails is said once on
// stderr (not every poll) and the step keeps the silences it read last.

import type { Silence } from '../lambdas/core/silence';
import type { SilenceReader } from '../lambdas/core/store-ports';
import type { CliIo } from './io';
import { describeSource, openSilenceStore, type SilenceSource } from './silence-source';

const REREAD_MS = 1_000;

export function silenceReaderFor(source: SilenceSource, io: CliIo): SilenceReader {
  let lastProblem: string | null = null;
  const recent = new Map<string, { readonly at: number; readonly silences: Silence[] }>();
  const store = openSilenceStore(source, (count) =>
    warn(
      `${count} silence${count === 1 ? '' : 's'} in ${describeSource(source)} did not validate and are ignored`,
    ),
  );
  function warn(problem: string): void {
    if (problem === lastProblem) return;
    lastProblem = problem;
    io.err(`warning: ${problem}`);
  }
  return {
    silencesFor: async (deployment: string, now: number): Promise<Silence[]> => {
      const cached = recent.get(deployment);
      if (cached && now - cached.at >= 0 && now - cached.at < REREAD_MS) return cached.silences;
      try {
        const silences = await store.silencesFor(deployment, now);
        recent.set(deployment, { at: now, silences });
        lastProblem = null;
        return silences;
      } catch (error) {
        warn(
          `cannot read silences from ${describeSource(source)} (${(error as Error).message}); the ones read last still hold`,
        );
        throw error;
      }
    },
  };
}
