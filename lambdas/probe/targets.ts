import type { BatchTarget } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import type { Address } from '../core/types';

/** Where and how to connect to one sentinel of a deployment. */
export const sentinelTarget = (d: DeploymentConfig, c: Credentials, a: Address): BatchTarget => ({
  host: a.host,
  port: a.port,
  tls: d.tls,
  ...(c.sentinelPassword ? { password: c.sentinelPassword } : {}),
  ...(c.sentinelUsername ? { username: c.sentinelUsername } : {}),
});

/** Where and how to connect to one data node of a deployment. */
export const nodeTarget = (d: DeploymentConfig, c: Credentials, a: Address): BatchTarget => ({
  host: a.host,
  port: a.port,
  tls: d.tls,
  ...(c.password ? { password: c.password } : {}),
  ...(c.username ? { username: c.username } : {}),
});
