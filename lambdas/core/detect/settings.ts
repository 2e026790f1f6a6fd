// Detection thresholds, derived once per deployment from its config. Settings the config does not
// (yet) have get defaults here; the values that depend on what the sentinels report (failover-timeout)
// are resolved at detection time, because only the snapshot knows them.

import { DEFAULTS, type DeploymentConfig } from '../config';

export interface DetectionSettings {
  /** REPLICA_COUNT_LOW: how many replicas the deployment should have. */
  readonly expectedReplicas: number;
  /**
   * SENTINEL_COUNT_MISMATCH, NO_QUORUM, CONFIG_RISK (quorum): how many sentinels there should be.
   * Null: as many as answer (see view.ts `expectedSentinels`).
   */
  readonly expectedSentinels: number | null;
  /** REPLICA_LAGGING: master offset − replica offset above this many bytes. */
  readonly maxLagBytes: number;
  /** REPLICA_LAGGING: seconds since the replica's last ACK (`lag=` of `INFO replication`) above this. */
  readonly maxLagSeconds: number;
  /**
   * CONFIG_RISK: a sentinel's `down-after-milliseconds` below this. Measured here: 1000 ms gave a
   * spurious second failover in ~3 of 20 master kills, 1500 and 2000 none; production usually wants 5000+.
   */
  readonly minDownAfterMs: number;
  /** MASTER_FLAPPING window. Null: 2 × the failover-timeout the sentinels report, else the fallback. */
  readonly flapWindowMs: number | null;
  /** MASTER_FLAPPING window when it is not set and no sentinel reports a failover-timeout. */
  readonly flapWindowFallbackMs: number;
  /** FAILOVER_IN_PROGRESS: the failover-timeout to assume when no sentinel reports one (Sentinel's own default). */
  readonly failoverTimeoutFallbackMs: number;
  /**
   * CONFIG_RISK (versions.ts): data nodes on different major versions for longer than this are an
   * upgrade left half-done. Default DEFAULT_MAX_VERSION_MIX_MS (a day).
   */
  readonly maxVersionMixMs?: number;
}

export const DETECTION_DEFAULTS = {
  minDownAfterMs: DEFAULTS.minDownAfterMs,
  flapWindowMs: null,
  flapWindowFallbackMs: 600_000,
  failoverTimeoutFallbackMs: 180_000,
} as const;

export function detectionSettings(d: DeploymentConfig): DetectionSettings {
  return {
    expectedReplicas: d.expectedReplicas,
    expectedSentinels: d.expectedSentinels,
    maxLagBytes: d.maxLagBytes,
    maxLagSeconds: d.maxLagSeconds,
    minDownAfterMs: d.minDownAfterMs,
    flapWindowMs: d.flapWindowMs,
    flapWindowFallbackMs: DETECTION_DEFAULTS.flapWindowFallbackMs,
    failoverTimeoutFallbackMs: DETECTION_DEFAULTS.failoverTimeoutFallbackMs,
  };
}
