import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { colorEnabled, styleFor } from '../../../cli/color';

describe('Function: colorEnabled', () => {
  it.each([
    [{}, true, true],
    [{}, undefined, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ TERM: 'dumb' }, true, false],
    [{ FORCE_COLOR: '1' }, undefined, true],
    [{ FORCE_COLOR: '' }, undefined, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, undefined, true],
  ])('env %j with isTTY %s: %s', (env, isTTY, expected) => {
    expect(colorEnabled({ env, isTTY })).toBe(expected);
  });
});

describe('Function: styleFor', () => {
  it('adds bold codes only when colour is on', () => {
    expect(styleFor({ env: {}, isTTY: true }).bold('x')).toBe('\u001b[1mx\u001b[22m');
    expect(styleFor({ env: {}, isTTY: false }).bold('x')).toBe('x');
  });
});

describe('Source: escape codes', () => {
  // Every ANSI sequence goes through cli/color.ts, which checks NO_COLOR, FORCE_COLOR and the TTY:
  // a raw escape anywhere else would reach pipes and log files.
  const ROOT = join(__dirname, '../../..');
  const DIRS = ['bin', 'cli', 'demo', 'bench', 'lambdas', 'lib', 'scripts'];
  const RAW_ESCAPE = /\\x1b|\\u001b|\\u\{1b\}|\\033|\\e\[/i;

  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : /\.(ts|mjs|js|cjs)$/.test(name) ? [path] : [];
    });

  it('writes none outside cli/color.ts', () => {
    const offenders = DIRS.flatMap((d) => files(join(ROOT, d)))
      .filter((f) => relative(ROOT, f) !== join('cli', 'color.ts'))
      .filter((f) => RAW_ESCAPE.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
