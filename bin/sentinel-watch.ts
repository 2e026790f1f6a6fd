#!/usr/bin/env node
// Must stay the first import: it prepares the environment the other modules read when loaded.
import '../cli/process-setup';
import { processIo } from '../cli/io';
import { main } from '../cli/main';

/**
 * Ends the process once stdout and stderr are flushed. A command's promise resolves when its work is
 * done, but timers of closed connections can keep Node alive for seconds after (ioredis waits 2 s
 * before destroying the socket of a refused connection): `check` from cron or Nagios must end when
 * its answer is out.
 */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2), processIo).then(exit, (error: unknown) => {
  process.stderr.write(
    `sentinel-watch: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  exit(1);
});
