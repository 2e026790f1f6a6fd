// The sentinels themselves: reachable, sane (TILT), agreeing, knowing the right number of peers, and
// together able to authorise a failover.

import type { Finding, SentinelSnapshot } from '../types';
import { formatAddress } from '../types';
import { DEPLOYMENT_SUBJECT, sentinelSubject } from './codes';
import { blindSpots } from './sentinel-view';
import { describeFault } from './text';
import { sentinelDown, sentinelUsable, type View } from './view';

export function detectSentinels(view: View): Finding[] {
  return [
    ...view.snapshot.sentinels.flatMap((s) => [
      ...unreachable(view, s),
      ...tilt(s),
      ...countMismatch(view, s),
    ]),
    ...disagree(view),
    ...noQuorum(view),
  ];
}

/** SENTINEL_UNREACHABLE. Auth failures are AUTH_FAILED; "does not monitor this master" is CONFIG_RISK. */
function unreachable(view: View, s: SentinelSnapshot): Finding[] {
  if (!sentinelDown(s)) return [];
  // Listed under an address that is not its own: CONFIG_RISK names the sentinel that announces it.
  if (phantomOf(view, s)) return [];
  const { what, hint } = describeFault(s.error);
  const onlyFromPeers = !s.discoveredBy.includes('config');
  const stale = onlyFromPeers
    ? ` It is not in the watcher's config: other sentinels still list it, so if it was replaced or changed address it is a stale entry that raises the majority needed for a failover. Remove it with SENTINEL RESET ${view.snapshot.masterName} on each sentinel, one at a time.`
    : '';
  return [
    {
      code: 'SENTINEL_UNREACHABLE',
      severity: 'warning',
      subject: sentinelSubject(s),
      message: `Sentinel ${formatAddress(s)} ${what}: one vote fewer for detecting a failure and authorising a failover. ${hint}${stale}`,
      details: { errorClass: s.error?.class ?? null, discoveredBy: s.discoveredBy },
    },
  ];
}

/** SENTINEL_TILT: the sentinel saw its clock jump or was paused, and stops acting for at least 30 s. */
function tilt(s: SentinelSnapshot): Finding[] {
  if (s.tilt !== true) return [];
  return [
    {
      code: 'SENTINEL_TILT',
      severity: 'warning',
      subject: sentinelSubject(s),
      message: `Sentinel ${formatAddress(s)} is in TILT mode: its timer jumped (clock change, or the process was paused or starved of CPU), so it neither votes nor fails over and its view cannot be trusted. It leaves TILT by itself 30 s after timing is normal; if it keeps coming back, check NTP, CPU steal and swap on its host.`,
    },
  ];
}

/**
 * SENTINEL_COUNT_MISMATCH: how many sentinels (itself included) this one knows. More than expected
 * means stale entries (the "quorum 4/2 with three sentinels" case); fewer means peers it never heard.
 * Not judged on a sentinel in TILT, whose view cannot be trusted.
 */
function countMismatch(view: View, s: SentinelSnapshot): Finding[] {
  if (!sentinelUsable(s) || s.tilt === true) return [];
  const known = s.master!.numOtherSentinels + 1;
  const expected = view.expectedSentinels;
  if (known === expected) return [];
  const name = view.snapshot.masterName;
  const peers = s.sentinels.map(
    (p) => `${formatAddress(p)}${p.flags.some((f) => f.endsWith('_down')) ? ' (down)' : ''}`,
  );
  const why =
    known > expected
      ? `It keeps stale entries (a sentinel that was replaced, restarted with a new id or changed address), and those count in the majority needed to authorise a failover.`
      : `It does not hear from every peer: their hello messages (on the master's __sentinel__:hello channel) do not arrive, e.g. a wrong announce-ip, a firewall, or a sentinel that monitors the master under another name.`;
  return [
    {
      code: 'SENTINEL_COUNT_MISMATCH',
      severity: 'warning',
      subject: sentinelSubject(s),
      message:
        `Sentinel ${formatAddress(s)} knows ${known} sentinels (itself${peers.length ? ` and ${peers.join(', ')}` : ' only'}), ${expected} expected. ${why} ` +
        `Run SENTINEL RESET ${name} on one sentinel at a time, waiting about 30 s for it to rediscover its peers before the next, until each reports ${expected}.${view.settings.expectedSentinels !== null ? ` If ${expected} is wrong, change expectedSentinels.` : ` (${expected} is the most any sentinel knows; set expectedSentinels to state it.)`}`,
      details: {
        known,
        expected,
        expectedFrom: view.settings.expectedSentinels !== null ? 'config' : 'sentinels',
        peers: s.sentinels.map((p) => ({ address: formatAddress(p), flags: p.flags })),
      },
    },
  ];
}

