// The only place that writes ANSI escape codes. Everything the CLI, the demo and the bench print
// goes through here, so a pipe, a log file, cron mail or `NO_COLOR=1` never gets `\x1b[` sequences.
//
// Precedence, as Node's own tty.getColorDepth and most CLIs read it:
//   1. FORCE_COLOR set: colour unless it is "0" or "false" (CI logs that render ANSI);
//   2. NO_COLOR set to anything but the empty string: no colour (https://no-color.org);
//   3. TERM=dumb: no colour;
//   4. otherwise colour only when the stream is a terminal.

export interface ColorContext {
  readonly env: NodeJS.ProcessEnv;
  /** `stream.isTTY` of the stream the text goes to (undefined for a pipe or a file). */
  readonly isTTY: boolean | undefined;
}

export function colorEnabled({ env, isTTY }: ColorContext): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}

export interface Style {
  readonly bold: (text: string) => string;
}

const plain: Style = { bold: (text) => text };
const ansi: Style = { bold: (text) => `\u001b[1m${text}\u001b[22m` };

/** Styling for one output stream, e.g. `styleFor({ env: process.env, isTTY: process.stdout.isTTY })`. */
export function styleFor(context: ColorContext): Style {
  return colorEnabled(context) ? ansi : plain;
}
