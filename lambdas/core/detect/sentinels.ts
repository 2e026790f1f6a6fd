// The sentinels themselves: reachable, sane (TILT), agreeing, knowing the right number of peers, and
// together able to authorise a failover.

import type { Finding, SentinelSnapshot } from '../types';
import { formatAddress } from '../types';
import { DEPLOYMENT_SUBJECT, sentinelSubject } from './codes';
import { describeFault } from './text';
import { authBlocked, sentinelDown, sentinelUsable, type View } from './view';

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
  const expected = view.settings.expectedSentinels;
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
        `Run SENTINEL RESET ${name} on one sentinel at a time, waiting about 30 s for it to rediscover its peers before the next, until each reports ${expected}. If ${expected} is wrong, change expectedSentinels.`,
      details: {
        known,
        expected,
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
 * NO_QUORUM: a sentinel's CKQUORUM fails, or fewer sentinels answer than a failover needs (the
 * quorum to agree the master is down, and a majority of all known sentinels to authorise it).
 * Sentinels the watcher cannot authenticate to are counted as present: their state is unknown and
 * AUTH_FAILED already reports them, so a wrong watcher password does not also page as NO_QUORUM.
 */
function noQuorum(view: View): Finding[] {
  const { sentinels } = view.snapshot;
  const usable = sentinels.filter(sentinelUsable);
  const unknown = sentinels.filter(authBlocked).length;
  const quorum = Math.max(0, ...usable.map((s) => s.master!.quorum));
  const known = Math.max(
    view.settings.expectedSentinels,
    ...usable.map((s) => s.master!.numOtherSentinels + 1),
  );
  const majority = Math.floor(known / 2) + 1;
  const needed = Math.max(quorum, majority);
  const failing = sentinels.filter((s) => s.ckquorum !== null && !s.ckquorum.ok);

  const reasons: string[] = [];
  if (usable.length + unknown < needed) {
    reasons.push(
      `only ${usable.length} of ${known} sentinels answer for ${view.snapshot.masterName}, and a failover needs ${needed} (quorum ${quorum || '?'} to agree the master is down, a majority of ${majority} to authorise it)`,
    );
  }
  if (failing.length > 0) {
    reasons.push(failing.map((s) => `sentinel ${formatAddress(s)} says "${s.ckquorum!.message}"`).join('; '));
  }
  if (reasons.length === 0) return [];
  return [
    {
      code: 'NO_QUORUM',
      severity: 'critical',
      subject: DEPLOYMENT_SUBJECT,
      message: `No automatic failover is possible: ${reasons.join('; ')}. If the master fails now, it stays down. Bring the stopped sentinels back (see SENTINEL_UNREACHABLE), or fix the ones that cannot see each other, until SENTINEL CKQUORUM ${view.snapshot.masterName} answers OK.`,
      details: {
        usableSentinels: usable.length,
        unknownSentinels: unknown,
        knownSentinels: known,
        quorum,
        needed,
        ckquorumFailing: failing.map((s) => ({ sentinel: formatAddress(s), message: s.ckquorum!.message })),
      },
    },
  ];
}
