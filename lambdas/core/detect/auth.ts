// AUTH_FAILED: a node or sentinel refused the watcher's credentials, or was sent a password it does
// not have. The same credentials go to every data node (and the sentinel ones to every sentinel), so
// comparing with the servers that accepted them tells which side to fix: one odd server, or the
// watcher's secret. Messages never contain a password (the probe never gives us one anyway).

import { CAPABILITIES, refuses } from '../capabilities';
import type { Finding, NodeSnapshot, SentinelSnapshot } from '../types';
import { formatAddress, sameAddress } from '../types';
import { DEPLOYMENT_SUBJECT, nodeSubject, sentinelSubject } from './codes';
import { authBlocked, hasAuthError, type View } from './view';

export function detectAuth(view: View): Finding[] {
  const { nodes, sentinels } = view.snapshot;
  const all = [
    ...nodes.filter(hasAuthError).map((n) => nodeAuthFinding(view, n, nodes)),
    ...sentinels.filter(hasAuthError).map((s) => sentinelAuthFinding(s, sentinels)),
  ];
  // The watcher's own secret is wrong: one cause, one page, however many servers refuse it.
  const watcherSide = all.filter((f) => f.details?.fix === 'watcher');
  if (watcherSide.length < 2) return all;
  return [...all.filter((f) => f.details?.fix !== 'watcher'), watcherFinding(watcherSide)];
}

function watcherFinding(findings: readonly Finding[]): Finding {
  const servers = findings.map((f) => f.subject);
  const messages = [
    ...new Set(findings.map((f) => f.message.replace(/^(Node|Sentinel) \S+( \(the master\))? /, ''))),
  ];
  return {
    code: 'AUTH_FAILED',
    severity: findings.some((f) => f.severity === 'critical') ? 'critical' : 'warning',
    subject: DEPLOYMENT_SUBJECT,
    message: `The watcher's credentials are refused by every server it asks (${servers.join(', ')}), so it cannot see their state: the fault is on the watcher's side. Each ${messages.join(' Also: ')}`,
    details: {
      fix: 'watcher',
      servers,
      errorClasses: [...new Set(findings.map((f) => f.details?.errorClass))],
    },
  };
}

type Server = NodeSnapshot | SentinelSnapshot;

/** Servers of the same kind that took the same credentials without complaint. */
const acceptedBy = (servers: readonly Server[], self: Server): Server[] =>
  servers.filter((s) => s !== self && s.reachable && !hasAuthError(s));

function nodeAuthFinding(view: View, n: NodeSnapshot, nodes: readonly NodeSnapshot[]): Finding {
  const isMaster = sameAddress(n, view.snapshot.master);
  const name = `Node ${formatAddress(n)}${isMaster ? ' (the master)' : ''}`;
  const others = acceptedBy(nodes, n).length;
  const allBlocked = nodes.every((x) => authBlocked(x) || !x.reachable);
  const cls = n.error!.class;
  let message: string;
  if (cls === 'auth-required') {
    message =
      others > 0
        ? `${name} requires a password, but the watcher sent none and the other data nodes accept that: this node alone has requirepass set. Make requirepass and masterauth the same on every data node.`
        : `${name} requires a password and the watcher sent none: set passwordEnv or passwordSecretArn in the watcher's deployment config to the nodes' requirepass.`;
  } else if (refuses(n.error, CAPABILITIES.aclUsers)) {
    message = aclUnsupported(name, 'username');
  } else if (cls === 'auth-rejected') {
    message =
      others > 0
        ? `${name} rejects the password (or username) that the other data nodes accept: its requirepass differs from theirs. Set requirepass and masterauth on this node to the deployment's password (CONFIG SET, then CONFIG REWRITE); its replication and the sentinels' auth-pass fail the same way.`
        : `${name} rejects the watcher's password (or username): the secret named by passwordEnv or passwordSecretArn is wrong, or the password was changed on the servers only. Update the watcher's secret to the nodes' requirepass.`;
  } else {
    message =
      others > 0
        ? `${name} has no password (requirepass is not set) while the other data nodes accept the watcher's password: anyone who can reach it can read and write without authenticating. Set requirepass and masterauth on this node to the deployment's password.`
        : `${name} has no password, but the watcher sends one: either set requirepass and masterauth on every data node (and sentinel auth-pass), or remove passwordEnv/passwordSecretArn from the watcher's config.`;
  }
  const blocking = cls !== 'auth-not-configured';
  return {
    code: 'AUTH_FAILED',
    // The watcher is blind to the master, or to every node: as serious as the master being down.
    severity: blocking && (isMaster || allBlocked) ? 'critical' : 'warning',
    subject: nodeSubject(n),
    message,
    details: { errorClass: cls, server: 'node', fix: others > 0 ? 'server' : 'watcher', isMaster },
  };
}

function sentinelAuthFinding(s: SentinelSnapshot, sentinels: readonly SentinelSnapshot[]): Finding {
  const name = `Sentinel ${formatAddress(s)}`;
  const others = acceptedBy(sentinels, s).length;
  const allBlocked = sentinels.every((x) => authBlocked(x) || !x.reachable);
  const cls = s.error!.class;
  let message: string;
  if (cls === 'auth-required') {
    message =
      others > 0
        ? `${name} requires a password, but the other sentinels accept the watcher without one: this sentinel alone has requirepass set. Make the sentinels' requirepass the same everywhere.`
        : `${name} requires a password and the watcher sent none: set sentinelPasswordEnv or sentinelPasswordSecretArn in the watcher's deployment config to the sentinels' requirepass.`;
  } else if (refuses(s.error, CAPABILITIES.aclUsers)) {
    message = aclUnsupported(name, 'sentinelUsername');
  } else if (cls === 'auth-rejected') {
    message =
      others > 0
        ? `${name} rejects the password that the other sentinels accept: its requirepass differs. Set it to the same value as on the other sentinels (and in their config files).`
        : `${name} rejects the watcher's sentinel password (or username): the secret named by sentinelPasswordEnv or sentinelPasswordSecretArn is wrong, or the sentinels' requirepass was changed. Update the watcher's secret.`;
  } else {
    message =
      others > 0
        ? `${name} has no password while the other sentinels accept the watcher's: set the same requirepass on it.`
        : `${name} has no password, but the watcher sends one: set requirepass on every sentinel, or remove sentinelPasswordEnv/sentinelPasswordSecretArn from the watcher's config.`;
  }
  return {
    code: 'AUTH_FAILED',
    // Blind to every sentinel means blind to failovers: critical.
    severity: cls !== 'auth-not-configured' && allBlocked ? 'critical' : 'warning',
    subject: sentinelSubject(s),
    message,
    details: { errorClass: cls, server: 'sentinel', fix: others > 0 ? 'server' : 'watcher' },
  };
}

/** A username sent to a server older than Redis 6.0, which has no ACL users. */
const aclUnsupported = (name: string, field: string): string =>
  `${name} does not support ACL users (it predates Redis 6.0, whose AUTH takes only a password), so it refused the watcher's username as a syntax error and the watcher cannot read it. Remove ${field} from the watcher's deployment config (the password alone authenticates on this version), or upgrade the server.`;
