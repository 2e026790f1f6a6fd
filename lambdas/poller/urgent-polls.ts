// Event-triggered polls go first. An invocation probes at most POLL_CONCURRENCY deployments at once
// (the rest wait in line): with a whole shard's clock polls queued, a poll that a `+switch-master`
// asked for would otherwise wait for all of them, seconds at a Lambda's CPU share. So the sentinel
// subscription marks a deployment when one of its trigger events arrives, and that deployment's
// probe goes next when a slot frees, whether it was already waiting (a clock poll queued before the
// event: at a minute's boundary every deployment of the shard is in line) or asks later. Wiring only: run.ts's loop is unchanged.

import { limitConcurrency } from '../core/concurrency';
import { TRIGGER_EVENTS } from '../core/sentinel-event';
import type { Probe, Subscribe } from './types';

export function urgentPolls(
  probe: Probe,
  subscribe: Subscribe | undefined,
  max: number,
): { probe: Probe; subscribe: Subscribe | undefined } {
  const marked = new Set<string>();
  return {
    // `delete` answers whether the mark was there, and uses it up: only the next probe jumps the line.
    probe: limitConcurrency(probe, max, (deployment) => marked.delete(deployment.name)),
    subscribe:
      subscribe &&
      ((request) =>
        subscribe({
          ...request,
          onEvent: (event) => {
            if (TRIGGER_EVENTS.includes(event.type)) marked.add(request.deployment);
            request.onEvent(event);
          },
        })),
  };
}
