import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentConfig } from '../../../../lambdas/core/config';
import {
  DETECTION_DEFAULTS,
  detectionSettings,
  emptyDetectionState,
  FINDING_CODES,
  loadDetectionState,
  sortFindings,
} from '../../../../lambdas/core/detect';
import { healthySnapshot, MINUTE, NOW, node, run } from '../../helpers/snapshot-factory';

describe('Function: detect', () => {
  it('finds nothing in a healthy 1 master + 2 replicas + 3 sentinels deployment', () => {
    // Prepare
    const previous = healthySnapshot({ at: NOW - MINUTE });
    const current = healthySnapshot();

    // Act
    const first = run(previous);
    const second = run(current, { previous, state: first.state });

    // Assess
    expect(first.findings).toEqual([]);
    expect(second.findings).toEqual([]);
  });

  it('stays quiet over many polls of a healthy deployment, carrying state from one to the next', () => {
    // Prepare
    let state = emptyDetectionState();
    let previous = null;
    const all = [];

    // Act
    for (let i = 0; i < 50; i++) {
      const current = healthySnapshot({ at: NOW + i * 10_000 });
      const result = run(current, { previous, state });
      all.push(...result.findings);
      state = JSON.parse(JSON.stringify(result.state));
      previous = current;
    }

    // Assess
    expect(all).toEqual([]);
    expect(state.lastMaster).toEqual({ host: '10.0.1.61', port: 6379 });
    expect(state.switches).toEqual([]);
  });

  it('returns a state that survives a JSON round trip unchanged', () => {
    // Prepare
    const current = healthySnapshot();

    // Act
    const { state } = run(current);

    // Assess
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state.identities['node 10.0.1.62:6379']).toEqual({
      runId: 'run-10.0.1.62:6379',
      uptimeSeconds: 86_400,
      seenAt: NOW,
    });
  });

  it('orders findings most severe first', () => {
    // Prepare
    const current = healthySnapshot();
    node(current, 1).replication!.masterLinkStatus = 'down'; // warning
    current.sentinels.forEach((s) => {
      s.master!.quorum = 5; // NO_QUORUM critical (5 needed)
      s.master!.downAfterMs = 500; // CONFIG_RISK warning
    });

    // Act
    const { findings } = run(current);

    // Assess
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ['NO_QUORUM', 'critical'],
      ['REPLICA_LINK_DOWN', 'warning'],
      ['CONFIG_RISK', 'warning'],
    ]);
  });
});

describe('Function: sortFindings', () => {
  it('sorts by severity, then catalogue order, then subject', () => {
    // Prepare
    const findings = [
      { code: 'CONFIG_RISK', severity: 'warning' as const, subject: 'deployment', message: '' },
      { code: 'REPLICA_UNREACHABLE', severity: 'warning' as const, subject: 'node b', message: '' },
      { code: 'REPLICA_UNREACHABLE', severity: 'warning' as const, subject: 'node a', message: '' },
      { code: 'NODE_RESTARTED', severity: 'info' as const, subject: 'sentinel a', message: '' },
      { code: 'MASTER_UNREACHABLE', severity: 'critical' as const, subject: 'node c', message: '' },
    ];

    // Act
    const sorted = sortFindings(findings);

    // Assess
    expect(sorted.map((f) => `${f.code} ${f.subject}`)).toEqual([
      'MASTER_UNREACHABLE node c',
      'REPLICA_UNREACHABLE node a',
      'REPLICA_UNREACHABLE node b',
      'CONFIG_RISK deployment',
      'NODE_RESTARTED sentinel a',
    ]);
  });
});