/** SENTINELS_DISAGREE: reachable sentinels name different masters. Expected for a second during a failover. */
function disagree(view: View): Finding[] {
  const { votes } = view.snapshot.consensus;
  if (votes.length < 2) return [];
  const list = votes.map((v) => `${formatAddress(v.address)} (by ${v.sentinels.join(', ')})`).join(' vs ');
  const during = view.failover.length > 0;
  return [
    {
      code: 'SENTINELS_DISAGREE',
      severity: during ? 'warning' : 'critical',
      subject: DEPLOYMENT_SUBJECT,
      message: during
        ? `The sentinels name different masters while a failover runs: ${list}. Normal for a moment; if it outlasts the failover, check the network between the sentinels and run SENTINEL RESET ${view.snapshot.masterName} on the sentinel in the minority.`
        : `The sentinels name different masters: ${list}. Clients that ask different sentinels write to different nodes (split brain). Usually a network partition, or a sentinel that missed a failover: restore connectivity, then run SENTINEL RESET ${view.snapshot.masterName} on the sentinel in the minority; if it still disagrees, SENTINEL REMOVE and SENTINEL MONITOR it to the right master.`,
      details: { votes: votes.map((v) => ({ address: formatAddress(v.address), sentinels: v.sentinels })) },
    },
  ];
}

/**
 * NO_QUORUM: a sentinel's CKQUORUM fails, too few sentinels answer for the quorum and a majority of
 * all the sentinels they know, or the quorum is set above the number of sentinels. Sentinels the
 * watcher cannot authenticate to are counted as present: their state is unknown and AUTH_FAILED
 * already reports them. The message names the cause found, because each has a different fix:
 * sentinels down, a quorum set too high, or sentinels that answer but cannot use each other.
 */
function noQuorum(view: View): Finding[] {
  const q = view.quorum;
  if (q.possible) return [];
  const name = view.snapshot.masterName;
  const reasons: string[] = [];
  const fixes: string[] = [];
  if (q.quorumTooHigh) {
    reasons.push(
      `the quorum is ${q.quorum} but the sentinels know only ${q.known} sentinels, so they can never agree the master is down`,
    );
    fixes.push(
      `set the quorum to ${q.majority} (a majority) on each sentinel: SENTINEL SET ${name} quorum ${q.majority}`,
    );
  }
  if (q.tooFewAnswer) {
    reasons.push(
      `only ${q.usable} of ${q.known} sentinels answer for ${name}, and a failover needs ${q.needed} (quorum ${q.quorum || '?'} to agree the master is down, a majority of ${q.majority} to authorise it)`,
    );
    fixes.push('bring the stopped sentinels back (see SENTINEL_UNREACHABLE)');
  }
  const ckOnly = q.ckquorumFailing.length > 0 && !q.tooFewAnswer && !q.quorumTooHigh;
  if (q.ckquorumFailing.length > 0) {
    reasons.push(
      q.ckquorumFailing.map((s) => `sentinel ${formatAddress(s)} says "${s.ckquorum!.message}"`).join('; '),
    );
  }
  if (ckOnly) {
    // Every sentinel answers the watcher, yet they do not count each other as usable.
    const peers = blindSpots(view).filter((b) => b.kind === 'sentinel');
    fixes.push(
      peers.length > 0
        ? `the sentinels answer the watcher but flag each other down (${peers.map((b) => `${formatAddress(b.sentinel)} → ${formatAddress(b.target)}`).join(', ')}): ${peers.some((b) => b.cause === 'sentinel-auth') ? "they cannot authenticate to each other (sentinel-user/sentinel-pass must match the sentinels' requirepass or ACL user)" : 'they cannot reach each other (network, announce-ip/announce-port)'}; see SENTINEL_SEES_DOWN`
        : 'check that the sentinels can reach and authenticate to each other (announce-ip/announce-port, firewalls, sentinel-pass)',
    );
  }
  return [
    {
      code: 'NO_QUORUM',
      severity: 'critical',
      subject: DEPLOYMENT_SUBJECT,
      message: `No automatic failover is possible: ${reasons.join('; ')}. If the master fails now, it stays down. Fix: ${fixes.join('; ')}, until SENTINEL CKQUORUM ${name} answers OK.`,
      details: {
        usableSentinels: q.usable,
        unknownSentinels: q.unknown,
        knownSentinels: q.known,
        quorum: q.quorum,
        needed: q.needed,
        cause: q.quorumTooHigh
          ? 'quorum-too-high'
          : q.tooFewAnswer
            ? 'sentinels-down'
            : 'sentinels-cannot-use-each-other',
        ckquorumFailing: q.ckquorumFailing.map((s) => ({
          sentinel: formatAddress(s),
          message: s.ckquorum!.message,
        })),
      },
    },
  ];
}

