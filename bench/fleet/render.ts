// The fleet bench's report: the tables and lines `npm run bench -- --fleet` prints.

import { cell, renderTable, roundTo, type Summary, summarize } from '../stats';
import { formatUsd } from './cost';
import { cold, type FleetResult, type FleetSection, type ShardRow, warm } from './plan';

function shardTable(rows: readonly ShardRow[]): string {
  return renderTable(
    [
      'shard',
      'deployments',
      'init ms',
      'cold ms',
      'warm ms',
      'cpu ms',
      'poll p50',
      'poll p95',
      'last stored ms',
      'peak MB',
      'conns',
      'writes',
      'WRU',
    ],
    rows.map((r) => {
      const w = warm(r.run);
      const polls = summarize(w.polls.map((p) => p.pollMs));
      return [
        r.label,
        String(r.deployments),
        String(r.run.initMs),
        String(cold(r.run).durationMs),
        String(w.durationMs),
        cell(w.cpuMs, 0),
        cell(polls.p50),
        cell(polls.p95),
        String(Math.max(0, ...w.polls.map((p) => p.doneAtMs))),
        cell(r.run.vmHwmMb),
        String(r.run.connections),
        String(r.run.writes.length),
        String(r.run.writes.reduce((n, x) => n + x.units, 0)),
      ];
    }),
  );
}

export function renderFleet(r: FleetResult): string {
  const out: string[] = [];
  const cpu = (key: string) => {
    const m = r.memory[key];
    if (!m) return '';
    return `memorySize ${m.memoryMb} MB, CPU ${m.cpuShare === null ? 'unthrottled' : `${(m.cpuShare * 100).toFixed(1)}% of a core (Lambda's share)`}`;
  };
  const sectionLines = (sec: FleetSection, key: string, note: string) => {
    out.push('', `${sec.label}: one process per shard, bundled poller, ${cpu(key)}; ${note}`);
    out.push(shardTable(sec.rows));
    out.push(
      `  fleet: poll p50 ${sec.poll.p50} ms, p95 ${sec.poll.p95} ms, max ${sec.poll.max} ms over ${sec.poll.n} deployments (warm); ` +
        `every deployment stored ${roundTo(sec.allPolledColdMs / 1000, 2)} s after the start of the slowest cold invocation ` +
        `(${roundTo(sec.allPolledWarmMs / 1000, 2)} s warm); peak ${cell(sec.peakMb)} MB; ` +
        `alerts in steady state: ${sec.alertsInSteadyState.length === 0 ? 'none' : sec.alertsInSteadyState.join(', ')}`,
    );
  };
  sectionLines(
    r.simulated,
    'simulated',
    `SIMULATED servers (RESP simulator, ${r.plan.simulated.latencyMs} ms before each reply; 2 invocations each: cold, then warm)`,
  );
  if (r.cap) {
    out.push('', `At the cap of 100 deployments per shard (SIMULATED, ${cpu('cap')})`, shardTable([r.cap]));
  }
  if (r.listening) {
    out.push(
      '',
      `Listening shard (SIMULATED): ${r.listening.label}: peak ${cell(r.listening.run.vmHwmMb)} MB, ` +
        `${r.listening.run.connections} connections (${r.listening.subscriptions} of them pub/sub: dedicated sentinels), ` +
        `cpu ${cell(r.listening.run.invocations[0].cpuMs, 0)} ms; a failover in the middle: MASTER_CHANGED ${r.listening.eventLatencyMs ?? 'never'} ms after +switch-master`,
    );
  }
  out.push(
    '',
    'Injected faults (SIMULATED, shard 0, one run)',
    renderTable(
      ['fault', 'deployment', 'expected', 'alerts', 'its poll ms'],
      r.faults.map((f) => [f.fault, f.deployment, f.expected, f.alerts.join(', ') || 'none', cell(f.pollMs)]),
    ),
  );
  if (Object.keys(r.unknownCommands).length > 0) {
    out.push(
      `  simulator: commands without a template (answered with an error): ${Object.keys(r.unknownCommands).join(', ')}`,
    );
  }
  if (r.real)
    sectionLines(r.real, 'real', 'REAL redis-server processes (three sentinels shared by every master)');
  else if (r.realSkipped) out.push('', `REAL fleet skipped: ${r.realSkipped}`);
  if (r.handover) {
    const h = r.handover;
    out.push(
      '',
      `MASTER_CHANGED latency for switches at the boundary between runs (REAL fleet; "minute" ${h.options.periodMs / 1000} s, ` +
        `next run ${h.options.coldStartMs} ms late, switches at ${h.options.offsetsMs.join(', ')} ms from its start), ms`,
      renderTable(
        ['', 'n', 'p50', 'p95', 'p99', 'max'],
        [
          ['with the handover (runs overlap)', h.withHandover],
          ['without (each run stops at its minute)', h.withoutHandover],
        ].map(([label, x]) => {
          const s = x as Summary;
          return [
            label as string,
            String(s.n),
            cell(s.p50, 0),
            cell(s.p95, 0),
            cell(s.p99, 0),
            cell(s.max, 0),
          ];
        }),
      ),
      `  switches without an alert: ${h.missedWith}; alerted twice: ${h.duplicates}`,
      `  with the handover, by where +switch-master landed (ms from the next run's start): ${h.options.offsetsMs
        .map((o) => {
          const near = h.samples
            .filter((s) => s.handover && s.latencyMs !== null && Math.abs(s.offsetMs - o) < 400)
            .map((s) => s.latencyMs as number);
          return `${o}: ${near.length === 0 ? '-' : `${Math.min(...near)}-${Math.max(...near)}`}`;
        })
        .join('; ')}`,
      `  runs lasted past their period: ${h.meanPastPeriodMs === null ? '-' : `${h.meanPastPeriodMs} ms on average`} (${h.runs
        .filter((x) => x.handover)
        .map((x) => x.pastPeriodMs)
        .join(', ')})`,
    );
  }
  const d = r.dynamoPerMinute;
  out.push(
    '',
    `DynamoDB per minute at ${r.plan.simulated.deployments} deployments (one poll each): ${d.writes} writes, ${d.writeUnits} WRU, ${d.readUnits} RRU; ` +
      `STATE item ${cell(d.stateBytes.mean, 0)} B on average (max ${cell(d.stateBytes.max, 0)}), SNAPSHOT ${cell(d.snapshotBytes.mean, 0)} B`,
  );
  for (const c of r.costs) {
    out.push('', `Monthly cost, ${c.mode} (us-east-1 list prices as known; interface endpoints apart)`);
    out.push(
      renderTable(
        ['item', ...c.estimates.map((e) => `${e.scenario.deployments} deployments`)],
        [
          ...c.estimates[0].lines.map((l, i) => [
            l.item,
            ...c.estimates.map((e) => formatUsd(e.lines[i].monthly)),
          ]),
          ['total', ...c.estimates.map((e) => formatUsd(e.total))],
          ['per deployment', ...c.estimates.map((e) => formatUsd(e.perDeployment))],
          ['(interface endpoints, per VPC)', ...c.estimates.map((e) => formatUsd(e.endpointsPerVpc))],
        ],
      ),
    );
  }
  out.push('', 'Goals');
  for (const g of r.goals) out.push(`  ${g.met ? 'met    ' : 'NOT met'}  ${g.text}`);
  return `${out.join('\n')}\n`;
}
