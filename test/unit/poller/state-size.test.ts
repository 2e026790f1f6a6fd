// The STATE item must stay far below DynamoDB's 400 KB item limit whatever the servers report: a
// refused save stops every alert of the deployment. 338 KB was seen with ~200 servers before.
//
// Worst case: every sentinel announces hundreds of peers and replicas that change from poll to poll
// (so incidents of servers that came and went pile up), every string a server controls is thousands
// of characters long, every server fails a different way, and the outbox is full of long alerts.
// It goes through the real chain: pollDeployment (scripted RunBatch) -> detect -> incidents -> outbox
// -> compactSnapshot -> fitPollerState.

import type { BatchOutcome, RunBatch } from '../../../lambdas/core/batch';
import { parseDeployment } from '../../../lambdas/core/config';
import { detect, detectionSettings, emptyDetectionState } from '../../../lambdas/core/detect';
import { advanceIncidents, emptyIncidentState, type Notification } from '../../../lambdas/core/incidents';
import type { Snapshot } from '../../../lambdas/core/types';
import {
  claim,
  compactSnapshot,
  enqueue,
  MAX_PENDING,
  type PollerState,
  pendingCount,
} from '../../../lambdas/poller/state';
import { fitPollerState, STATE_BUDGET_BYTES } from '../../../lambdas/poller/state-budget';
import { pollDeployment } from '../../../lambdas/probe/poll-deployment';
import { healthySnapshot, MINUTE, type MutableSnapshot, NOW } from '../helpers/snapshot-factory';

const long = (tag: string, n = 4000) => `${tag}-${'z'.repeat(n)}`;
const sizeOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
const flat = (fields: Record<string, string>): string[] => Object.entries(fields).flat();

/** Servers that answer with the longest, most numerous things they can; `poll` shifts who they name. */
function hostileRunBatch(poll: number): RunBatch {
  const ip = (net: number, k: number) =>
    `10.${net}.${((k + poll * 300) >> 8) & 255}.${(k + poll * 300) & 255}`;
  return async (target, commands) => {
    const isNode = target.port === 6379;
    const n = Number(target.host.split('.')[3]);
    const replies = commands.map(([name, sub]) => {
      if (isNode) {
        // Data nodes fail in turn: cut off, garbage, an endless error text
        if (n % 3 === 0) return { ok: false, error: { name: 'ReplyTooLargeError', message: long('cut') } };
        if (n % 3 === 1)
          return { ok: false, error: { name: 'ReplyError', message: `LOADING ${long('err')}` } };
        return {
          ok: true,
          value: name === 'ROLE' ? ['slave', long('host'), 6379, long('state'), 1] : long('info'),
        };
      }
      if (sub === 'GET-MASTER-ADDR-BY-NAME') return { ok: true, value: [ip(1, 0), '6379'] };
      if (sub === 'MASTER') {
        return {
          ok: true,
          value: flat({
            name: 'mymaster',
            ip: ip(1, 0),
            port: '6379',
            runid: long('run'),
            flags: Array.from({ length: 100 }, () => long('flag', 100)).join(','),
            quorum: '2',
            'num-slaves': '500',
            'num-other-sentinels': '500',
            'failover-state': long('state'),
          }),
        };
      }
      if (sub === 'REPLICAS') {
        return {
          ok: true,
          value: Array.from({ length: 300 }, (_, k) =>
            flat({
              ip: ip(1, k),
              port: '6379',
              runid: long('r'),
              flags: long('slave'),
              'master-host': long('mh'),
            }),
          ),
        };
      }
      if (sub === 'SENTINELS') {
        return {
          ok: true,
          value: Array.from({ length: 300 }, (_, k) =>
            flat({ ip: ip(2, k), port: '26379', runid: long('p'), flags: long('sentinel') }),
          ),
        };
      }
      if (sub === 'CKQUORUM')
        return { ok: false, error: { name: 'ReplyError', message: `NOQUORUM ${long('q')}` } };
      return { ok: true, value: `redis_version:${long('v')}\r\nrun_id:${long('id')}\r\n` };
    });
    return { connected: true, error: null, auth: null, replies, rttMs: 1, bytesRead: 1 } as BatchOutcome;
  };
}

const longAlert = (k: number): Notification => ({
  type: 'opened',
  code: 'MASTER_CHANGED',
  severity: 'critical',
  subject: `node 10.9.0.${k}:6379`,
  message: long('message'),
  deployment: 'prod-cache',
  at: new Date(NOW).toISOString(),
  incidentId: `prod-cache:MASTER_CHANGED ${k}`,
  openedAt: new Date(NOW).toISOString(),
  details: { timeline: Array.from({ length: 100 }, (_, e) => ({ detail: `${e} ${'t'.repeat(200)}` })) },
});

