// Errors of the failover drill. The drill itself never throws for a misbehaving deployment (that is a
// failed check in the report); these are for what stops a drill from being set up or a step from
// finishing in time.

import { SentinelWatchError } from '../errors';

export class DrillError extends SentinelWatchError {}

/** A password the deployment's config points at could not be read. `field` names the config field. */
export class CredentialsUnavailableError extends DrillError {
  constructor(
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}
