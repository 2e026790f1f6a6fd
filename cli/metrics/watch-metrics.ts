// What `watch --metrics-listen` exposes: the facts watch alerts on, per deployment, as of its last
// poll (the metric catalogue is docs/prometheus.md). Fed one WatchStep at a time; renders OpenMetrics.
//
// Label cardinality is bounded by design: `deployment` (the config's list), `code` (the fixed alert
// catalogue), `replica`/`node` addresses (at most MAX_SERVER_SERIES per deployment, the ones the last
// poll saw: a replica that is gone stops being exposed), and the master's address on one info series.

import type { DeploymentConfig } from '../../lambdas/core/config';
import { EVENT_CODES, FINDING_CODES } from '../../lambdas/core/detect/codes';
import { toSnapshotRecord } from '../../lambdas/core/snapshot-record';
import { formatAddress, sameAddress } from '../../lambdas/core/types';
import type { WatchStep } from '../../lambdas/probe/deployment-watcher';
import { type MetricFamily, renderOpenMetrics, type Sample } from './openmetrics';

/** Data nodes exposed per deployment (sorted by address); more are counted, not labelled. */
export const MAX_SERVER_SERIES = 16;

const CONDITION_CODES = FINDING_CODES.filter((c) => !EVENT_CODES.includes(c));

interface Latest {
  readonly masterName: string;
  readonly master: string | null;
  readonly takenAt: number;
  readonly durationMs: number;
  readonly nodes: readonly {
    address: string;
    up: boolean;
    lagBytes: number | null;
    lagSeconds: number | null;
  }[];
  readonly nodesNotExposed: number;
  readonly sentinelsAnswering: number;
  readonly sentinelsAgreeing: number;
  readonly sentinelsExpected: number;
  readonly quorum: number | null;
  readonly openByCode: Readonly<Record<string, number>>;
}

interface Counters {
  polls: number;
  switches: number;
  silenced: number;
}

export class WatchMetrics {
  readonly #deployments: readonly DeploymentConfig[];
  readonly #startedAtSeconds: number;
  readonly #latest = new Map<string, Latest>();
  readonly #counters = new Map<string, Counters>();

  constructor(deployments: readonly DeploymentConfig[], startedAtMs: number) {
    this.#deployments = deployments;
    this.#startedAtSeconds = startedAtMs / 1000;
    for (const d of deployments) this.#counters.set(d.name, { polls: 0, switches: 0, silenced: 0 });
  }

  record(deployment: DeploymentConfig, step: WatchStep): void {
    const s = step.snapshot;
    const counters = this.#counters.get(deployment.name);
    if (!counters) return;
    counters.polls++;
    if (step.findings.some((f) => f.code === 'MASTER_CHANGED')) counters.switches++;
    counters.silenced += step.silenced?.length ?? 0;

