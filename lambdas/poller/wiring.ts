// The poller's default adapters and credential lookup, kept apart from the invocation loop (run.ts,
// which re-exports them): the probe and lag probe over a batch runner, the abortable sleep, and the
// passwords of one deployment from Secrets Manager or, locally, the environment.

import type { RunBatch } from '../core/batch';
import type { Credentials, DeploymentConfig } from '../core/config';
import { detectionSettings } from '../core/detect';
import { ConfigError } from '../core/errors';
import type { Clock, SecretSource } from '../core/ports';
import { readLag } from '../probe/lag-sampler';
import { pollDeployment } from '../probe/poll-deployment';
import { nodeTarget } from '../probe/targets';
import type { LagProbe, Probe, Sleep } from './types';

/** The probe over a batch runner: what the handler and the integration tests use. */
export const probeWith =
  (runBatch: RunBatch, now: Clock): Probe =>
  (deployment, credentials, previous) =>
    pollDeployment(deployment, credentials, { runBatch, now }, { previous: previous ?? null });

/** The default LagProbe: the master's `INFO replication`, one command with the node deadline. */
export const lagProbeWith =
  (runBatch: RunBatch): LagProbe =>
  async (d, credentials, master) =>
    (await readLag(runBatch, nodeTarget(d, credentials, master), d.timeoutMs, detectionSettings(d)))
      .behind !== null;

/** The default Sleep: a timer that an abort signal cuts short. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Passwords for one deployment: Secrets Manager (`passwordSecretArn`) or, for local runs, an
 * environment variable (`passwordEnv`). A variable the config names must be set.
 */
export async function resolveCredentials(
  d: DeploymentConfig,
  index: number,
  secrets: SecretSource,
  env: Readonly<Record<string, string | undefined>>,
  fresh = false,
): Promise<Credentials> {
  const fromEnv = (name: string | null, key: string): string | undefined => {
    if (name === null) return undefined;
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ConfigError(`deployments[${index}].${key}`, `environment variable ${name} is not set`);
    }
    return value;
  };
  const [password, sentinelPassword] = await Promise.all([
    d.passwordSecretArn
      ? secrets.getSecret(d.passwordSecretArn, { fresh })
      : fromEnv(d.passwordEnv, 'passwordEnv'),
    d.sentinelPasswordSecretArn
      ? secrets.getSecret(d.sentinelPasswordSecretArn, { fresh })
      : fromEnv(d.sentinelPasswordEnv, 'sentinelPasswordEnv'),
  ]);
  return {
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(d.username ? { username: d.username } : {}),
    ...(d.sentinelUsername ? { sentinelUsername: d.sentinelUsername } : {}),
  };
}