/** A sentinel listed by its peers under an address where it does not answer. */
export interface Phantom {
  /** The same sentinel (same run id) answering at its real address, when the watcher knows it. */
  readonly real: SentinelSnapshot | null;
  readonly runId: string | null;
  /** How long ago its peers last heard its hello (it is alive), and last got a PING reply. */
  readonly lastHelloMs: number | null;
  readonly lastOkPingReplyMs: number | null;
}

/** Hellos arrive every 2 s: heard within this long, the sentinel is alive. */
const HELLO_ALIVE_MS = 6000;
/** Its PINGs fail while its hellos arrive: a dead sentinel's last PING reply and hello are close. */
const PING_SILENT_BEYOND_HELLO_MS = 3000;

/**
 * A sentinel address the watcher only knows from peers, that does not answer, but that is a live
 * sentinel announcing a wrong address (announce-ip / announce-port, NAT), not a dead one: either
 * the peers list there the run id of a sentinel that answers elsewhere, or they still hear its hello
 * messages (through the master) while their PINGs to that address go unanswered.
 */
export function phantomOf(view: View, s: SentinelSnapshot): Phantom | null {
  if (s.discoveredBy.includes('config') || s.reachable) return null;
  const listings = view.snapshot.sentinels.flatMap((x) =>
    x.sentinels.filter((p) => p.host === s.host && p.port === s.port),
  );
  const runIds = new Set(listings.map((p) => p.runId).filter((r): r is string => r !== null));
  const real =
    view.snapshot.sentinels.find((x) => {
      if (x === s || !x.reachable || (x.host === s.host && x.port === s.port)) return false;
      const id = sentinelId(view, x);
      return id !== null && runIds.has(id);
    }) ?? null;
  const hellos = listings.map((p) => p.lastHelloMessageMs).filter((v): v is number => v !== null);
  const pings = listings.map((p) => p.lastOkPingReplyMs ?? null).filter((v): v is number => v !== null);
  const lastHelloMs = hellos.length > 0 ? Math.min(...hellos) : null;
  const lastOkPingReplyMs = pings.length > 0 ? Math.min(...pings) : null;
  const helloButNoPing =
    lastHelloMs !== null &&
    lastHelloMs < HELLO_ALIVE_MS &&
    lastOkPingReplyMs !== null &&
    lastOkPingReplyMs > lastHelloMs + PING_SILENT_BEYOND_HELLO_MS;
  if (!real && !helloButNoPing) return null;
  return { real, runId: [...runIds][0] ?? null, lastHelloMs, lastOkPingReplyMs };
}

/**
 * The id a sentinel's peers list it under: `SENTINEL MYID` (6.2+), else the one id every other
 * answering sentinel lists and it does not (a sentinel never lists itself).
 */
export function sentinelId(view: View, s: SentinelSnapshot): string | null {
  if (s.myId) return s.myId;
  if (!sentinelUsable(s)) return null;
  const own = new Set(s.sentinels.map((p) => p.runId));
  const others = view.snapshot.sentinels.filter((x) => x !== s && sentinelUsable(x));
  if (others.length === 0) return null;
  const candidates = new Set(
    others
      .flatMap((x) => x.sentinels.map((p) => p.runId))
      .filter((id): id is string => id !== null && !own.has(id)),
  );
  const listedByAll = [...candidates].filter((id) =>
    others.every((x) => x.sentinels.some((p) => p.runId === id)),
  );
  return listedByAll.length === 1 ? listedByAll[0] : null;
}