const emptyState = (): PollerState => ({
  version: 1,
  detection: emptyDetectionState(),
  incidents: emptyIncidentState(),
  outbox: enqueue(
    [],
    Array.from({ length: MAX_PENDING }, (_, k) => longAlert(k)),
    NOW,
  ).outbox,
  lastSnapshot: null,
  drill: null,
});

/** One poll as the poller does it, from `state` and `snapshot` to the state it saves. */
function advance(state: PollerState, snapshot: Snapshot, now: number): PollerState {
  const deployment = parseDeployment(
    { name: 'prod-cache', masterName: 'mymaster', sentinels: ['10.0.0.1:26379'] },
    'test',
  );
  const detection = detect({
    current: snapshot,
    previous: state.lastSnapshot,
    state: state.detection,
    settings: detectionSettings(deployment),
    now,
  });
  const advanced = advanceIncidents({
    incidents: state.incidents,
    findings: detection.findings,
    deployment: 'prod-cache',
    now,
    reminderMinutes: 60,
  });
  const queued = enqueue(state.outbox, advanced.notifications, now);
  return fitPollerState({
    version: 1,
    detection: detection.state,
    incidents: advanced.incidents,
    outbox: claim(queued.outbox, 'me', now + MINUTE, now).outbox,
    lastSnapshot: compactSnapshot({ ...snapshot, findings: detection.findings }),
    drill: null,
  });
}

describe('The STATE item against hostile servers', () => {
  it(`stays under ${STATE_BUDGET_BYTES / 1024} KB through the real chain, every pending alert kept`, async () => {
    // Prepare
    const deployment = parseDeployment(
      { name: 'prod-cache', masterName: 'mymaster', sentinels: ['10.0.0.1:26379', '10.0.0.2:26379'] },
      'test',
    );
    let state = emptyState();
    const sizes: number[] = [];

    // Act: polls one minute apart, each naming different servers
    for (let poll = 0; poll < 4; poll++) {
      const now = NOW + poll * MINUTE;
      const snapshot = await pollDeployment(
        deployment,
        {},
        { runBatch: hostileRunBatch(poll), now: () => now },
      );
      state = advance(state, snapshot, now);
      sizes.push(sizeOf(state));
    }

    // Assess
    expect(Math.max(...sizes)).toBeLessThan(STATE_BUDGET_BYTES);
    expect(pendingCount(state.outbox)).toBe(MAX_PENDING);
    expect(state.outbox.every((e) => e.notification.message.length > 0)).toBe(true);
  });
});

describe('Function: fitPollerState', () => {
  it('brings a state built past the probe caps (220 servers, raw strings) under the 400 KB item limit', () => {
    // Prepare: 220 failing servers straight into detection, as if the probe had no caps
    const raw = (poll: number): MutableSnapshot => {
      const s = healthySnapshot({ at: NOW + poll * MINUTE });
      const base = s.nodes[1];
      s.nodes = Array.from({ length: 220 }, (_, k) => ({
        ...JSON.parse(JSON.stringify(base)),
        host: `10.3.${poll}.${k}`,
        reachable: false,
        error: { class: 'command-failed', message: long('e').slice(0, 500) },
        server: { ...base.server!, runId: long('run') },
      }));
      return s;
    };

    // Act
    let state = emptyState();
    for (let poll = 0; poll < 3; poll++) state = advance(state, raw(poll) as Snapshot, NOW + poll * MINUTE);

    // Assess
    expect(sizeOf(state)).toBeLessThan(400 * 1024);
    expect(pendingCount(state.outbox)).toBe(MAX_PENDING);
  });

  it('leaves a state that fits as it is', () => {
    const state: PollerState = {
      ...emptyState(),
      outbox: [],
      lastSnapshot: compactSnapshot(healthySnapshot() as Snapshot),
    };
    expect(fitPollerState(state)).toBe(state);
  });
});

describe('Function: compactSnapshot', () => {
  it('keeps at most the capped servers, each bounded, however much they report', async () => {
    const deployment = parseDeployment(
      { name: 'd', masterName: 'mymaster', sentinels: ['10.0.0.1:26379'] },
      't',
    );
    const snapshot = await pollDeployment(deployment, {}, { runBatch: hostileRunBatch(0), now: () => NOW });
    // The full snapshot (what `check --json` prints): 16 sentinels listing 32 replicas each, at most.
    expect(sizeOf(snapshot)).toBeLessThan(1024 * 1024);
    expect(sizeOf(compactSnapshot(snapshot))).toBeLessThan(48 * 1024);
  });
});
