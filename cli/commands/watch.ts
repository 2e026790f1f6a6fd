import { parseArgs } from 'node:util';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../../lambdas/adapters/sentinel-events';
import { DRILL_KEY_ENV, drillKeyFrom } from '../../lambdas/core/drill-lock';
import type { Notification } from '../../lambdas/core/incidents';
import { DeploymentWatcher } from '../../lambdas/probe/deployment-watcher';
import { credentialsOfAll } from '../credentials';
import {
  deploymentOptions,
  deploymentOptionsHelp,
  secretSourceFrom,
  watchConfigFrom,
} from '../deployment-options';
import { parseDuration } from '../duration';
import { type CliIo, EXIT } from '../io';
import { toJson } from '../json-output';
import { type MetricsServer, parseMetricsListen, startMetricsServer } from '../metrics/server';
import { WatchMetrics } from '../metrics/watch-metrics';
import { silenceReaderFor } from '../silence-reader';
import { silenceSourceFrom, silenceSourceHelp, silenceSourceOptions } from '../silence-source';

export const watchHelp = `Usage: sentinel-watch watch [options]

Polls every --interval, reports what is wrong once (opened), reminds while it stays wrong, and says
when it is resolved. Between polls it listens to the sentinels' events, so a failover is reported
within about a second of +switch-master, with its timeline. Runs until Ctrl-C.

${deploymentOptionsHelp}

Watch:
  --interval DURATION           time between polls: 10s, 2m, or a number of seconds (default 10s)
  --no-events                   poll only; do not subscribe to the sentinels' pub/sub
  --json                        one JSON notification per line on stdout
  --verbose                     also print each poll's status and each sentinel event on stderr
  --metrics-listen HOST:PORT    serve Prometheus metrics (OpenMetrics) at http://HOST:PORT/metrics,
                                e.g. 127.0.0.1:9464 (see docs/prometheus.md); off by default

Silences (sentinel-watch silence add ...) are read before every poll:
${silenceSourceHelp.split('\n').slice(1).join('\n')}

Exit codes: 0 after Ctrl-C (SIGINT) or SIGTERM, 3 usage or configuration error.`;

export function renderNotification(n: Notification): string {
  const label = n.type === 'event' ? n.severity.toUpperCase() : `${n.severity.toUpperCase()} ${n.type}`;
  const lines = [`${n.at} [${label}] ${n.deployment} ${n.code} ${n.subject}: ${n.message}`];
  const timeline = (
    n.details as
      | {
          timeline?: {
            entries: { offsetMs: number; sentinel: string; type: string; detail: string }[];
            leader: string | null;
          };
        }
      | undefined
  )?.timeline;
  if (timeline && timeline.entries.length > 0) {
    lines.push(`    failover timeline${timeline.leader ? ` (led by sentinel ${timeline.leader})` : ''}:`);
    for (const e of timeline.entries)
      lines.push(
        `      +${String(e.offsetMs).padStart(6)} ms  ${e.sentinel.padEnd(21)} ${e.type} ${e.detail}`,
      );
  }
  return lines.join('\n');
}

export interface WatchCommandDeps {
  /** Resolves when the command should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<unknown>;
}

/**
 * Resolves on the first SIGINT or SIGTERM and keeps swallowing repeats until disposed: under
 * `npm run` a Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and the
 * second must not kill it halfway through closing its connections.
 */
function interrupted(): { readonly signal: Promise<string>; readonly dispose: () => void } {
  let onSignal: (signal: string) => void = () => undefined;
  const signal = new Promise<string>((resolve) => {
    onSignal = (s: string) => resolve(s);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function watchCommand(
  argv: readonly string[],
  io: CliIo,
  deps: WatchCommandDeps = {},
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...deploymentOptions,
      interval: { type: 'string' },
      'no-events': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      'metrics-listen': { type: 'string' },
      ...silenceSourceOptions,
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(watchHelp);
    return EXIT.ok;
  }
  const intervalMs =
    values.interval === undefined
      ? 10_000
      : parseDuration(values.interval, {
          flag: '--interval',
          plainUnit: 's',
          minMs: 200,
          maxMs: 3_600_000,
          wholeMs: false,
        });
  const intervalSeconds = intervalMs / 1000;
  const config = watchConfigFrom(values, io.env);
  // Read once, before the first poll: a password rotated while watching needs a restart.
  const credentials = await credentialsOfAll(config.deployments, io.env, await secretSourceFrom(values));
  const drillKey = drillKeyFrom(io.env[DRILL_KEY_ENV], DRILL_KEY_ENV);
  const listen = values['metrics-listen'] === undefined ? null : parseMetricsListen(values['metrics-listen']);
  const silences = silenceReaderFor(silenceSourceFrom(values, io.env), io);
  const watchers = config.deployments.map(
    (d, i) =>
      new DeploymentWatcher(d, credentials[i], {
        runBatch,
        now: Date.now,
        drillKey,
        silences,
        ...(values['no-events'] ? {} : { subscribe: subscribeSentinelEvents }),
      }),
  );
  const metrics = new WatchMetrics(config.deployments, Date.now());
  let server: MetricsServer | null = null;
  if (listen) {
    server = await startMetricsServer(listen, () => metrics.render());
    const { host, port } = server.address;
    io.err(`metrics at http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`);
  }
  const names = config.deployments.map((d) => d.name).join(', ');
  io.err(
    `watching ${names} every ${intervalSeconds}s${values['no-events'] ? '' : ' and on sentinel events'}; Ctrl-C to stop`,
  );
  const runs = watchers.map((w, i) =>
    w.run({
      intervalMs,
      onStep: (step) => {
        metrics.record(config.deployments[i], step);
        if (values.verbose) {
          const status = step.findings.length === 0 ? 'ok' : step.findings.map((f) => f.code).join(',');
          io.err(
            `${step.snapshot.takenAt} ${config.deployments[i].name} poll (${step.trigger}) ${step.snapshot.durationMs} ms: ${status}`,
          );
          for (const { notification: n, silenceId } of step.silenced ?? []) {
            io.err(`${n.at} silenced by ${silenceId}: [${n.type}] ${n.deployment} ${n.code} ${n.subject}`);
          }
        }
        for (const n of step.notifications) io.out(values.json ? toJson(n) : renderNotification(n));
      },
      ...(values.verbose
        ? {
            onEvent: (e) =>
              io.err(`${new Date(e.at).toISOString()} event ${e.sentinel} ${e.type} ${e.payload}`),
          }
        : {}),
    }),
  );
  const signals = deps.stopSignal ? null : interrupted();
  try {
    await Promise.race([deps.stopSignal ?? signals?.signal, ...runs]);
    for (const w of watchers) w.stop();
    await Promise.all(runs);
  } finally {
    signals?.dispose();
    await server?.close();
  }
  return EXIT.ok;
}
