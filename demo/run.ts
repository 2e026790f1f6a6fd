// `npm run demo`: the whole product on one machine. A real 1 master + 2 replicas + 3 sentinels on
// loopback, the poller's core on a short interval with dynalite as DynamoDB, alerts printed as they
// would read in email and Slack, then real faults one after another and a failover drill.

// First: keeps the AWS SDK's Node version warning out of the demo's output, as in the CLI.
import '../cli/process-setup';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { styleFor } from '../cli/color';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../cli/local/embedded-dynamo';
import { ensureRedisServer } from '../cli/local/redis-server-binary';
import { LocalTopology } from '../cli/local/topology';
import { renderSnapshot } from '../cli/render-snapshot';
import { runBatch } from '../lambdas/adapters/redis-batch';
import { subscribeSentinelEvents } from '../lambdas/adapters/sentinel-events';
import { postToSlack } from '../lambdas/adapters/slack-webhook';
import { parseWatchConfig, type WatchConfig } from '../lambdas/core/config';
import { detect, detectionSettings, emptyDetectionState } from '../lambdas/core/detect';
import { renderDrillReport } from '../lambdas/core/drill';
import type { AlertMessage, AlertPublisher } from '../lambdas/core/ports';
import { serverLabel } from '../lambdas/core/server-version';
import { slackMessage } from '../lambdas/core/slack-message';
import { overallStatus } from '../lambdas/core/status';
import { textTable } from '../lambdas/core/text-table';
import { combinedLock, lockStoreLock, redisKeyLock, runDrill } from '../lambdas/drill/run';
import { ioredisWriters } from '../lambdas/drill/writers';
import { probeWith, runPoller, sleep } from '../lambdas/poller/run';
import { pollDeployment } from '../lambdas/probe/poll-deployment';

const BASE_PORT = 6450;
const DEPLOYMENT = 'demo-cache';
const PASSWORD_ENV = 'SENTINEL_WATCH_DEMO_PASSWORD';

const started = Date.now();
const elapsed = (since = started) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const out = (text = '') => process.stdout.write(`${text}\n`);
const indent = (text: string, prefix = '    ') =>
  text
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
const style = styleFor({ env: process.env, isTTY: process.stdout.isTTY });
const heading = (text: string) => out(`\n${style.bold(`== ${text} ==`)}  (${elapsed()})`);

interface Published {
  readonly at: number;
  readonly code: string;
  readonly type: string;
  readonly severity: string;
  readonly subject: string;
}

/** Prints each alert as it would read in an email and in Slack, and posts it to Slack when asked to. */
class TerminalPublisher implements AlertPublisher {
  readonly published: Published[] = [];
  constructor(private readonly slackWebhookUrl: string | undefined) {}

  async publish(message: AlertMessage): Promise<void> {
    const a = message.attributes;
    this.published.push({
      at: Date.now(),
      code: a.code,
      type: a.type,
      severity: a.severity,
      subject: a.subject ?? '',
    });
    const body = message.body.split('\n');
    const shown = body.length > 14 ? [...body.slice(0, 14), `... (${body.length - 14} more lines)`] : body;
    out(`\n  ${style.bold('[email]')} Subject: ${message.subject}`);
    out(indent(shown.join('\n'), '  | '));
    const slack = slackMessage({ subject: message.subject, body: message.body, attributes: a });
    out(`  ${style.bold('[slack]')} ${slack.attachments[0]?.color ?? ''} ${slack.text}`);
    if (this.slackWebhookUrl) {
      await postToSlack(this.slackWebhookUrl, slack).catch((e: Error) =>
        out(`  (Slack post failed: ${e.message})`),
      );
    }
  }

