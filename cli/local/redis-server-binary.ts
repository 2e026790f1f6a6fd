// Finds the redis-server binary the local topology, the integration tests and the demo run. On a
// Debian/Ubuntu machine where we are root (CI containers, the lab) it can install the package;
// everywhere else it explains what to install instead of guessing at package managers.

import { execFile, spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { RedisServerMissingError } from '../../lambdas/core/errors';
import { releaseFromBanner, type ServerRelease } from '../../lambdas/core/server-version';

export interface EnsureRedisServerOptions {
  /** Allow `apt-get install redis-server` on Debian as root. Default true. */
  readonly install?: boolean;
  /** Progress lines (what is being installed). Default: silent. */
  readonly log?: (line: string) => void;
}

const INSTALL_HINT =
  'Install it: Debian/Ubuntu `sudo apt-get install redis-server`, macOS `brew install redis`, ' +
  'or set REDIS_SERVER=/path/to/redis-server.';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on `searchPath` (a PATH-style list), or undefined. */
export async function findOnPath(
  name: string,
  searchPath: string = process.env.PATH ?? '',
): Promise<string | undefined> {
  for (const entry of searchPath.split(path.delimiter)) {
    if (entry === '') continue;
    const candidate = path.join(entry, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** REDIS_SERVER if set (it must point at an executable), else redis-server on PATH, else undefined. */
async function locate(): Promise<string | undefined> {
  const fromEnv = process.env.REDIS_SERVER;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (await isExecutableFile(fromEnv)) return path.resolve(fromEnv);
    throw new RedisServerMissingError(
      `REDIS_SERVER=${fromEnv} is not an executable file. Point it at a redis-server binary or unset it ` +
        'to use the one on PATH.',
    );
  }
  return findOnPath('redis-server');
}

function run(command: string, args: readonly string[], log: (line: string) => void): Promise<void> {
  log(`$ ${[command, ...args].join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    let pending = '';
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') log(`  ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) =>
      reject(new RedisServerMissingError(`could not run ${command}: ${err.message}`)),
    );
    child.on('close', (code, signal) => {
      if (pending.trim() !== '') log(`  ${pending}`);
      if (code === 0) resolve();
      else {
        const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
        reject(new RedisServerMissingError(`${command} ${args.join(' ')} failed (${how}). ${INSTALL_HINT}`));
      }
    });
  });
}

/**
 * The path of redis-server: `REDIS_SERVER` wins, else PATH. When it is missing and we are root on
 * Debian/Ubuntu (and `install` is not false), installs the `redis-server` package with apt-get and
 * looks again. Otherwise throws `RedisServerMissingError` saying what to install.
 */
export async function ensureRedisServer(opts: EnsureRedisServerOptions = {}): Promise<string> {
  const log = opts.log ?? (() => undefined);
  const found = await locate();
  if (found !== undefined) return found;

  const debian = existsSync('/etc/debian_version');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (debian && root && opts.install !== false) {
    log('redis-server not found: installing the Debian package redis-server');
    await run('apt-get', ['update'], log);
    await run('apt-get', ['install', '-y', 'redis-server'], log);
    const installed = await locate();
    if (installed !== undefined) {
      log(`installed ${installed}`);
      return installed;
    }
    throw new RedisServerMissingError(
      `apt-get installed redis-server but it is still not on PATH (${process.env.PATH ?? ''}). ` +
        'Set REDIS_SERVER=/path/to/redis-server.',
    );
  }

  const why =
    debian && !root && opts.install !== false
      ? ' (not installing it automatically: not running as root)'
      : '';
  throw new RedisServerMissingError(`redis-server was not found on PATH${why}. ${INSTALL_HINT}`);
}

/**
 * Flavour and version of a server binary, from `<binary> --version` (`Redis server v=5.0.14 ...`,
 * `Valkey server v=8.0.1 ...`): the local topology writes only the config directives it knows.
 */
export function serverRelease(binary: string): Promise<ServerRelease> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      const release = err ? null : releaseFromBanner(stdout);
      if (release !== null) resolve(release);
      else {
        const why = err ? err.message : `it printed ${JSON.stringify(stdout.slice(0, 200))}`;
        reject(
          new RedisServerMissingError(`${binary} --version did not name a Redis or Valkey server: ${why}`),
        );
      }
    });
  });
}
