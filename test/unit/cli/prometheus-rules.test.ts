// The alert rules documented in docs/prometheus.md: valid YAML of Prometheus' rule-file shape, every
// expression valid PromQL (Prometheus' own lezer grammar), and every metric and label they name one
// that `watch --metrics-listen` really exposes (taken from a rendered exposition, not from a list).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { WatchMetrics } from '../../../cli/metrics/watch-metrics';
import { parseDeployment } from '../../../lambdas/core/config';
import { emptyIncidentState } from '../../../lambdas/core/incidents';
import type { Snapshot } from '../../../lambdas/core/types';
import { parseOpenMetrics } from '../helpers/openmetrics-parser';
import { healthySnapshot, NOW } from '../helpers/snapshot-factory';

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

const doc = readFileSync(join(__dirname, '../../../docs/prometheus.md'), 'utf8');
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
const file = parseYaml(blocks[0] ?? '', { strict: true, uniqueKeys: true }) as {
  groups: { name: string; rules: Rule[] }[];
};
const rules = file.groups.flatMap((g) => g.rules);

/** Every sample name and its label names, from what watch renders after one poll. */
function exposed(): Map<string, Set<string>> {
  const d = parseDeployment(
    { name: 'prod-cache', masterName: 'mymaster', sentinels: ['10.0.1.61:26379'] },
    'test',
  );
  const metrics = new WatchMetrics([d], NOW);
  const snapshot = healthySnapshot({ at: NOW }) as Snapshot;
  metrics.record(d, {
    snapshot,
    findings: [],
    notifications: [],
    trigger: 'interval',
    incidents: emptyIncidentState(),
  });
  const names = new Map<string, Set<string>>();
  for (const s of parseOpenMetrics(metrics.render()).flatMap((f) => f.samples)) {
    const labels = names.get(s.name) ?? new Set<string>();
    for (const l of Object.keys(s.labels)) labels.add(l);
    names.set(s.name, labels);
  }
  return names;
}

/** Syntax errors, metric names, and label names an expression uses (grouping, matching, matchers). */
function analyse(expr: string): { errors: string[]; metrics: string[]; labels: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  const labels: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      const text = expr.slice(node.from, node.to);
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(node.from, node.from + 20)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(text);
      if (node.name === 'LabelName') labels.push(text);
    },
  });
  return { errors, metrics, labels };
}

describe('docs/prometheus.md: the alert rules', () => {
  const series = exposed();

  it('is one rule file with at least two alert rules, each with a severity and a summary', () => {
    expect(blocks).toHaveLength(1);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    for (const r of rules) {
      expect(Object.keys(r).every((k) => ['alert', 'expr', 'for', 'labels', 'annotations'].includes(k))).toBe(
        true,
      );
      expect(r.alert).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(r.for ?? '0s').toMatch(/^\d+[smhdwy]$/);
      expect(['critical', 'warning']).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toBeTruthy();
    }
  });

  it.each(rules.map((r) => [r.alert, r] as const))(
    '%s: valid PromQL over metrics and labels watch exposes',
    (_name, rule) => {
      // Act
      const { errors, metrics, labels } = analyse(rule.expr);

      // Assess
      expect(errors).toEqual([]);
      expect(metrics.length).toBeGreaterThan(0);
      for (const m of metrics) expect([...series.keys()]).toContain(m);
      const available = new Set(metrics.flatMap((m) => [...(series.get(m) ?? [])]));
      for (const l of labels) expect([...available]).toContain(l);
      const templated = [
        ...JSON.stringify(rule.annotations ?? {}).matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g),
      ];
      for (const [, l] of templated) expect([...available]).toContain(l);
    },
  );

  it('catches what it is meant to catch: a misspelt metric, a label watch does not set, a syntax error', () => {
    expect(
      analyse('sentinel_watch_sentinels_answering < on (deployment) sentinel_watch_quorum').errors,
    ).toEqual([]);
    expect(analyse('max by (deployment (sentinel_watch_quorum)').errors).not.toEqual([]);
    expect([...series.keys()]).not.toContain(analyse('sentinel_watch_replica_lag_byte > 1').metrics[0]);
    expect([...(series.get('sentinel_watch_quorum') ?? [])]).not.toContain('replica');
  });
});
