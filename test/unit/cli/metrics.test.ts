// The /metrics exposition: the writer, the facts watch puts in it, and the strict parser the tests use
// to hold both to the OpenMetrics 1.0 text format.

import { ExpositionError, type MetricFamily, renderOpenMetrics } from '../../../cli/metrics/openmetrics';
import { MAX_SERVER_SERIES, WatchMetrics } from '../../../cli/metrics/watch-metrics';
import { parseDeployment } from '../../../lambdas/core/config';
import { advanceIncidents, emptyIncidentState } from '../../../lambdas/core/incidents';
import type { Finding, Snapshot } from '../../../lambdas/core/types';
import type { WatchStep } from '../../../lambdas/probe/deployment-watcher';
import { type ParsedFamily, parseOpenMetrics } from '../helpers/openmetrics-parser';
import { healthySnapshot, type MutableSnapshot, NOW, node } from '../helpers/snapshot-factory';

const deployment = parseDeployment(
  {
    name: 'prod-cache',
    masterName: 'mymaster',
    sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
  },
  'test',
);

const step = (snapshot: MutableSnapshot, findings: Finding[] = []): WatchStep => ({
  snapshot: { ...(snapshot as Snapshot), findings },
  findings,
  notifications: [],
  trigger: 'interval',
  incidents: advanceIncidents({
    incidents: emptyIncidentState(),
    findings,
    deployment: 'prod-cache',
    now: NOW,
    reminderMinutes: 60,
  }).incidents,
});

const sample = (families: ParsedFamily[], name: string, labels: Record<string, string> = {}) =>
  families
    .flatMap((f) => f.samples)
    .find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('Function: parseOpenMetrics (the strict test parser)', () => {
  const valid = [
    '# TYPE acme_requests counter',
    '# HELP acme_requests Requests, with \\"quotes\\" escaped, a \\\\ and a \\n.',
    'acme_requests_total{path="/a\\"b",method="GET"} 3',
    'acme_requests_created{path="/a\\"b",method="GET"} 1.6e9',
    '# TYPE acme_temp_seconds gauge',
    '# UNIT acme_temp_seconds seconds',
    'acme_temp_seconds +Inf',
    '# TYPE acme_build info',
    'acme_build_info{version="1.0"} 1',
    '# EOF',
    '',
  ].join('\n');

  it('reads a valid exposition, unescaping label values and HELP', () => {
    const families = parseOpenMetrics(valid);

    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['acme_requests', 'counter', 2],
      ['acme_temp_seconds', 'gauge', 1],
      ['acme_build', 'info', 1],
    ]);
    expect(families[0].samples[0].labels.path).toBe('/a"b');
    expect(families[0].help).toBe('Requests, with "quotes" escaped, a \\ and a \n.');
  });

  it.each([
    ['no # EOF', valid.replace('# EOF\n', '')],
    ['a carriage return', valid.replace('\n', '\r\n')],
    ['a blank line', valid.replace('# TYPE acme_temp', '\n# TYPE acme_temp')],
    ['a raw double quote in HELP', valid.replace('\\"quotes\\"', '"quotes"')],
    ['an undefined escape', valid.replace('/a\\"b",method="GET"} 3', '/a\\qb",method="GET"} 3')],
    ['a counter sample without _total', valid.replace('acme_requests_total{', 'acme_requests{')],
    ['a gauge sample with a suffix', valid.replace('acme_temp_seconds +Inf', 'acme_temp_seconds_total 1')],
    ['an info sample that is not 1', valid.replace('{version="1.0"} 1', '{version="1.0"} 2')],
    [
      'a unit that is not the suffix',
      valid.replace('# UNIT acme_temp_seconds seconds', '# UNIT acme_temp_seconds bytes'),
    ],
    ['TYPE after a sample', `${valid.replace('# EOF\n', '')}# TYPE acme_requests counter\n# EOF\n`],
    ['interleaved families', `${valid.replace('# EOF\n', '')}acme_requests_total{path="/x"} 1\n# EOF\n`],
    [
      'the same label set twice',
      valid.replace('acme_temp_seconds +Inf', 'acme_temp_seconds 1\nacme_temp_seconds 2'),
    ],
    ['a bad metric name', valid.replace('acme_temp_seconds +Inf', '9acme 1')],
    ['a reserved label name', valid.replace('{version="1.0"}', '{__name="x"}')],
    ['a label given twice', valid.replace('{version="1.0"}', '{v="1",v="2"}')],
    ['a trailing comma in labels', valid.replace('{version="1.0"}', '{version="1.0",}')],
    ['a value that is not a number', valid.replace('acme_temp_seconds +Inf', 'acme_temp_seconds 1,5')],
    ['a negative counter', valid.replace('method="GET"} 3', 'method="GET"} -3')],
    ['a comment line', valid.replace('# TYPE acme_build info', '# just a comment\n# TYPE acme_build info')],
    [
      'two HELP lines',
      valid.replace(
        '# TYPE acme_build info',
        '# TYPE acme_build info\n# HELP acme_build a\n# HELP acme_build b',
      ),
    ],
  ])('rejects %s', (_title, text) => {
    expect(() => parseOpenMetrics(text)).toThrow();
  });
});

