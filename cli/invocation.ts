// How the user can run this CLI again from where they are, for the commands we print ("Try next:
// sentinel-watch check ...", "Run ... --help"). A suggestion that fails with "command not found" at
// 3 am is worse than none, so it is derived from how this process was started:
//
//   npx sentinel-watch ...           (npm exec)        -> npx sentinel-watch
//   npm run cli -- ...               (a checkout)      -> npm run cli --
//   sentinel-watch on PATH           (npm install -g)  -> sentinel-watch
//   /opt/sw/bin/sentinel-watch ...   (not on PATH)     -> /opt/sw/bin/sentinel-watch
//   node dist/sentinel-watch.cjs ... (the bundle)      -> node dist/sentinel-watch.cjs
//   tsx bin/sentinel-watch.ts ...    (the source)      -> npx tsx bin/sentinel-watch.ts

import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';

export const PROGRAM = 'sentinel-watch';

export interface InvocationContext {
  readonly env: NodeJS.ProcessEnv;
  /** process.argv[1]: the script Node runs. */
  readonly script: string | undefined;
  readonly cwd: string;
  /** Whether an executable file exists at the path (injected for tests). */
  readonly isExecutable?: (path: string) => boolean;
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The command prefix to print in suggestions, shell-quoted, e.g. `npx sentinel-watch`. */
export function invocation(context: InvocationContext): string {
  const { env, script, cwd } = context;
  const isExecutable = context.isExecutable ?? executable;
  if (env.npm_command === 'exec') return `npx ${PROGRAM}`;
  // npm 11 says "run", older versions "run-script".
  if ((env.npm_command === 'run' || env.npm_command === 'run-script') && env.npm_lifecycle_event === 'cli') {
    return 'npm run cli --';
  }
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && isAbsolute(dir) && isExecutable(join(dir, PROGRAM)));
  if (onPath) return PROGRAM;
  if (script === undefined) return PROGRAM;
  const shown = displayPath(script, cwd);
  if (/\.(c|m)?js$/.test(script)) return `node ${shellQuote(shown)}`;
  if (/\.ts$/.test(script)) return `npx tsx ${shellQuote(shown)}`;
  // An installed bin link run by its path: the same path runs it again.
  return shellQuote(isAbsolute(shown) || shown.startsWith('.') ? shown : `./${shown}`);
}

/** Relative to the working directory when inside it (shorter to read), absolute otherwise. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:,@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The prefix for this process. */
export const processInvocation = (): string =>
  invocation({ env: process.env, script: process.argv[1], cwd: process.cwd() });
