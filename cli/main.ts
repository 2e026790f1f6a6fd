// The sentinel-watch command line: a dispatcher over subcommands, each of which returns its exit code.

import { ConfigError, RedisServerMissingError, SentinelWatchError, UsageError } from '../lambdas/core/errors';
import { checkCommand } from './commands/check';
import { doctorCommand } from './commands/doctor';
import { drillCommand } from './commands/drill';
import { historyCommand } from './commands/history';
import { localCommand } from './commands/local';
import { silenceCommand } from './commands/silence';
import { testAlertCommand } from './commands/test-alert';
import { watchCommand } from './commands/watch';
import { type CliIo, EXIT } from './io';

export const mainHelp = `Usage: sentinel-watch <command> [options]

Commands:
  check     poll a Sentinel deployment once and print its state (--json for machine output)
  watch     poll continuously and print alerts: opened, reminder, resolved, with failover timelines
  drill     run a controlled failover and prove the deployment came back healthy (--dry-run, --failback)
  local     up | down | status | setup: a real 1 master + 2 replicas + 3 sentinels on loopback
  history   print a deployment's stored snapshots from the DynamoDB table (--table, --deployment)
  silence   add | list | remove: hold a deployment's alerts back during planned work
  test-alert  publish a marked test alert (opened, then resolved) through a deployed stack's topic
  doctor    check a deployed stack: last polls, silences, subscriptions, notifier errors, DLQs, alarms

Run "sentinel-watch <command> --help" for a command's options.`;

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CliIo) => Promise<number>>> = {
  check: checkCommand,
  watch: watchCommand,
  drill: drillCommand,
  local: localCommand,
  history: historyCommand,
  silence: silenceCommand,
  'test-alert': testAlertCommand,
  doctor: doctorCommand,
};

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`sentinel-watch: unknown command "${name}"\n\n${mainHelp}`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    // node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags.
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (error instanceof UsageError || error instanceof ConfigError || code.startsWith('ERR_PARSE_ARGS')) {
      io.err(
        `sentinel-watch ${name}: ${(error as Error).message}\nRun "sentinel-watch ${name} --help" for usage.`,
      );
      return EXIT.usage;
    }
    if (error instanceof RedisServerMissingError || error instanceof SentinelWatchError) {
      io.err(`sentinel-watch ${name}: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}
