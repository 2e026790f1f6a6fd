import { PROGRAM, processInvocation } from './invocation';

/** What a command may touch of the outside world, so tests can run commands in-process. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** How the user runs this CLI, for the commands we suggest (default `sentinel-watch`). */
  readonly invocation?: string;
}

/** The prefix for suggested commands: see cli/invocation.ts. */
export const invocationOf = (io: Pick<CliIo, 'invocation'>): string => io.invocation ?? PROGRAM;

export const EXIT = { ok: 0, failed: 1, usage: 3 } as const;

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  // Computed when a command prints a suggestion: it looks at PATH, which most runs never need.
  get invocation() {
    return processInvocation();
  },
};
