// What the docs test reads of the Markdown files: fenced blocks, the commands shown in shell and
// console blocks (with the output a console block shows after each), links and heading anchors, and
// the normalisation that lets a documented output be compared with a fresh run's.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');

/** README.md and every docs/*.md, as paths relative to the repository. */
export function docFiles(root = REPO): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export interface FencedBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly lines: readonly string[];
  /** The paragraph just before the block (the text that introduces it). */
  readonly intro: string;
}

export function fencedBlocks(file: string, text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = /^(\s*)```\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) {
      i += 1;
      continue;
    }
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) {
      body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
      j += 1;
    }
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k -= 1;
    const intro: string[] = [];
    while (k >= 0 && lines[k].trim() !== '') intro.unshift(lines[k--].trim());
    blocks.push({ file, line: i + 1, lang: open[2].toLowerCase(), lines: body, intro: intro.join(' ') });
    i = j + 1;
  }
  return blocks;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);

export interface DocCommand {
  readonly file: string;
  readonly line: number;
  /** The command as shown, continuation lines joined, without the prompt or a trailing comment. */
  readonly command: string;
  /** console blocks: the output shown after the command (up to the next prompt); else empty. */
  readonly output: readonly string[];
}

/** Removes a `# comment` that starts outside quotes. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/** Every command shown in the fenced shell and console blocks of one file. */
export function commandsIn(file: string, text: string): DocCommand[] {
  const found: DocCommand[] = [];
  for (const block of fencedBlocks(file, text)) {
    if (!SHELL_LANGS.has(block.lang)) continue;
    const console = block.lang === 'console';
    let current: { line: number; parts: string[]; output: string[]; open: boolean } | undefined;
    const flush = () => {
      if (current)
        found.push({ file, line: current.line, command: current.parts.join(' '), output: current.output });
      current = undefined;
    };
    block.lines.forEach((raw, n) => {
      const line = block.line + 1 + n;
      if (current?.open) {
        const part = stripComment(raw).trim();
        current.open = part.endsWith('\\');
        current.parts.push(part.replace(/\s*\\$/, ''));
        return;
      }
      if (console && !raw.startsWith('$ ')) {
        current?.output.push(raw);
        return;
      }
      const text = stripComment(console ? raw.slice(2) : raw).trim();
      if (!console && text === '') return;
      flush();
      current = { line, parts: [text.replace(/\s*\\$/, '')], output: [], open: text.endsWith('\\') };
    });
    flush();
  }
  return found;
}

/** A shell command line as words: quotes removed, `VAR=value` prefixes separated. */
export function shellWords(command: string): { env: Record<string, string>; words: string[] } {
  const words: string[] = [];
  let word = '';
  let quote = '';
  let inWord = false;
  for (const c of command) {
    if (quote) {
      if (c === quote) quote = '';
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name] = value.join('=');
  }
  return { env, words };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a file's headings give (repeated headings get -1, -2, ... as on GitHub). */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const h = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!h) continue;
    const slug = headingSlug(h[1]);
    const n = seen.get(slug) ?? 0;
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
    seen.set(slug, n + 1);
  }
  return anchors;
}

export interface DocLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Relative Markdown links `[text](target)` outside code blocks and code spans. */
export function relativeLinks(file: string, text: string): DocLink[] {
  const links: DocLink[] = [];
  let fenced = false;
  text.split('\n').forEach((line, n) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) links.push({ file, line: n + 1, target: m[1] });
    }
  });
  return links;
}

/**
 * One line of documented or actual output, reduced to what must not drift: times, ids, ports, paths,
 * durations and counts become placeholders, and column padding one space.
 */
export function normaliseLine(line: string): string {
  return line
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/drill-\d{8}T\d{6}Z-[0-9a-f]+/g, '<drill-id>')
    .replace(/\bs-[0-9a-f]{10}\b/g, '<silence-id>')
    .replace(/\b[0-9a-f]{40}\b/g, '<run-id>')
    .replace(/(^|[\s(])\/[^\s)]*/g, '$1<path>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}([: ])\d+\b/g, '<ip>$2<port>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, '<ip>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Whether a fresh run's output still reads as documented. A line `...` (or starting `... (`) in the
 * documentation stands for any number of lines; a documented line ending in `...` matches any line that
 * starts the same; every other documented line must appear, in order, and lines not separated by a `...`
 * must be consecutive. Returns the first documented line not found, or undefined when all match.
 */
export function firstMismatch(documented: readonly string[], actual: readonly string[]): string | undefined {
  const got = actual.map(normaliseLine).filter((l) => l !== '');
  let pos = 0;
  let gap = true; // the documented excerpt may start anywhere
  for (const raw of documented) {
    const want = normaliseLine(raw);
    if (want === '') continue;
    if (want === '...' || want.startsWith('... (')) {
      gap = true;
      continue;
    }
    const prefix = want.endsWith('...') ? want.slice(0, -3).trimEnd() : undefined;
    const matches = (line: string) => (prefix === undefined ? line === want : line.startsWith(prefix));
    let at = -1;
    if (gap) {
      for (let i = pos; i < got.length; i += 1) {
        if (matches(got[i])) {
          at = i;
          break;
        }
      }
    } else if (pos < got.length && matches(got[pos])) {
      at = pos;
    }
    if (at < 0) return raw;
    pos = at + 1;
    gap = false;
  }
  return undefined;
}

export function readDoc(file: string, root = REPO): string {
  return readFileSync(join(root, file), 'utf8');
}
