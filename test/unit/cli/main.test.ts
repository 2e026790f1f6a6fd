import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../../../cli/io';
import { main } from '../../../cli/main';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: {} };
  return { io, out, err };
};

describe('Function: main', () => {
  it('prints the usage on stderr and exits 3 when no command is given', async () => {
    // Prepare
    const { io, out, err } = capture();

    // Act
    const code = await main([], io);

    // Assess
    expect(code).toBe(3);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^Usage: sentinel-watch <command>/);
  });

  it('prints the version of package.json with --version', async () => {
    const { io, out, err } = capture();
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      version: string;
    };

    expect(await main(['--version'], io)).toBe(0);
    expect(out).toEqual([pkg.version]);
    expect(err).toEqual([]);
  });

  it.each([
    [['-h']],
    [['--help']],
    [['help']],
    [['check', '-h']],
    [['check', '--help']],
    [['help', 'check']],
    [['watch', '-h']],
    [['drill', '-h']],
    [['history', '-h']],
    [['local', '-h']],
    [['local', 'up', '-h']],
    [['local', 'down', '--help']],
    [['local', 'status', '-h']],
    [['local', 'setup', '-h']],
    [['silence', '-h']],
    [['silence', 'add', '--help']],
    [['help', 'silence']],
    [['test-alert', '-h']],
    [['doctor', '--help']],
    [['help', 'doctor']],
  ])('prints help on stdout and exits 0 for %j', async (argv) => {
    const { io, out, err } = capture();

    expect(await main(argv, io)).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: sentinel-watch/);
    expect(err).toEqual([]);
  });

  it('exits 3 for help on an unknown command', async () => {
    const { io, err } = capture();

    expect(await main(['help', 'nope'], io)).toBe(3);
    expect(err.join('\n')).toContain('unknown command "nope"');
  });

  it.each([[['silence']], [['local']]])(
    'prints the usage on stderr and exits 3 for %j without a subcommand',
    async (argv) => {
      const { io, out, err } = capture();

      expect(await main(argv, io)).toBe(3);
      expect(out).toEqual([]);
      expect(err.join('\n')).toMatch(/^Usage: sentinel-watch/);
    },
  );

  it.each([
    [['silence', 'add', '--deployment', 'd', '--for', 'soon', '--reason', 'r'], '--for'],
    [['test-alert', '--stack', 'S', '--resolve-after', '5 minutes'], '--resolve-after'],
    [['watch', '--sentinels', '127.0.0.1:1', '--master', 'm', '--interval', '1x'], '--interval'],
  ])('rejects a malformed duration in %j naming %s, exit 3', async (argv, flag) => {
    const { io, err } = capture();

    expect(await main(argv, io)).toBe(3);
    expect(err.join('\n')).toContain(`${flag}: "`);
  });
});
