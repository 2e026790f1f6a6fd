// Shared scaffolding for the field scenarios: one real topology per file, a watcher that polls it the
// way `watch` does, and assertions on what an operator would receive. Each scenario builds its fault
// for real (CONFIG SET, SENTINEL SET, kill, SIGSTOP) and undoes it, then waits for a healthy deployment.

import Redis from 'ioredis';
import { LocalTopology, type LocalTopologyOptions, waitFor } from '../../../cli/local/topology';
import { runBatch } from '../../../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../../../lambdas/adapters/sentinel-events';
import { type Credentials, parseDeployment } from '../../../lambdas/core/config';
import type { Notification } from '../../../lambdas/core/incidents';
import type { Finding } from '../../../lambdas/core/types';
import { DeploymentWatcher, type WatchStep } from '../../../lambdas/probe/deployment-watcher';

export interface Scenario {
  readonly topo: LocalTopology;
  /** A deployment config for this topology (one sentinel address listed by default, as users may). */
  readonly deployment: (patch?: Record<string, unknown>) => ReturnType<typeof parseDeployment>;
  readonly credentials: Credentials;
  /** A fresh watcher: polls only (`events: false`) or also subscribed to the sentinels. */
  readonly watcher: (patch?: Record<string, unknown>, options?: { events?: boolean }) => DeploymentWatcher;
}

/** Starts the file's topology before its tests and stops every process of it after. */
export function useTopology(
  name: string,
  options: LocalTopologyOptions & { basePort: number },
): () => Scenario {
  let scenario: Scenario | null = null;
  beforeAll(async () => {
    // SW_SCENARIO_PORT_SHIFT moves every scenario topology (e.g. to run them beside another suite).
    const shift = Number(process.env.SW_SCENARIO_PORT_SHIFT ?? 0);
    const topo = await LocalTopology.up({
      redisServer: process.env.REDIS_SERVER,
      ...options,
      basePort: options.basePort + shift,
    });
    const credentials: Credentials = {
      password: topo.password,
      ...(topo.sentinelPassword ? { sentinelPassword: topo.sentinelPassword } : {}),
    };
    const deployment = (patch: Record<string, unknown> = {}) =>
      parseDeployment(
        {
          name,
          masterName: topo.masterName,
          sentinels: [topo.sentinelAddresses[0]],
          timeoutMs: 1000,
          reminderMinutes: 60,
          ...patch,
        },
        'test',
      );
    scenario = {
      topo,
      deployment,
      credentials,
      watcher: (patch = {}, opts = {}) =>
        new DeploymentWatcher(deployment(patch), credentials, {
          runBatch,
          now: Date.now,
          ...(opts.events ? { subscribe: subscribeSentinelEvents } : {}),
        }),
    };
  }, 60_000);
  afterAll(async () => {
    await scenario?.topo.down();
  });
  return () => {
    if (!scenario) throw new Error('the topology is not up');
    return scenario;
  };
}

/** Polls until `until` holds for the steps so far; returns every step. */
export async function pollUntil(
  w: DeploymentWatcher,
  until: (steps: readonly WatchStep[]) => boolean,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<WatchStep[]> {
  const steps: WatchStep[] = [];
  await waitFor(
    async () => {
      steps.push(await w.pollOnce());
      return until(steps);
    },
    timeoutMs,
    'the expected findings',
    intervalMs,
  );
  return steps;
}

export const notifications = (steps: readonly WatchStep[]): Notification[] =>
  steps.flatMap((s) => s.notifications);

export const lastFindings = (steps: readonly WatchStep[]): readonly Finding[] => steps.at(-1)?.findings ?? [];

export const hasFinding =
  (code: string, severity?: Finding['severity']) =>
  (steps: readonly WatchStep[]): boolean =>
    lastFindings(steps).some((f) => f.code === code && (severity === undefined || f.severity === severity));

export const noFinding =
  (code: string) =>
  (steps: readonly WatchStep[]): boolean =>
    !lastFindings(steps).some((f) => f.code === code);

export const hasNotification =
  (type: Notification['type'], code: string) =>
  (steps: readonly WatchStep[]): boolean =>
    notifications(steps).some((n) => n.type === type && n.code === code);

/** `code severity subject` of each finding, for whole-list assertions ("nothing else fires"). */
export const summary = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.code} ${f.severity} ${f.subject}`);

/** A client straight to one server of the topology (data nodes with the password). */
export async function admin(port: number, password?: string): Promise<Redis> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    protocol: 2,
    lazyConnect: true,
    // A test client never reconnects: a refused or dropped one must not keep the test run alive.
    retryStrategy: () => null,
    ...(password ? { password } : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/** Runs `fn` on each sentinel. */
export async function onSentinels(
  s: Scenario,
  fn: (client: Redis) => Promise<unknown>,
  ports = s.topo.sentinelPorts,
) {
  for (const port of ports) await s.topo.withClient(port, async (c) => fn(c));
}

/** Waits until a fresh watcher sees no finding at all: the scenario left the deployment healthy. */
export async function healthy(s: Scenario, timeoutMs = 45_000): Promise<void> {
  let last: readonly Finding[] = [];
  await waitFor(
    async () => {
      last = (await s.watcher().pollOnce()).findings;
      return last.length === 0;
    },
    timeoutMs,
    'a healthy deployment',
    500,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; still reported: ${summary(last).join('; ')}`);
  });
}

/** Polls a watcher with events until `stop` holds or `timeoutMs`; returns the steps (watch's own loop). */
export async function watchUntil(
  w: DeploymentWatcher,
  stop: (steps: readonly WatchStep[]) => boolean,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<WatchStep[]> {
  const steps: WatchStep[] = [];
  const running = w.run({ intervalMs, onStep: (step) => steps.push(step) });
  try {
    await waitFor(() => stop(steps), timeoutMs, 'the expected notifications', 100).catch((error: unknown) => {
      // Say what was seen instead, so a timing failure can be read from the log alone.
      const seen = notifications(steps).map((n) => `${n.at} ${n.type} ${n.code} ${n.severity}`);
      const last = steps
        .slice(-3)
        .map((st) => `${st.snapshot.takenAt} [${st.trigger}] ${summary(st.findings).join('; ')}`);
      throw new Error(
        `${String(error)}\nnotifications:\n  ${seen.join('\n  ')}\nlast polls:\n  ${last.join('\n  ')}`,
      );
    });
  } finally {
    w.stop();
    await running;
  }
  return steps;
}
