// The docs stay true, the parts that need no server: every command shown is accounted for (run by a
// docs suite, or not runnable here with the reason and a syntax check), links resolve, the README stays
// a short path and names the test command CI runs, and examples copied from files still match them.
// The commands are run for real by test/integration/docs.test.ts and docs-stand-ins.test.ts.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { main } from '../../../cli/main';
import { DOC_COMMANDS, onPorts } from '../../docs-support/doc-commands';
import {
  anchorsOf,
  commandsIn,
  type DocCommand,
  docFiles,
  fencedBlocks,
  firstMismatch,
  normaliseLine,
  REPO,
  readDoc,
  relativeLinks,
  shellWords,
} from '../../docs-support/markdown';

const documented: DocCommand[] = docFiles().flatMap((f) => commandsIn(f, readDoc(f)));
const packageJson = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

function where(c: DocCommand): string {
  return `${c.file}:${c.line}: ${c.command}`;
}

describe('every command shown in README.md and docs/*.md', () => {
  it('finds the commands (the docs show some)', () => {
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.map((c) => c.file)).toEqual(expect.arrayContaining(['README.md', 'docs/cli.md']));
  });

  it('is either run by a docs suite or listed as not runnable here, with the reason', () => {
    const unaccounted = documented.filter((c) => DOC_COMMANDS[c.command] === undefined).map(where);
    expect(unaccounted).toEqual([]);
  });

  it('is still shown somewhere (no stale entry in the list)', () => {
    const shown = new Set(documented.map((c) => c.command));
    expect(Object.keys(DOC_COMMANDS).filter((c) => !shown.has(c))).toEqual([]);
  });

  it('passes its sentinel-watch arguments through the CLI parser when it cannot run here', async () => {
    const checked = Object.entries(DOC_COMMANDS).filter(
      ([, v]) => v.how === 'not-run' && v.checks.includes('cli-parser'),
    );
    expect(checked.length).toBeGreaterThan(0);
    for (const [command] of checked) {
      // A redirection of the output (`> file`) is the shell's, not the CLI's.
      const all = shellWords(command).words;
      const redirect = all.indexOf('>');
      const words = redirect === -1 ? all : all.slice(0, redirect);
      expect(words[0]).toBe('sentinel-watch');
      const err: string[] = [];
      // --help after the documented flags: the parser still rejects any flag it does not know.
      const code = await main([...words.slice(1), '--help'], {
        out: () => {},
        err: (t) => err.push(t),
        env: {},
      });
      expect({ command, code, err }).toEqual({ command, code: 0, err: [] });
    }
  });

  it('names only npm scripts that package.json has', () => {
    const unknown: string[] = [];
    for (const c of documented) {
      for (const m of c.command.matchAll(/\bnpm (?:run(?: --silent| -s)?|test)\b(?: ([\w:-]+))?/g)) {
        const script = m[0].startsWith('npm test') ? 'test' : m[1];
        if (script && packageJson.scripts[script] === undefined) unknown.push(`${where(c)} (${script})`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('is what CI runs, for the commands marked so', () => {
    const ci = readFileSync(join(REPO, '.ci/run'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    const marked = Object.entries(DOC_COMMANDS).filter(
      ([, v]) => v.how === 'not-run' && v.checks.includes('ci'),
    );
    for (const [command] of marked) {
      // flock is the developer's guard on a shared machine; CI runs the rest of the line.
      const bare = command.replace(/^flock \S+ /, '');
      const silent = bare.replace(/^npm run /, 'npm run --silent ');
      const inCi = ci.some((l) => l === bare || l.startsWith(`${bare} `) || l.includes(silent));
      expect({ command, inCi }).toEqual({ command, inCi: true });
    }
  });

  it('gives cdk only context keys the app reads', () => {
    const context = readFileSync(join(REPO, 'lib/stack-config/context.ts'), 'utf8');
    for (const [command, v] of Object.entries(DOC_COMMANDS)) {
      if (v.how !== 'not-run' || !v.checks.includes('cdk-context')) continue;
      for (const m of command.matchAll(/-c (sentinel-watch:\w+)=/g)) expect(context).toContain(`'${m[1]}'`);
    }
  });

  it('runs repository scripts that exist and are executable', () => {
    for (const [command, v] of Object.entries(DOC_COMMANDS)) {
      if (v.how !== 'not-run' || !v.checks.includes('executable')) continue;
      const script = join(REPO, shellWords(command).words[0]);
      expect({ command, mode: statSync(script).mode & 0o100 }).toEqual({ command, mode: 0o100 });
    }
  });

  it('installs the tarball npm pack writes for this package', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    for (const [command, v] of Object.entries(DOC_COMMANDS)) {
      if (v.how === 'not-run' && v.checks.includes('tarball-name')) {
        expect(command).toContain(`./${pkg.name}-${pkg.version}.tgz`);
      }
    }
  });

  it("dry-runs a drill with the flags of the stack's DrillCommand output", () => {
    // The file of lib/ that defines the DrillCommand output.
    const stack = readdirSync(join(REPO, 'lib'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(REPO, 'lib', f), 'utf8'))
      .find((text) => text.includes("'DrillCommand'"))!;
    const drill = Object.entries(DOC_COMMANDS).find(
      ([, v]) => v.how === 'not-run' && v.checks.includes('drill-output'),
    );
    const { words } = shellWords(drill![0]);
    expect(words.slice(0, 3)).toEqual(['aws', 'lambda', 'invoke']);
    for (const flag of words.filter((w) => w.startsWith('--'))) expect(stack).toContain(` ${flag} `);
    expect(stack).toContain(`--payload '{"dryRun":true}' drill-report.json`);
  });
});

describe('the README', () => {
  const readme = readDoc('README.md');

  it('is a short path: at most 15 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
  });

  it('shows the test command that .ci/run runs and package.json defines', () => {
    const shown = commandsIn('README.md', readme).map((c) => c.command);
    expect(shown).toContain('npm test');
    expect(readFileSync(join(REPO, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
    expect(packageJson.scripts.test).toContain('jest');
  });
});

describe('links between the docs', () => {
  it('resolve to a file, and to a heading when they name one', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const link of relativeLinks(file, readDoc(file))) {
        const [path, anchor] = link.target.split('#');
        const target = path === '' ? file : normalize(join(dirname(file), decodeURI(path)));
        if (!existsSync(join(REPO, target))) {
          broken.push(`${file}:${link.line}: ${link.target} (no ${target})`);
        } else if (
          anchor !== undefined &&
          target.endsWith('.md') &&
          !anchorsOf(readDoc(target)).has(anchor)
        ) {
          broken.push(`${file}:${link.line}: ${link.target} (no heading #${anchor} in ${target})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('examples copied from files', () => {
  it('docs/aws.md shows config/example.json as it is', () => {
    const block = fencedBlocks('docs/aws.md', readDoc('docs/aws.md')).find((b) =>
      b.intro.includes('Start from `config/example.json`'),
    );
    expect(JSON.parse(block!.lines.join('\n'))).toEqual(
      JSON.parse(readFileSync(join(REPO, 'config/example.json'), 'utf8')),
    );
  });
});

describe('the docs test itself', () => {
  it('extracts commands, continuation lines and console output', () => {
    const md = [
      '```sh',
      '# a comment',
      'sentinel-watch silence add --table T \\',
      '  --for 2h --reason "a # b"   # trailing',
      '```',
      '```console',
      '$ npm run cli -- local up',
      'line one',
      '$ npm run cli -- local down',
      '```',
      '```text',
      '$ not a command',
      '```',
    ].join('\n');
    expect(commandsIn('x.md', md)).toEqual([
      {
        file: 'x.md',
        line: 3,
        command: 'sentinel-watch silence add --table T --for 2h --reason "a # b"',
        output: [],
      },
      { file: 'x.md', line: 7, command: 'npm run cli -- local up', output: ['line one'] },
      { file: 'x.md', line: 9, command: 'npm run cli -- local down', output: [] },
    ]);
  });

  it('splits words and env assignments as a shell does', () => {
    expect(shellWords(`A=1 B=x=y cmd --p '{"a":1}' "two words"`)).toEqual({
      env: { A: '1', B: 'x=y' },
      words: ['cmd', '--p', '{"a":1}', 'two words'],
    });
  });

  it('moves the local topology ports to the suite range', () => {
    expect(onPorts('check --sentinels 127.0.0.1:26400,127.0.0.1:26402 --x 6401', 7900)).toBe(
      'check --sentinels 127.0.0.1:27900,127.0.0.1:27902 --x 7901',
    );
    expect(onPorts('npm run --silent cli -- local down', 7900)).toBe(
      'npm run --silent cli -- local down --base-port 7900',
    );
  });

  it('normalises times, ids, ports, paths and numbers, and matches excerpts in order', () => {
    expect(normaliseLine('2026-11-30T06:25:18.192Z  x 127.0.0.1:6400 (state in /tmp/a-1).  3.5 s')).toBe(
      '<time> x <ip>:<port> (state in <path>). N s',
    );
    const actual = ['a 1', 'b 2', 'c', 'd', 'e long line'];
    expect(firstMismatch(['a 7', 'b 9', '...', 'e long ...'], actual)).toBeUndefined();
    expect(firstMismatch(['a 1', 'c'], actual)).toBe('c');
    expect(firstMismatch(['c', 'b'], actual)).toBe('b');
    expect(firstMismatch(['... (more)', 'd', 'e long line'], actual)).toBeUndefined();
  });

  it('finds the anchors GitHub gives headings', () => {
    const anchors = anchorsOf(
      '# A\n## `sentinel-watch check`\n```\n# not a heading\n```\n## Dry-run a drill\n## A\n',
    );
    expect([...anchors]).toEqual(['a', 'sentinel-watch-check', 'dry-run-a-drill', 'a-1']);
  });
});
