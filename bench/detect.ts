// Detection latency over real master kills (kill -9). For each kill, two watchers run side by side on
// the same deployment: `DeploymentWatcher.run` with the sentinel event subscription (interval 10 s),
// and plain polling at an interval (no subscription). An independent pub/sub client of our own on
// every sentinel timestamps the first `+switch-master`; each watcher's `MASTER_CHANGED` is timed when
// its step is handed over (`onStep`), i.e. when a notification would be sent. The kills come at
// offsets spread evenly over the polling interval, so the polling figures sample the whole cycle.
// After each kill the old master is restarted as a replica of the new one and the deployment must be
// healthy again before the next kill.

import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { runBatch } from '../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../lambdas/adapters/sentinel-events';
import type { Address } from '../lambdas/core/types';
import { DeploymentWatcher, type WatchStep } from '../lambdas/probe/deployment-watcher';
import type { Lab, Log } from './lab';
import { roundTo, type Summary, summarize } from './stats';

export interface DetectOptions {
  readonly kills: number;
  /** Interval of the event-driven watcher (it polls on events in between). */
  readonly eventsIntervalMs: number;
  /** Interval of the polling-only watcher. */
  readonly pollingIntervalMs: number;
}

export interface KillRecord {
  readonly from: number;
  readonly to: number | null;
  /** Offset of the kill after both watchers' first poll. */
  readonly offsetMs: number;
  readonly killToSwitchMs: number | null;
  /** `+switch-master` (first, independent subscriber) to MASTER_CHANGED, per watcher. */
  readonly eventsMs: number | null;
  readonly eventsTrigger: WatchStep['trigger'] | null;
  readonly pollingMs: number | null;
  /**
   * What plain polling should give: the time left in the interval when the switch happened,
   * interval - ((offset + kill->switch) mod interval).
   */
  readonly pollingPredictedMs: number | null;
  /** Distinct `+switch-master` announcements heard for this kill (more than one: a spurious failover). */
  readonly switches: number;
  readonly healthyAgainMs: number;
}

