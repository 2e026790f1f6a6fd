// Preflight's last word: the watcher's own detection, run on the preflight snapshot. The drill's
// checks ask "can Sentinel fail over?"; detection knows more ways a deployment is already broken (a
// master that refuses writes with NOREPLICAS or MISCONF, no replica Sentinel could promote, a sentinel
// that cannot authenticate). A drill started on a deployment the watcher would page about only adds a
// failover to an incident: any critical finding refuses it, named as the page would name it.

import { DEFAULTS, type DeploymentConfig } from '../config';
import { DETECTION_DEFAULTS, detect, emptyDetectionState } from '../detect';
import type { Finding, Snapshot } from '../types';
import type { CheckResult } from './types';

/** What detection needs to know of the deployment; absent fields take detection's defaults. */
export type FindingsSettings = Partial<
  Pick<
    DeploymentConfig,
    | 'expectedReplicas'
    | 'expectedSentinels'
    | 'maxLagBytes'
    | 'maxLagSeconds'
    | 'minDownAfterMs'
    | 'flapWindowMs'
  >
>;

export const FINDINGS_CHECK = 'no-critical-findings';

/** Detection on one snapshot, with no memory: what the watcher would report about it on its own. */
export function preflightFindings(snapshot: Snapshot, settings: FindingsSettings): readonly Finding[] {
  // Pure: the snapshot's own time is "now", so a given snapshot always gets the same verdict.
  const now = Date.parse(snapshot.takenAt) + snapshot.durationMs;
  return detect({
    current: snapshot,
    previous: null,
    state: emptyDetectionState(),
    settings: {
      expectedReplicas: settings.expectedReplicas ?? DEFAULTS.expectedReplicas,
      expectedSentinels: settings.expectedSentinels ?? null,
      maxLagBytes: settings.maxLagBytes ?? DEFAULTS.maxLagBytes,
      maxLagSeconds: settings.maxLagSeconds ?? DEFAULTS.maxLagSeconds,
      minDownAfterMs: settings.minDownAfterMs ?? DEFAULTS.minDownAfterMs,
      flapWindowMs: settings.flapWindowMs ?? null,
      flapWindowFallbackMs: DETECTION_DEFAULTS.flapWindowFallbackMs,
      failoverTimeoutFallbackMs: DETECTION_DEFAULTS.failoverTimeoutFallbackMs,
    },
    now: Number.isFinite(now) ? now : 0,
  }).findings;
}

/** Refuses on any critical finding, naming each (code, subject, and the finding's advice). */
export function findingsCheck(findings: readonly Finding[]): CheckResult {
  const critical = findings.filter((f) => f.severity === 'critical');
  if (critical.length > 0) {
    return {
      name: FINDINGS_CHECK,
      passed: false,
      detail: `the watcher reports ${critical.length} critical finding(s) on this deployment; fix ${critical.length > 1 ? 'them' : 'it'} before drilling: ${critical.map((f) => `${f.code} (${f.subject}): ${f.message}`).join(' | ')}`,
    };
  }
  const others = findings.filter((f) => f.severity === 'warning');
  return {
    name: FINDINGS_CHECK,
    passed: true,
    detail:
      others.length === 0
        ? 'the watcher reports no critical or warning finding'
        : `no critical finding; warnings: ${others.map((f) => `${f.code} (${f.subject})`).join(', ')}`,
  };
}
