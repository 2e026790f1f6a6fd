// The table `npm run bench` prints on stdout: one block per section that ran, each ending with the
// goal it is measured against.

import type { BundleResult } from './bundles';
import type { DetectResult } from './detect';
import { DRILL_METRICS, type DrillResult } from './drill';
import type { Machine } from './machine';
import type { PollResult } from './poll';
import { cell, renderTable } from './stats';

export interface Results {
  poll?: PollResult;
  detect?: DetectResult;
  drill?: DrillResult;
  bundles?: BundleResult;
}

export function render(machine: Machine, results: Results, mode: string, durationMs: number): string {
  const out: string[] = [];
  out.push(
    `sentinel-watch bench (${mode}, ${Math.round(durationMs / 1000)} s) on ${machine.cpuModel}, ${machine.cores} cores, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${machine.redis}, ${machine.date}`,
  );
  const { poll, detect, drill, bundles } = results;
  if (poll) {
    out.push(
      '',
      'Poll latency, ms (all deployments polled in parallel; naive: one command per fresh connection, sequential)',
    );
    out.push(
      renderTable(
        [
          'deployments',
          'conns',
          'n',
          'p50',
          'p95',
          'p99',
          'max',
          'naive conns',
          'naive n',
          'naive p50',
          'naive p95',
          'x p50',
        ],
        poll.rows.map((r) => [
          String(r.deployments),
          String(r.connections),
          String(r.poll.n),
          cell(r.poll.p50),
          cell(r.poll.p95),
          cell(r.poll.p99),
          cell(r.poll.max),
          String(r.naiveConnections),
          String(r.naive.n),
          cell(r.naive.p50),
          cell(r.naive.p95),
          `${cell(r.speedupP50)}x`,
        ]),
      ),
    );
    const errors = poll.rows.filter((r) => r.pollErrors + r.naiveErrors > 0);
    for (const r of errors) {
      out.push(
        `  note: ${r.deployments} deployment(s): ${r.pollErrors} polls and ${r.naiveErrors} naive passes had a server error`,
      );
    }
    out.push(`  goal: ${poll.goal.text}`);
  }
  if (detect) {
    const iv = (ms: number) => `${ms / 1000} s`;
    out.push('', `Detection latency, ms (${detect.kills.length} kill -9 of the master)`);
    out.push(
      renderTable(
        ['', 'n', 'p50', 'mean', 'max'],
        [
          ['kill -> +switch-master', detect.killToSwitch],
          [
            `+switch-master -> MASTER_CHANGED, events (interval ${iv(detect.options.eventsIntervalMs)})`,
            detect.events,
          ],
          [
            `+switch-master -> MASTER_CHANGED, polling every ${iv(detect.options.pollingIntervalMs)}`,
            detect.polling,
          ],
        ].map(([label, s]) => {
          const x = s as DetectResult['events'];
          return [label as string, String(x.n), cell(x.p50, 0), cell(x.mean, 0), cell(x.max, 0)];
        }),
      ),
    );
    out.push(
      `  polling expectation: the switch lands at a uniform point of the interval, so MASTER_CHANGED comes ` +
        `interval/2 = ${detect.options.pollingIntervalMs / 2} ms later on average, at most one interval; ` +
        `each kill's delay matched interval - (switch phase) within ${detect.pollingModelErrorMs ?? '?'} ms`,
    );
    const spurious = detect.kills.filter((k) => k.switches > 1).length;
    if (spurious > 0) out.push(`  note: ${spurious} kill(s) were followed by more than one +switch-master`);
    out.push(`  goal: ${detect.goal.text}`);
  }
  if (drill) {
    out.push('', `Drill (${drill.drills.length} drills, SENTINEL FAILOVER, no failback)`);
    if (drill.status === 'pending') {
      out.push(`  pending: ${drill.reason}`);
    } else {
      out.push(
        renderTable(
          ['', 'n', 'median', 'max'],
          DRILL_METRICS.map(([name, label, unit]) => {
            const s = drill.stats[name];
            return [`${label}, ${unit}`, String(s.n), cell(s.median, 0), cell(s.max, 0)];
          }),
        ),
      );
      const failed = drill.drills.filter((d) => !d.passed);
      out.push(
        `  outcomes: ${drill.drills.map((d) => `${d.from}->${d.to ?? '?'} ${d.outcome}`).join(', ')}` +
          (failed.length ? ` (${failed.map((d) => d.summary).join('; ')})` : ''),
      );
    }
  }
  if (bundles) {
    out.push(
      '',
      `Lambda bundles (esbuild: minify, cjs, ${bundles.settings.target}, everything bundled; load = node -e require(...) ` +
        `minus node -e "" (${bundles.baselineMs} ms), median of ${bundles.options.runs})`,
    );
    out.push(
      renderTable(
        ['bundle', 'KB', 'map KB', 'load ms', 'load ms, --enable-source-maps'],
        bundles.rows.map((r) => [
          `${r.name} (${r.entry})`,
          cell(r.kb),
          cell(r.sourceMapKb),
          r.loadError ? `error: ${r.loadError}` : cell(r.loadMs),
          cell(r.loadMsSourceMaps),
        ]),
      ),
    );
    out.push(`  goal: ${bundles.goal.text}`);
  }
  return `${out.join('\n')}\n`;
}