  /** Waits for an alert published after `since`, printing progress while it waits. */
  async waitFor(
    what: string,
    match: (p: Published) => boolean,
    since: number,
    timeoutMs = 60_000,
  ): Promise<Published> {
    const deadline = Date.now() + timeoutMs;
    let lastTick = Date.now();
    for (;;) {
      const hit = this.published.find((p) => p.at >= since && match(p));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no ${what} alert within ${timeoutMs / 1000} s`);
      if (Date.now() - lastTick >= 2000) {
        process.stderr.write(`  ... waiting for ${what} (${elapsed(since)})\n`);
        lastTick = Date.now();
      }
      await sleep(100);
    }
  }
}

interface SceneResult {
  readonly scene: string;
  readonly alert: string;
  readonly detectedMs: number;
  readonly resolvedMs: number | null;
}

async function main(): Promise<void> {
  heading('sentinel-watch demo');
  out(
    'A real Redis Sentinel deployment on 127.0.0.1, watched by the poller core; faults are injected for real.',
  );
  out(
    'Alerts print below as they would arrive by email and in Slack (set SLACK_WEBHOOK_URL to post them too).',
  );

  const redisServer = await ensureRedisServer({ log: (line) => out(`  ${line}`) });
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-watch-demo-'));
  out(
    `\nStarting 1 master + 2 replicas + 3 sentinels (ports ${BASE_PORT}-${BASE_PORT + 2}, ${BASE_PORT + 20_000}-${BASE_PORT + 20_002})...`,
  );
  const topo = await LocalTopology.up({ basePort: BASE_PORT, dir, redisServer });
  if (topo.server) out(`Servers: ${serverLabel(topo.server)} (${redisServer}; REDIS_SERVER picks another)`);
  let dynamo: EmbeddedDynamo | undefined;
  let stopPoller = false;
  let poller: Promise<void> = Promise.resolve();
  const cleanup = async () => {
    stopPoller = true;
    await poller.catch(() => undefined);
    await topo.down().catch(() => undefined);
    await dynamo?.close().catch(() => undefined);
  };
  // Ctrl-C under `npm run` arrives twice (from the terminal and relayed by tsx): the first stops
  // everything, repeats must not kill the process before its redis-servers are down.
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    out('\nInterrupted: stopping every process the demo started...');
    void cleanup().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    out(`  up and replicating in ${elapsed()}; state and logs in ${dir}`);
    dynamo = await startEmbeddedDynamo();
    out(`  dynalite (DynamoDB) on ${dynamo.endpoint}, table "${dynamo.tableName}"`);

    const env = { [PASSWORD_ENV]: topo.password };
    const config: WatchConfig = parseWatchConfig({
      pollEverySeconds: 2,
      deployments: [
        {
          name: DEPLOYMENT,
          masterName: topo.masterName,
          sentinels: topo.sentinelAddresses,
          passwordEnv: PASSWORD_ENV,
          maxLagBytes: 100_000,
          timeoutMs: 500,
        },
      ],
    });
    const deployment = config.deployments[0];
    const credentials = { password: topo.password };
    // The drill key the poller and the drill share (in AWS: one Secrets Manager secret): only a drill
    // lock signed with it makes the drill's own switch info.
    const drillKey = randomBytes(32).toString('base64url');
    const publisher = new TerminalPublisher(process.env.SLACK_WEBHOOK_URL || undefined);
    const store = dynamo.store;

    // The poller core, as the Lambda runs it: back-to-back 30 s "invocations", polling every 2 s and
    // at once on sentinel events, state and outbox in DynamoDB.
    let invocation = 0;
    poller = (async () => {
      while (!stopPoller) {
        invocation += 1;
        await runPoller(
          config,
          {
            probe: probeWith(runBatch, Date.now),
            store,
            publisher,
            secrets: { getSecret: async () => Promise.reject(new Error('no secrets in the demo')) },
            clock: Date.now,
            sleep,
            env,
            subscribe: subscribeSentinelEvents,
            drillKey: async () => drillKey,
          },
          {
            owner: `demo-${invocation}`,
            remainingMs: () => (stopPoller ? 0 : 120_000),
            windowMs: 30_000,
            reserveMs: 1000,
          },
        ).catch((e: Error) => out(`  poller: ${e.message}`));
      }
    })();

    heading('The deployment, as `sentinel-watch check` shows it');
    const snapshot = await pollDeployment(deployment, credentials, { runBatch, now: Date.now });
    const { findings } = detect({
      current: snapshot,
      previous: null,
      state: emptyDetectionState(),
      settings: detectionSettings(deployment),
      now: Date.now(),
    });
    out(indent(renderSnapshot({ ...snapshot, findings, status: overallStatus(findings) }), '  '));

    const results: SceneResult[] = [];
    const [master, replica1, replica2] = topo.dataPorts;
    const node = (port: number) => `node 127.0.0.1:${port}`;

    // 1. A replica stops.
    heading(`Fault 1: replica 127.0.0.1:${replica2} is killed (kill -9), then started again`);
    let t = Date.now();
    await topo.kill(replica2);
    const down = await publisher.waitFor(
      'REPLICA_UNREACHABLE',
      (p) => p.code === 'REPLICA_UNREACHABLE' && p.type === 'opened',
      t,
    );
    out(`\n  -> detected in ${((down.at - t) / 1000).toFixed(1)} s. Starting it again...`);
    await topo.restart(replica2);
    const back = await publisher.waitFor(
      'REPLICA_UNREACHABLE resolved',
      (p) => p.code === 'REPLICA_UNREACHABLE' && p.type === 'resolved',
      t,
    );
    results.push({
      scene: 'replica killed',
      alert: 'REPLICA_UNREACHABLE',
      detectedMs: down.at - t,
      resolvedMs: back.at - t,
    });

    // 2. Replication lag: the replica stops applying the stream (CLIENT PAUSE WRITE) while the master
    // takes writes. Before Redis 6.2 there is no WRITE pause: the replica sleeps instead and, answering
    // nothing meanwhile, is reported unreachable rather than lagging.
    t = Date.now();
    const stall = await topo.stallReplication(replica1, 8000);
    const code = stall === 'paused-writes' ? 'REPLICA_LAGGING' : 'REPLICA_UNREACHABLE';
    heading(
      stall === 'paused-writes'
        ? `Fault 2: replica 127.0.0.1:${replica1} falls behind (CLIENT PAUSE WRITE for 8 s while 1 MB is written)`
        : `Fault 2: replica 127.0.0.1:${replica1} stalls (DEBUG SLEEP 8 s while 1 MB is written: this server has no CLIENT PAUSE WRITE, so it answers nothing while asleep)`,
    );
    await topo.withClient(master, async (c) => {
      for (let i = 0; i < 10; i++) await c.set(`demo:lag:${i}`, 'x'.repeat(100_000), 'EX', '600');
    });
    const lag = await publisher.waitFor(code, (p) => p.code === code && p.type === 'opened', t);
    out(`\n  -> detected in ${((lag.at - t) / 1000).toFixed(1)} s; the pause ends by itself...`);
    const caughtUp = await publisher.waitFor(
      `${code} resolved`,
      (p) => p.code === code && p.type === 'resolved',
      t,
    );
    results.push({
      scene: stall === 'paused-writes' ? 'replication lag' : 'replica stalled',
      alert: code,
      detectedMs: lag.at - t,
      resolvedMs: caughtUp.at - t,
    });

    // 3. The master dies.
    heading(`Fault 3: the master 127.0.0.1:${master} is killed (kill -9); Sentinel fails over`);
    t = Date.now();
    await topo.kill(master);
    const switched = await publisher.waitFor(
      'the failover (MASTER_CHANGED)',
      (p) => p.code === 'MASTER_CHANGED',
      t,
    );
    out(
      `\n  -> MASTER_CHANGED ${((switched.at - t) / 1000).toFixed(1)} s after the kill. Starting the old master again (Sentinel turns it into a replica in ~10 s)...`,
    );
    await topo.restart(master);
    const rejoined = await publisher.waitFor(
      'the old master to rejoin',
      (p) => p.code === 'REPLICA_UNREACHABLE' && p.type === 'resolved' && p.subject === node(master),
      t,
    );
    results.push({
      scene: 'master killed',
      alert: 'MASTER_CHANGED',
      detectedMs: switched.at - t,
      resolvedMs: rejoined.at - t,
    });

    // 4. A drill: the controlled failover an operator runs before a release.
    heading('Drill: a controlled failover with writers running, verified end to end');
    out('  (while the drill holds its lock, the poller reports its switch as info, not a page)');
    t = Date.now();
    const drillDeployment = config.deployments[0];
    const lock = combinedLock(
      redisKeyLock({ runBatch, deployment: drillDeployment, credentials, now: Date.now }),
      lockStoreLock(store, drillDeployment.name, Date.now),
    );
    const report = await runDrill(
      drillDeployment,
      credentials,
      {},
      {
        runBatch,
        subscribe: subscribeSentinelEvents,
        writers: ioredisWriters,
        now: Date.now,
        sleep,
        lock,
        drillKey,
        progress: (line) => process.stderr.write(`  ${line}\n`),
      },
    );
    out(indent(renderDrillReport(report), '  '));

    heading('Summary');
    const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
    const sceneRows = results.map((r) => [r.scene, r.alert, seconds(r.detectedMs), seconds(r.resolvedMs)]);
    // The drill's row: its switch is what "detected" means for the others, its verification "resolved".
    const drillRow = [
      'drill',
      report.passed ? 'PASSED' : 'FAILED',
      seconds(report.timeToSwitchMs),
      seconds(report.timeToVerifiedMs),
    ];
    out(
      textTable(['SCENE', 'ALERT', 'DETECTED AFTER', 'RESOLVED AFTER'], [...sceneRows, drillRow], {
        indent: '  ',
      }).join('\n'),
    );
    out(`  drill write outage: ${report.writeOutageMs ?? '-'} ms`);
    const counts = new Map<string, number>();
    for (const p of publisher.published) counts.set(p.type, (counts.get(p.type) ?? 0) + 1);
    out(
      `  alerts published: ${publisher.published.length} (${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}); demo took ${elapsed()}`,
    );
  } finally {
    out('\nStopping every process the demo started...');
    await cleanup();
    out('Done.');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
