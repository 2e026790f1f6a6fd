// PROBE_LIMIT_REACHED: the watcher's own bounds (lambdas/core/limits.ts) left part of the deployment
// unread. Either more servers were named than one poll probes, or a server that answered was cut off
// at its byte budget. A server cut off before it answered anything is *_UNREACHABLE (with the same
// explanation from describeFault) and is not reported again here.

import { MAX_NODES, MAX_SENTINELS } from '../limits';
import type { Finding, NodeSnapshot, SentinelSnapshot } from '../types';
import { formatAddress } from '../types';
import { DEPLOYMENT_SUBJECT, nodeSubject, sentinelSubject } from './codes';
import { describeFault } from './text';
import { nodeDown, sentinelDown, type View } from './view';

export function detectLimits(view: View): Finding[] {
  const { snapshot } = view;
  return [
    ...unprobed(view),
    ...snapshot.nodes
      .filter((n) => cutOff(n) && !nodeDown(n))
      .map((n) => cutFinding(n, nodeSubject(n), 'Node')),
    ...snapshot.sentinels
      .filter((s) => cutOff(s) && !sentinelDown(s))
      .map((s) => cutFinding(s, sentinelSubject(s), 'Sentinel')),
  ];
}

const cutOff = (s: NodeSnapshot | SentinelSnapshot): boolean => s.error?.class === 'reply-too-large';

function cutFinding(s: NodeSnapshot | SentinelSnapshot, subject: string, kind: string): Finding {
  const { what, hint } = describeFault(s.error);
  return {
    code: 'PROBE_LIMIT_REACHED',
    severity: 'warning',
    subject,
    message: `${kind} ${formatAddress(s)} ${what}: what it said before the cut is used, the rest of its state is unknown. ${hint}`,
    details: { limit: 'maxReplyBytes', errorClass: 'reply-too-large' },
  };
}

function unprobed(view: View): Finding[] {
  const left = view.snapshot.unprobed;
  if (!left) return [];
  const parts = [
    left.sentinels > 0 ? `${left.sentinels} more sentinel${left.sentinels === 1 ? '' : 's'}` : null,
    left.nodes > 0 ? `${left.nodes} more data node${left.nodes === 1 ? '' : 's'}` : null,
  ].filter((p) => p !== null);
  const name = view.snapshot.masterName;
  return [
    {
      code: 'PROBE_LIMIT_REACHED',
      severity: 'warning',
      subject: DEPLOYMENT_SUBJECT,
      message:
        `The servers of ${view.snapshot.deployment} name ${parts.join(' and ')} than the watcher probes in one poll ` +
        `(${MAX_SENTINELS} sentinels and ${MAX_NODES} data nodes per deployment), so those are not checked, e.g. ${left.examples.join(', ')}. ` +
        `A Sentinel deployment is rarely that large: usually these are stale entries (run SENTINEL RESET ${name} on each sentinel, one at a time, waiting ~30 s between them) or a sentinel announcing peers that do not exist. ` +
        'If the deployment really is this large, split it into several deployments in the config.',
      details: { limit: 'servers', unprobed: left, maxSentinels: MAX_SENTINELS, maxNodes: MAX_NODES },
    },
  ];
}
