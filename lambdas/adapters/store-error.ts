// The DynamoDB adapters' errors (dynamo-store.ts and the adapters beside it): the operation and the
// table, never an item's contents, and whether trying again can help.

import { SentinelWatchError } from '../core/errors';

/** Errors that the same request will meet again: a wrong table, key, permission or item. */
const PERMANENT = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'ValidationException',
  'ItemCollectionSizeLimitExceededException',
  'UnrecognizedClientException',
  'SerializationException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
]);

/** A DynamoDB call failed for a reason other than a condition: throttling, network, permissions. */
export class StoreError extends SentinelWatchError {
  /** The SDK error's name (TimeoutError when the call's deadline ended it); null for our own checks. */
  readonly errorName: string | null;
  /** Worth trying again: throttling, a server error, a timeout or the network (not a bad request). */
  readonly retryable: boolean;

  constructor(
    readonly operation: string,
    readonly table: string,
    problem: string,
    options?: { cause?: unknown; errorName?: string },
  ) {
    super(`DynamoDB ${operation} on table "${table}" failed: ${problem}`, options);
    this.errorName = options?.errorName ?? null;
    this.retryable = this.errorName !== null && !PERMANENT.has(this.errorName);
  }
}

/**
 * The STATE item is there but cannot be read (a damaged or foreign blob: state-codec.ts). Reading it
 * again gives the same answer; `unreadableVersion` lets the caller start over and replace the item
 * with a conditional save (store-ports.ts, unreadableStateVersion).
 */
export class UnreadableStateError extends StoreError {
  constructor(
    operation: string,
    table: string,
    readonly unreadableVersion: number,
    cause: Error,
  ) {
    super(operation, table, cause.message, { cause });
  }
}
