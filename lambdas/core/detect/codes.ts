// The public alert catalogue: stable codes, what kind of thing each is, and the subject names.
// docs/alert-catalogue.md describes the same list for operators; keep them in step.

import { type Address, formatAddress } from '../types';

export const FINDING_CODES = [
  'MASTER_CHANGED',
  'MASTER_UNREACHABLE',
  'MASTER_NOT_WRITABLE',
  'NO_FAILOVER_TARGET',
  'NO_QUORUM',
  'FAILOVER_ABORTED',
  'SENTINEL_SEES_DOWN',
  'SENTINELS_DISAGREE',
  'SENTINEL_UNREACHABLE',
  'SENTINEL_COUNT_MISMATCH',
  'REPLICA_UNREACHABLE',
  'REPLICA_LINK_DOWN',
  'REPLICA_LAGGING',
  'REPLICA_COUNT_LOW',
  'AUTH_FAILED',
  'MONITORED_MASTER_IS_REPLICA',
  'FAILOVER_IN_PROGRESS',
  'NODE_RESTARTED',
  'MULTIPLE_MASTERS',
  'MASTER_FLAPPING',
  'SENTINEL_TILT',
  'CLIENTS_WRITING_TO_REPLICA',
  'MASTER_WRITES_AT_RISK',
  'CONFIG_RISK',
  'PROBE_LIMIT_REACHED',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

/**
 * Events happen once (a switch, a restart): they are reported when seen and never "resolve".
 * Every other code is a condition that holds for a while: it opens an incident and later resolves.
 */
export const EVENT_CODES: readonly string[] = [
  'MASTER_CHANGED',
  'NODE_RESTARTED',
  'FAILOVER_ABORTED',
] satisfies FindingCode[];

export const isEventCode = (code: string): boolean => EVENT_CODES.includes(code);

export const DEPLOYMENT_SUBJECT = 'deployment';
export const nodeSubject = (a: Address): string => `node ${formatAddress(a)}`;
export const sentinelSubject = (a: Address): string => `sentinel ${formatAddress(a)}`;
