// The narrow contract between the probe and the network: "send these commands to this server within
// this deadline, tell me what came back". The adapter (ioredis) fills it; the readers that turn an
// outcome into a snapshot are pure and tested on plain data.

import { DEFAULT_MAX_REPLY_BYTES } from './limits';
import type { RawError } from './probe-error';
import type { Address } from './types';

export type RedisCommand = readonly string[];

export type Reply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: RawError };

export interface BatchTarget extends Address {
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
}

export interface BatchOutcome {
  /** The TCP (and TLS) connection was established. */
  readonly connected: boolean;
  /** Connection-level failure (refused, timeout, reset). Replies received before it are kept. */
  readonly error: RawError | null;
  /** The AUTH reply when a password was sent, else null. */
  readonly auth: Reply | null;
  /** One entry per command, in order; shorter than the command list when the batch was cut off. */
  readonly replies: readonly Reply[];
  readonly rttMs: number | null;
  /** Bytes the server sent on the connection (after TLS), counted against `maxReplyBytes`. */
  readonly bytesRead?: number;
}

export interface BatchLimits {
  /**
   * The most a server may send for one batch. Past it the connection is closed at once and the
   * outcome's error (and every reply cut off) is a `ReplyTooLargeError` (class `reply-too-large`):
   * a hostile or broken server can cost this much memory, never more.
   */
  readonly maxReplyBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxReplyBytes: DEFAULT_MAX_REPLY_BYTES };

/**
 * Runs one batch on a fresh connection, which is always closed before the promise settles.
 * `limits` defaults to DEFAULT_BATCH_LIMITS, so every caller is bounded.
 */
export type RunBatch = (
  target: BatchTarget,
  commands: readonly RedisCommand[],
  timeoutMs: number,
  limits?: BatchLimits,
) => Promise<BatchOutcome>;
