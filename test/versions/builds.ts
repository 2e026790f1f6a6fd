// The server builds of ../shared/servers for suites that need more than one version at once.
// `npm run test:versions` sets SENTINEL_WATCH_SERVERS; without it these suites fail, loudly.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The server binary of a build (`redis-6.2.16`), built by build.sh on first use. */
export function buildBinary(name: string): string {
  const dir = process.env.SENTINEL_WATCH_SERVERS;
  if (!dir || !existsSync(path.join(dir, 'build.sh'))) {
    throw new Error(
      `SENTINEL_WATCH_SERVERS must name the server builds' folder (with build.sh): got ${JSON.stringify(dir)}`,
    );
  }
  return execFileSync('bash', [path.join(dir, 'build.sh'), name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}