describe('Function: detectionSettings', () => {
  const config: DeploymentConfig = {
    name: 'prod-cache',
    masterName: 'mymaster',
    sentinels: [],
    nodes: [],
    username: null,
    passwordEnv: null,
    passwordSecretArn: null,
    sentinelUsername: null,
    sentinelPasswordEnv: null,
    sentinelPasswordSecretArn: null,
    tls: false,
    expectedReplicas: 2,
    expectedSentinels: 3,
    maxLagBytes: 5_000_000,
    maxLagSeconds: 15,
    reminderMinutes: 60,
    minDownAfterMs: 1500,
    flapWindowMs: null,
    timeoutMs: 1000,
    pollTimeoutMs: 3500,
    writeProbe: true,
    lagCheckMs: 1000,
    maxReplyBytes: 1_048_576,
  };

  it('takes thresholds from the config, and defaults for what only the snapshot can tell', () => {
    // Act
    const settings = detectionSettings(config);

    // Assess
    expect(settings).toEqual({
      expectedReplicas: 2,
      expectedSentinels: 3,
      maxLagBytes: 5_000_000,
      maxLagSeconds: 15,
      minDownAfterMs: DETECTION_DEFAULTS.minDownAfterMs,
      flapWindowMs: null,
      flapWindowFallbackMs: 600_000,
      failoverTimeoutFallbackMs: 180_000,
    });
  });

  it('uses minDownAfterMs and flapWindowMs when the config has them', () => {
    // Act
    const settings = detectionSettings({ ...config, minDownAfterMs: 5000, flapWindowMs: 120_000 });

    // Assess
    expect(settings.minDownAfterMs).toBe(5000);
    expect(settings.flapWindowMs).toBe(120_000);
  });
});

describe('Function: loadDetectionState', () => {
  it('turns anything that is not a version-1 state into an empty state', () => {
    // Assess
    expect(loadDetectionState(undefined)).toEqual(emptyDetectionState());
    expect(loadDetectionState({ version: 0, lastMaster: { host: 'x', port: 1 } })).toEqual(
      emptyDetectionState(),
    );
    expect(loadDetectionState('garbage')).toEqual(emptyDetectionState());
  });

  it('keeps the fields of a stored state', () => {
    // Prepare
    const stored = {
      version: 1,
      lastMaster: { host: '10.0.1.61', port: 6379 },
      lastConfigEpoch: 4,
      switches: [{ at: NOW, from: 'a:1', to: 'b:1', drillId: null }],
      failoverSince: null,
      identities: { 'node 10.0.1.61:6379': { runId: 'r', uptimeSeconds: 5, seenAt: NOW } },
      lastAbortAt: NOW - 5000,
      lastVotedEpoch: 7,
      extraMasters: { 'node 10.0.1.62:6379': { since: NOW - 3000, changes: 12 } },
      counters: {
        'node 10.0.1.63:6379': {
          at: NOW,
          readonlyErrors: 40,
          rejectedConnections: 0,
          readonlyGrewAt: NOW,
          readonlyStreakStart: { at: NOW - 10_000, count: 10 },
        },
      },
      versionMixSince: null,
    };

    // Act
    const state = loadDetectionState(JSON.parse(JSON.stringify(stored)));

    // Assess
    expect(state).toEqual(stored);
  });

  it('keeps since when the data nodes have run mixed major versions, and drops a damaged value', () => {
    // Prepare
    const stored = { ...emptyDetectionState(), versionMixSince: NOW - 5000 };

    // Act
    const kept = loadDetectionState(JSON.parse(JSON.stringify(stored)));
    const damaged = loadDetectionState({ ...stored, versionMixSince: 'yesterday' });

    // Assess
    expect(kept.versionMixSince).toBe(NOW - 5000);
    expect(damaged.versionMixSince).toBeNull();
  });

  it('reads a state stored before the abort, old-master and counter fields existed', () => {
    // Prepare
    const older = {
      version: 1,
      lastMaster: null,
      lastConfigEpoch: null,
      switches: [],
      failoverSince: null,
      identities: {},
    };

    // Act
    const state = loadDetectionState(older);

    // Assess
    expect(state).toEqual(emptyDetectionState());
  });
});

describe('Document: docs/alert-catalogue.md', () => {
  it('has a row for every finding code', () => {
    // Prepare
    const doc = readFileSync(join(__dirname, '../../../../docs/alert-catalogue.md'), 'utf8');

    // Act
    const rows = new Set([...doc.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((m) => m[1]));
    const missing = FINDING_CODES.filter((code) => !rows.has(code));

    // Assess
    expect(missing).toEqual([]);
    expect(rows.size).toBe(FINDING_CODES.length);
  });
});