describe('Function: renderOpenMetrics', () => {
  it('escapes backslash, double quote and line feed in label values and HELP, and ends with # EOF', () => {
    // Prepare
    const families: MetricFamily[] = [
      {
        name: 'x_value',
        type: 'gauge',
        help: 'a "quoted" \\ help\nwith two lines',
        samples: [{ labels: { a: 'back\\slash "quote"\nnewline ünï' }, value: 0.5 }],
      },
      {
        name: 'x_events',
        type: 'counter',
        help: 'events',
        samples: [{ labels: {}, value: 3, created: 1.5e9 }],
      },
    ];

    // Act
    const text = renderOpenMetrics(families);
    const parsed = parseOpenMetrics(text);

    // Assess
    expect(text).toBe(
      [
        '# TYPE x_value gauge',
        '# HELP x_value a \\"quoted\\" \\\\ help\\nwith two lines',
        'x_value{a="back\\\\slash \\"quote\\"\\nnewline ünï"} 0.5',
        '# TYPE x_events counter',
        '# HELP x_events events',
        'x_events_total 3',
        'x_events_created 1500000000',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(parsed[0].samples[0].labels.a).toBe('back\\slash "quote"\nnewline ünï');
    expect(parsed[0].help).toBe('a "quoted" \\ help\nwith two lines');
  });

  it.each<[string, MetricFamily]>([
    ['a bad metric name', { name: 'x-y', type: 'gauge', help: '', samples: [] }],
    ['a family named like a counter sample', { name: 'x_total', type: 'gauge', help: '', samples: [] }],
    ['a unit that is not the suffix', { name: 'x_lag', type: 'gauge', unit: 'bytes', help: '', samples: [] }],
    [
      'a bad label name',
      { name: 'x', type: 'gauge', help: '', samples: [{ labels: { 'a-b': '1' }, value: 1 }] },
    ],
    ['a negative counter', { name: 'x', type: 'counter', help: '', samples: [{ labels: {}, value: -1 }] }],
    [
      'an info sample that is not 1',
      { name: 'x', type: 'info', help: '', samples: [{ labels: {}, value: 0 }] },
    ],
  ])('refuses %s (a bug, not an exposition)', (_title, family) => {
    expect(() => renderOpenMetrics([family])).toThrow(ExpositionError);
  });
});

describe('Class: WatchMetrics', () => {
  it('exposes counters at 0 and no gauges before the first poll, and it is valid OpenMetrics', () => {
    const families = parseOpenMetrics(new WatchMetrics([deployment], NOW).render());

    expect(sample(families, 'sentinel_watch_polls_total', { deployment: 'prod-cache' })).toBe(0);
    expect(sample(families, 'sentinel_watch_polls_created')).toBe(NOW / 1000);
    expect(families.find((f) => f.name === 'sentinel_watch_master')?.samples).toEqual([]);
  });

  it('exposes the facts of the last poll: master, lag per replica, sentinels, quorum, open incidents', () => {
    // Prepare: replica .62 is 4096 bytes behind, its last ACK 3 s ago; a warning incident is open
    const metrics = new WatchMetrics([deployment], NOW);
    const s = healthySnapshot({ at: NOW });
    const master = node(s, 0);
    master.replication!.masterReplOffset! += 4096;
    master.replication!.replicas[0].lagSeconds = 3;
    const lagging: Finding = {
      code: 'REPLICA_LAGGING',
      severity: 'warning',
      subject: 'node 10.0.1.62:6379',
      message: 'x',
    };

    // Act
    metrics.record(deployment, step(s, [lagging]));
    const families = parseOpenMetrics(metrics.render());

    // Assess
    const d = { deployment: 'prod-cache' };
    expect(
      sample(families, 'sentinel_watch_master_info', {
        ...d,
        address: '10.0.1.61:6379',
        master_name: 'mymaster',
      }),
    ).toBe(1);
    expect(sample(families, 'sentinel_watch_master_known', d)).toBe(1);
    expect(sample(families, 'sentinel_watch_replica_lag_bytes', { ...d, replica: '10.0.1.62:6379' })).toBe(
      4096,
    );
    expect(sample(families, 'sentinel_watch_replica_lag_seconds', { ...d, replica: '10.0.1.62:6379' })).toBe(
      3,
    );
    expect(
      sample(families, 'sentinel_watch_replica_lag_bytes', { ...d, replica: '10.0.1.61:6379' }),
    ).toBeUndefined();
    expect(sample(families, 'sentinel_watch_node_up', { ...d, node: '10.0.1.63:6379' })).toBe(1);
    expect(sample(families, 'sentinel_watch_sentinels_answering', d)).toBe(3);
    expect(sample(families, 'sentinel_watch_sentinels_agreeing', d)).toBe(3);
    expect(sample(families, 'sentinel_watch_sentinels_expected', d)).toBe(3);
    expect(sample(families, 'sentinel_watch_quorum', d)).toBe(2);
    expect(sample(families, 'sentinel_watch_incidents_open', { ...d, code: 'REPLICA_LAGGING' })).toBe(1);
    expect(sample(families, 'sentinel_watch_incidents_open', { ...d, code: 'NO_QUORUM' })).toBe(0);
    expect(sample(families, 'sentinel_watch_last_poll_timestamp_seconds', d)).toBe(NOW / 1000);
    expect(sample(families, 'sentinel_watch_polls_total', d)).toBe(1);
  });

  it('counts switches and follows the new master; a master nobody agrees on is 0, not a stale address', () => {
    const metrics = new WatchMetrics([deployment], NOW);
    const changed: Finding = {
      code: 'MASTER_CHANGED',
      severity: 'critical',
      subject: 'deployment',
      message: 'x',
    };
    metrics.record(deployment, step(healthySnapshot({ at: NOW })));
    metrics.record(
      deployment,
      step(healthySnapshot({ at: NOW + 5000, masterIndex: 1, configEpoch: 2 }), [changed]),
    );
    const afterSwitch = parseOpenMetrics(metrics.render());
    const split = healthySnapshot({ at: NOW + 10_000 });
    split.master = null;
    metrics.record(deployment, step(split));
    const afterSplit = parseOpenMetrics(metrics.render());

    expect(sample(afterSwitch, 'sentinel_watch_master_switches_total')).toBe(1);
    expect(
      afterSwitch.find((f) => f.name === 'sentinel_watch_master')?.samples.map((x) => x.labels.address),
    ).toEqual(['10.0.1.62:6379']);
    expect(afterSplit.find((f) => f.name === 'sentinel_watch_master')?.samples).toEqual([]);
    expect(sample(afterSplit, 'sentinel_watch_master_known')).toBe(0);
    expect(sample(afterSplit, 'sentinel_watch_master_switches_total')).toBe(1);
  });

  it(`keeps label cardinality bounded: at most ${MAX_SERVER_SERIES} node series per deployment`, () => {
    // Prepare: a poll that names 40 data nodes (a hostile or broken sentinel could)
    const metrics = new WatchMetrics([deployment], NOW);
    const s = healthySnapshot({ at: NOW });
    const template = node(s, 2);
    for (let i = 0; i < 37; i++) s.nodes.push({ ...structuredClone(template), port: 7000 + i });

    // Act
    metrics.record(deployment, step(s));
    const families = parseOpenMetrics(metrics.render());

    // Assess
    expect(families.find((f) => f.name === 'sentinel_watch_node_up')?.samples).toHaveLength(
      MAX_SERVER_SERIES,
    );
    expect(sample(families, 'sentinel_watch_nodes_not_exposed')).toBe(40 - MAX_SERVER_SERIES);
    const codes = families
      .find((f) => f.name === 'sentinel_watch_incidents_open')
      ?.samples.map((x) => x.labels.code);
    expect(new Set(codes).size).toBe(codes?.length);
    expect(codes).not.toContain('MASTER_CHANGED');
  });
});
