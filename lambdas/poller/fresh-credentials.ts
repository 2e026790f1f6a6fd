// A poll refused for its password reads the password's secret again before it judges. The poller
// caches secrets for 30 minutes (POLLER_SECRET_TTL_MS); when a node or sentinel refuses the cached
// password and the deployment's password comes from Secrets Manager, the secret may have been rotated
// since: read it again (getSecret `fresh`) and, if it changed, probe again at once with the new one.
// So a rotation costs no AUTH_FAILED page, and a password that is really wrong still pages from the
// first poll (the fresh read returns the same value; at most one fresh read a minute per secret).

import type { Credentials, DeploymentConfig } from '../core/config';
import { hasAuthError } from '../core/detect/view';
import type { Snapshot } from '../core/types';
import type { PollerLog, Probe } from './types';

export interface FreshCredentials {
  /** The credentials the next probe uses (the latest read). */
  current(): Credentials;
  /** `probe`, again with a fresh read of the secrets when a server refused the password. */
  readonly probe: Probe;
}

export function freshCredentials(
  probe: Probe,
  d: DeploymentConfig,
  initial: Credentials,
  reread: (fresh: boolean) => Promise<Credentials>,
  log: PollerLog,
): FreshCredentials {
  let credentials = initial;
  const fromSecrets = Boolean(d.passwordSecretArn || d.sentinelPasswordSecretArn);
  return {
    current: () => credentials,
    probe: async (deployment, _given, previous) => {
      const snapshot = await probe(deployment, credentials, previous);
      if (!fromSecrets || !refused(snapshot)) return snapshot;
      const fresh = await reread(true).catch(() => null);
      if (fresh === null || samePasswords(fresh, credentials)) return snapshot;
      credentials = fresh;
      log.info(
        'a server refused the cached password and its secret has changed: polling again with the new one',
        {
          deployment: d.name,
        },
      );
      return probe(deployment, credentials, previous);
    },
  };
}

const refused = (s: Snapshot): boolean => s.nodes.some(hasAuthError) || s.sentinels.some(hasAuthError);

const samePasswords = (a: Credentials, b: Credentials): boolean =>
  a.password === b.password && a.sentinelPassword === b.sentinelPassword;
