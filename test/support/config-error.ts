// The ConfigError a piece of config parsing throws, for tests of field-named errors.

import { ConfigError } from '../../lambdas/core/errors';

/** What `run` throws as a ConfigError; fails the test when it throws nothing or something else. */
export function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}