    const record = toSnapshotRecord(s, { retentionDays: 1 });
    const nodes = record.nodes
      .map((n) => ({
        address: n.address,
        up: n.reachable,
        replica: n.role === 'replica',
        lagBytes: n.lagBytes,
        lagSeconds: n.ackAgeSeconds,
      }))
      .sort((a, b) => a.address.localeCompare(b.address));
    const answering = s.sentinels.filter((x) => x.reachable);
    const agreeing = s.master
      ? (s.consensus.votes.find((v) => sameAddress(v.address, s.master))?.sentinels.length ?? 0)
      : 0;
    const quorums = answering.map((x) => x.master?.quorum).filter((q): q is number => typeof q === 'number');
    const openByCode: Record<string, number> = {};
    for (const i of Object.values(step.incidents?.incidents ?? {})) {
      if (i.status === 'open') openByCode[i.code] = (openByCode[i.code] ?? 0) + 1;
    }
    this.#latest.set(deployment.name, {
      masterName: s.masterName,
      master: s.master ? formatAddress(s.master) : null,
      takenAt: Date.parse(s.takenAt),
      durationMs: s.durationMs,
      nodes: nodes.slice(0, MAX_SERVER_SERIES).map(({ replica, ...n }) => ({
        ...n,
        lagBytes: replica ? n.lagBytes : null,
        lagSeconds: replica ? n.lagSeconds : null,
      })),
      nodesNotExposed: Math.max(0, nodes.length - MAX_SERVER_SERIES),
      sentinelsAnswering: answering.length,
      sentinelsAgreeing: agreeing,
      sentinelsExpected: deployment.expectedSentinels ?? s.sentinels.length,
      quorum: quorums.length === 0 ? null : Math.max(...quorums),
      openByCode,
    });
  }

  render(): string {
    return renderOpenMetrics(this.families());
  }

  families(): MetricFamily[] {
    const latest = this.#deployments
      .map((d) => ({ d: d.name, l: this.#latest.get(d.name) }))
      .filter((x): x is { d: string; l: Latest } => x.l !== undefined);
    const perDeployment = (value: (l: Latest) => number | null): Sample[] =>
      latest.flatMap(({ d, l }) => {
        const v = value(l);
        return v === null ? [] : [{ labels: { deployment: d }, value: v }];
      });
    const perNode = (value: (n: Latest['nodes'][number]) => number | null, label: string): Sample[] =>
      latest.flatMap(({ d, l }) =>
        l.nodes.flatMap((n) => {
          const v = value(n);
          return v === null ? [] : [{ labels: { deployment: d, [label]: n.address }, value: v }];
        }),
      );
    const counter = (value: (c: Counters) => number): Sample[] =>
      this.#deployments.map((d) => ({
        labels: { deployment: d.name },
        value: value(this.#counters.get(d.name) as Counters),
        created: this.#startedAtSeconds,
      }));

    const gauge = (
      name: string,
      help: string,
      value: (l: Latest) => number | null,
      unit?: MetricFamily['unit'],
    ): MetricFamily => ({
      name,
      type: 'gauge',
      help,
      ...(unit ? { unit } : {}),
      samples: perDeployment(value),
    });

    return [
      {
        name: 'sentinel_watch_master',
        type: 'info',
        help: 'The master the sentinels name (their consensus) at the last poll; absent when none is agreed.',
        samples: latest.flatMap(({ d, l }) =>
          l.master === null
            ? []
            : [{ labels: { deployment: d, master_name: l.masterName, address: l.master }, value: 1 }],
        ),
      },
      gauge(
        'sentinel_watch_master_known',
        '1 when the sentinels that answered agree on a master, 0 when none answered or their votes tie.',
        (l) => (l.master === null ? 0 : 1),
      ),
      {
        name: 'sentinel_watch_master_switches',
        type: 'counter',
        help: 'Master switches (MASTER_CHANGED) seen since this watch started, silenced or not.',
        samples: counter((c) => c.switches),
      },
      {
        name: 'sentinel_watch_replica_lag_bytes',
        type: 'gauge',
        unit: 'bytes',
        help: "Bytes a replica has not applied yet: its master's master_repl_offset minus its own offset.",
        samples: perNode((n) => n.lagBytes, 'replica'),
      },
      {
        name: 'sentinel_watch_replica_lag_seconds',
        type: 'gauge',
        unit: 'seconds',
        help: "Seconds since the replica's last ACK, as its master reports it (lag= of INFO replication).",
        samples: perNode((n) => n.lagSeconds, 'replica'),
      },
      {
        name: 'sentinel_watch_node_up',
        type: 'gauge',
        help: `1 when a data node answered the last poll (at most ${MAX_SERVER_SERIES} nodes per deployment).`,
        samples: perNode((n) => (n.up ? 1 : 0), 'node'),
      },
      gauge(
        'sentinel_watch_nodes_not_exposed',
        `Data nodes beyond the ${MAX_SERVER_SERIES} per deployment that get series of their own.`,
        (l) => l.nodesNotExposed,
      ),
      gauge(
        'sentinel_watch_sentinels_answering',
        'Sentinels that answered the last poll.',
        (l) => l.sentinelsAnswering,
      ),
      gauge(
        'sentinel_watch_sentinels_agreeing',
        'Answering sentinels that name the consensus master.',
        (l) => l.sentinelsAgreeing,
      ),
      gauge(
        'sentinel_watch_sentinels_expected',
        'Sentinels the deployment should have (expectedSentinels, else as many as are known).',
        (l) => l.sentinelsExpected,
      ),
      gauge(
        'sentinel_watch_quorum',
        'The quorum the answering sentinels are configured with (the highest, if they differ).',
        (l) => l.quorum,
      ),
      {
        name: 'sentinel_watch_incidents_open',
        type: 'gauge',
        help: 'Open incidents by alert code (pending ones within their grace period are not counted).',
        samples: latest.flatMap(({ d, l }) =>
          CONDITION_CODES.map((code) => ({
            labels: { deployment: d, code },
            value: l.openByCode[code] ?? 0,
          })),
        ),
      },
      {
        name: 'sentinel_watch_notifications_silenced',
        type: 'counter',
        help: 'Notifications a silence held back since this watch started.',
        samples: counter((c) => c.silenced),
      },
      {
        name: 'sentinel_watch_polls',
        type: 'counter',
        help: 'Polls since this watch started.',
        samples: counter((c) => c.polls),
      },
      gauge(
        'sentinel_watch_last_poll_timestamp_seconds',
        'When the last poll was taken, Unix time.',
        (l) => l.takenAt / 1000,
        'seconds',
      ),
      gauge(
        'sentinel_watch_poll_duration_seconds',
        'How long the last poll took.',
        (l) => l.durationMs / 1000,
        'seconds',
      ),
    ];
  }
}
