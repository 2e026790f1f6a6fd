import { invocation, shellQuote } from '../../../cli/invocation';

const onPath =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe('Function: invocation', () => {
  const base = { env: { PATH: '/usr/bin:/bin' }, cwd: '/home/me/sentinel-watch', isExecutable: onPath() };

  it.each([
    ['npx (npm exec)', { env: { npm_command: 'exec', PATH: '/x/.bin' } }, 'npx sentinel-watch'],
    ['npm run cli (npm 11)', { env: { npm_command: 'run', npm_lifecycle_event: 'cli' } }, 'npm run cli --'],
    [
      'npm run cli (older npm)',
      { env: { npm_command: 'run-script', npm_lifecycle_event: 'cli' } },
      'npm run cli --',
    ],
    [
      'another npm script falls through to the script it runs',
      {
        env: { npm_command: 'run', npm_lifecycle_event: 'demo' },
        script: '/home/me/sentinel-watch/bin/sentinel-watch.ts',
      },
      'npx tsx bin/sentinel-watch.ts',
    ],
    [
      'installed and on PATH',
      {
        env: { PATH: '/usr/bin:/usr/local/bin' },
        script: '/usr/local/bin/sentinel-watch',
        isExecutable: onPath('/usr/local/bin/sentinel-watch'),
      },
      'sentinel-watch',
    ],
    [
      'installed in a prefix that is not on PATH',
      { script: '/opt/sw/bin/sentinel-watch' },
      '/opt/sw/bin/sentinel-watch',
    ],
    [
      'the bundle in a checkout',
      { script: '/home/me/sentinel-watch/dist/sentinel-watch.cjs' },
      'node dist/sentinel-watch.cjs',
    ],
    [
      'the bundle from elsewhere, with a space in its path',
      { script: '/home/me/my tools/sentinel-watch.cjs' },
      "node '/home/me/my tools/sentinel-watch.cjs'",
    ],
    [
      'the launcher run by its path inside the checkout',
      { script: '/home/me/sentinel-watch/node_modules/.bin/sentinel-watch' },
      './node_modules/.bin/sentinel-watch',
    ],
    [
      'the source through tsx',
      { script: '/home/me/sentinel-watch/bin/sentinel-watch.ts' },
      'npx tsx bin/sentinel-watch.ts',
    ],
    ['no script at all (e.g. a REPL)', { script: undefined }, 'sentinel-watch'],
    [
      'relative PATH entries are ignored (they depend on the directory)',
      { env: { PATH: '.:bin' }, script: '/opt/x.cjs', isExecutable: () => true },
      'node /opt/x.cjs',
    ],
  ])('%s', (_what, overrides, expected) => {
    expect(invocation({ ...base, script: undefined, ...overrides })).toBe(expected);
  });
});

describe('Function: shellQuote', () => {
  it.each([
    ['plain-path/x.cjs', 'plain-path/x.cjs'],
    ['has space', "'has space'"],
    ["it's", "'it'\\''s'"],
  ])('%s -> %s', (input, expected) => {
    expect(shellQuote(input)).toBe(expected);
  });
});
