// One error family for the whole project: callers can tell our errors from bugs with
// `instanceof SentinelWatchError`, and each subclass names what went wrong.

export class SentinelWatchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad configuration or command-line input. `field` is the path of the offending field. */
export class ConfigError extends SentinelWatchError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A server answered, but not in the shape the command promises (garbage, or a different server). */
export class BadReplyError extends SentinelWatchError {
  constructor(
    readonly command: string,
    problem: string,
  ) {
    super(`unexpected reply to ${command}: ${problem}`);
  }
}

/** `redis-server` is needed (local topology, tests, demo) and is not installed. */
export class RedisServerMissingError extends SentinelWatchError {}

/** The local topology could not be started, reached or stopped. */
export class TopologyError extends SentinelWatchError {}

/** A command line that cannot be run as given (unknown flag, missing value). */
export class UsageError extends SentinelWatchError {}
