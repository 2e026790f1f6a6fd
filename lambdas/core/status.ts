// The one-word health of a deployment, and the CLI exit code for it. `info` findings (a drill's
// switch, a sentinel restart) leave the status ok.

import type { Finding } from './types';

export type OverallStatus = 'ok' | 'warning' | 'critical';

export function overallStatus(findings: readonly Pick<Finding, 'severity'>[]): OverallStatus {
  if (findings.some((f) => f.severity === 'critical')) return 'critical';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

/** 0 ok, 1 warning, 2 critical (the Nagios convention, which monitoring wrappers understand). */
export function exitCodeFor(status: OverallStatus): 0 | 1 | 2 {
  return status === 'critical' ? 2 : status === 'warning' ? 1 : 0;
}
