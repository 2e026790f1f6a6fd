// The silences `watch` honours, read before every poll from the table or the local file. A read that
// fails is said once on stderr (not every poll) and the step keeps the silences it read last.

import type { Silence } from '../lambdas/core/silence';
import type { SilenceReader } from '../lambdas/core/store-ports';
import type { CliIo } from './io';
import { describeSource, openSilenceStore, type SilenceSource } from './silence-source';

export function silenceReaderFor(source: SilenceSource, io: CliIo): SilenceReader {
  let lastProblem: string | null = null;
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
      try {
        const silences = await store.silencesFor(deployment, now);
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
