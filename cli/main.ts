// The sentinel-watch command line: a dispatcher over subcommands, each of which returns its exit code.

import { ConfigError, RedisServerMissingError, SentinelWatchError, UsageError } from '../lambdas/core/errors';
import { version } from '../package.json';
import { type CliIo, EXIT, invocationOf } from './io';

export const mainHelp = `Usage: sentinel-watch <command> [options]

Commands:
  check       poll a Sentinel deployment once and print its state (--json for machine output)
  watch       poll continuously and print alerts: opened, reminder, resolved, with failover timelines
  drill       run a controlled failover and prove the deployment came back healthy (--dry-run, --failback)
  local       up | down | status | setup: a real 1 master + 2 replicas + 3 sentinels on loopback
  history     print a deployment's stored snapshots from the DynamoDB table (--table, --deployment)
  silence     add | list | remove: hold a deployment's alerts back during planned work
  test-alert  publish a marked test alert (opened, then resolved) through a deployed stack's topic
  doctor      check a deployed stack: last polls, silences, subscriptions, notifier errors, DLQs, alarms

Options:
  -h, --help    this text ("sentinel-watch <command> --help" for a command's options)
  --version     print the version and exit

Exit codes: 0 ok, 1 a warning finding or a failed command, 2 a critical finding, 3 usage or
configuration error.`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

// Each command is loaded when it runs: `check` from cron or Nagios should not pay for loading the
// DynamoDB client of `history` or the drill's writers (the bundle evaluates only what is imported).
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  check: async () => (await import('./commands/check')).checkCommand,
  watch: async () => (await import('./commands/watch')).watchCommand,
  drill: async () => (await import('./commands/drill')).drillCommand,
  local: async () => (await import('./commands/local')).localCommand,
  history: async () => (await import('./commands/history')).historyCommand,
  silence: async () => (await import('./commands/silence')).silenceCommand,
  'test-alert': async () => (await import('./commands/test-alert')).testAlertCommand,
  doctor: async () => (await import('./commands/doctor')).doctorCommand,
};

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Not asked for help: a script that forgot the command must not read the usage as output.
    io.err(mainHelp);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h') {
    io.out(mainHelp);
    return EXIT.ok;
  }
  if (name === '--version') {
    io.out(version);
    return EXIT.ok;
  }
  if (name === 'help') {
    // `help check` is `check --help`; `help` alone is the overview.
    return rest[0] === undefined ? main(['--help'], io) : main([rest[0], '--help'], io);
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.err(`sentinel-watch: unknown command "${name}"\n\n${mainHelp}`);
    return EXIT.usage;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (error) {
    // node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags.
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (error instanceof UsageError || error instanceof ConfigError || code.startsWith('ERR_PARSE_ARGS')) {
      io.err(
        `sentinel-watch ${name}: ${(error as Error).message}\nRun "${invocationOf(io)} ${name} --help" for usage.`,
      );
      return EXIT.usage;
    }
    if (error instanceof RedisServerMissingError || error instanceof SentinelWatchError) {
      // A secret that could not be read (--aws-secrets): the SDK's own words (no credentials, expired
      // token, access denied) are what helps at a terminal. They name the secret, never its value.
      const cause =
        error.name === 'SecretError' && error.cause instanceof Error
          ? `\n  cause: ${error.cause.message}`
          : '';
      io.err(`sentinel-watch ${name}: ${error.message}${cause}`);
      return EXIT.failed;
    }
    throw error;
  }
}
