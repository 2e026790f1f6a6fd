#!/usr/bin/env node
// Must stay the first import: it prepares the environment the other modules read when loaded.
import '../cli/process-setup';
import { processIo } from '../cli/io';
import { main } from '../cli/main';

main(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `sentinel-watch: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