export interface DetectResult {
  readonly options: DetectOptions;
  readonly kills: readonly KillRecord[];
  readonly killToSwitch: Summary;
  readonly events: Summary;
  readonly polling: Summary;
  /** Largest |measured - predicted| polling delay over the kills. */
  readonly pollingModelErrorMs: number | null;
  readonly goal: { readonly met: boolean; readonly text: string };
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface SwitchEvent {
  readonly at: number;
  readonly sentinel: number;
  readonly from: number;
  readonly to: number;
}

/** Our own subscriber on every sentinel: `+switch-master <name> <old ip> <old port> <new ip> <new port>`. */
async function independentSubscriber(ports: readonly number[], masterName: string) {
  const heard: SwitchEvent[] = [];
  const clients = ports.map((port) => {
    const c = new Redis({
      host: '127.0.0.1',
      port,
      protocol: 2,
      lazyConnect: true,
      enableReadyCheck: false,
      disableClientInfo: true,
      retryStrategy: (times) => Math.min(100 * times, 1000),
    });
    c.on('error', () => undefined);
    c.on('message', (_channel: string, message: string) => {
      const at = now();
      const [name, , fromPort, , toPort] = message.split(' ');
      if (name === masterName) heard.push({ at, sentinel: port, from: Number(fromPort), to: Number(toPort) });
    });
    return c;
  });
  await Promise.all(clients.map((c) => c.subscribe('+switch-master')));
  return {
    heard,
    close: () => {
      for (const c of clients) c.disconnect();
    },
  };
}

async function waitUntil(predicate: () => boolean, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

export async function benchDetect(lab: Lab, options: DetectOptions, log: Log): Promise<DetectResult> {
  const { topo } = lab;
  const subscriber = await independentSubscriber(topo.sentinelPorts, topo.masterName);
  const kills: KillRecord[] = [];
  try {
    let master: Address = await lab.waitHealthy();
    for (let k = 0; k < options.kills; k++) {
      const d = lab.deployment();
      const watchers = {
        events: new DeploymentWatcher(d, lab.credentials, {
          runBatch,
          now: Date.now,
          subscribe: subscribeSentinelEvents,
        }),
        polling: new DeploymentWatcher(d, lab.credentials, { runBatch, now: Date.now }),
      };
      const seen = {
        events: { steps: 0, at: null as number | null, trigger: null as WatchStep['trigger'] | null },
        polling: { steps: 0, at: null as number | null, trigger: null as WatchStep['trigger'] | null },
      };
      const runs = (['events', 'polling'] as const).map((mode) =>
        watchers[mode].run({
          intervalMs: mode === 'events' ? options.eventsIntervalMs : options.pollingIntervalMs,
          onStep: (step) => {
            const at = now();
            const s = seen[mode];
            s.steps++;
            if (s.at === null && step.notifications.some((n) => n.code === 'MASTER_CHANGED')) {
              s.at = at;
              s.trigger = step.trigger;
            }
          },
        }),
      );
      try {
        await waitUntil(() => seen.events.steps > 0 && seen.polling.steps > 0, 10_000);
        // Kill k lands in the middle of slice k of the polling interval: the kills sample the polling
        // cycle evenly, so the polling mean estimates interval/2 without the noise of random phases.
        const offsetMs = Math.round(((k + 0.5) / options.kills) * options.pollingIntervalMs);
        await sleep(offsetMs);
        const before = subscriber.heard.length;
        const killed = master.port;
        const killedAt = now();
        log(`kill ${k + 1}/${options.kills}: kill -9 master ${killed} (${offsetMs} ms into the interval)`);
        await topo.kill(killed, 'SIGKILL');
        const mine = () => subscriber.heard.slice(before).filter((e) => e.from === killed);
        await waitUntil(() => mine().length > 0, 30_000);
        const first = mine()[0] ?? null;
        await waitUntil(
          () => seen.events.at !== null && seen.polling.at !== null,
          options.pollingIntervalMs + 15_000,
        );
        for (const w of Object.values(watchers)) w.stop();
        await Promise.all(runs);
        const since = (x: number | null) => (x === null || first === null ? null : roundTo(x - first.at, 1));
        const to = first?.to ?? (await topo.currentMaster())?.port ?? null;
        log(
          `  +switch-master ${first ? `${Math.round(first.at - killedAt)} ms after the kill` : 'NOT heard'}; ` +
            `MASTER_CHANGED +${since(seen.events.at) ?? '?'} ms with events (${seen.events.trigger ?? '-'}), ` +
            `+${since(seen.polling.at) ?? '?'} ms polling`,
        );
        // Bring the old master back the way an operator would (as a replica of the new master).
        const restartAt = now();
        if (to !== null) await topo.restart(killed, { replicaOf: to });
        else await topo.restart(killed);
        master = await lab.waitHealthy();
        const healthyAgainMs = Math.round(now() - restartAt);
        const switches = new Set(subscriber.heard.slice(before).map((e) => `${e.from}->${e.to}`)).size;
        log(`  healthy again ${healthyAgainMs} ms after the restart; master ${master.port}`);
        kills.push({
          from: killed,
          to,
          offsetMs,
          killToSwitchMs: first ? roundTo(first.at - killedAt, 1) : null,
          eventsMs: since(seen.events.at),
          eventsTrigger: seen.events.trigger,
          pollingMs: since(seen.polling.at),
          pollingPredictedMs: first
            ? roundTo(
                options.pollingIntervalMs - ((offsetMs + (first.at - killedAt)) % options.pollingIntervalMs),
                0,
              )
            : null,
          switches,
          healthyAgainMs,
        });
      } finally {
        for (const w of Object.values(watchers)) w.stop();
        await Promise.all(runs).catch(() => undefined);
      }
    }
  } finally {
    subscriber.close();
  }
  const values = (f: (k: KillRecord) => number | null) => kills.map(f).filter((x): x is number => x !== null);
  const events = summarize(values((k) => k.eventsMs));
  const missed = kills.filter((k) => k.eventsMs === null).length;
  const met = missed === 0 && events.n > 0 && events.max <= 1000;
  return {
    options,
    kills,
    killToSwitch: summarize(values((k) => k.killToSwitchMs)),
    events,
    polling: summarize(values((k) => k.pollingMs)),
    pollingModelErrorMs: kills.some((k) => k.pollingMs !== null && k.pollingPredictedMs !== null)
      ? roundTo(
          Math.max(
            ...kills
              .filter((k) => k.pollingMs !== null && k.pollingPredictedMs !== null)
              .map((k) => Math.abs(k.pollingMs! - k.pollingPredictedMs!)),
          ),
          0,
        )
      : null,
    goal: {
      met,
      text:
        `MASTER_CHANGED with events: p50 ${events.p50} ms, max ${events.max} ms after +switch-master ` +
        `(goal <= 1000 ms on every kill${missed ? `; missed on ${missed} kills` : ''}): ${met ? 'met' : 'NOT met'}`,
    },
  };
}
