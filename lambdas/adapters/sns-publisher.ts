// AlertPublisher on Amazon SNS. One Publish per alert: the subject for email, the plain-text body as
// the message, and every attribute as a String message attribute so subscriptions can filter (e.g.
// email only `severity = critical`). Retries are the caller's (the poller's outbox): this class makes
// one attempt and says whether another could succeed.

import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SentinelWatchError } from '../core/errors';
import type { AlertMessage, AlertPublisher } from '../core/ports';
import { callSignal, failureName } from './aws-clients';

/** Errors about the message's own content (subject, body, attributes), not the topic. */
const REJECTS_MESSAGE = new Set([
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
]);

/**
 * A Publish failed. `retryable`: throttling, a server error or the network; worth trying again.
 * `rejected`: SNS refused this message itself (an invalid parameter): it will refuse it every time,
 * while other messages may pass. Neither: the topic cannot be used (permissions, key, no such topic).
 */
export class PublishError extends SentinelWatchError {
  readonly rejected: boolean;

  constructor(
    readonly errorName: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`SNS Publish failed: ${errorName}${retryable ? ' (retryable)' : ''}`, options);
    this.rejected = REJECTS_MESSAGE.has(errorName);
  }
}

const NOT_RETRYABLE = new Set([
  'AuthorizationErrorException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'NotFoundException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'KMSAccessDeniedException',
  'ValidationException',
  'AccessDeniedException',
]);

const MAX_ATTRIBUTES = 10;

export interface SnsAlertPublisherProps {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** Each Publish ends by then, SDK retries included (aws-clients.ts); none: the client's own limits. */
  readonly callTimeoutMs?: number;
}

export class SnsAlertPublisher implements AlertPublisher {
  readonly #client: SNSClient;
  readonly #topicArn: string;
  readonly #callTimeoutMs: number | undefined;

  constructor(props: SnsAlertPublisherProps) {
    this.#client = props.client;
    this.#topicArn = props.topicArn;
    this.#callTimeoutMs = props.callTimeoutMs;
  }

  async publish(message: AlertMessage): Promise<void> {
    // SNS takes at most 10 attributes, none empty; the required four come first in every message.
    const attributes = Object.fromEntries(
      Object.entries({ ...message.attributes, dedupeKey: message.dedupeKey })
        .filter(([, value]) => value !== '')
        .slice(0, MAX_ATTRIBUTES)
        .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    );
    const signal = callSignal(this.#callTimeoutMs);
    try {
      await this.#client.send(
        new PublishCommand({
          TopicArn: this.#topicArn,
          Subject: message.subject,
          Message: message.body,
          MessageAttributes: attributes,
        }),
        signal ? { abortSignal: signal } : undefined,
      );
    } catch (error) {
      const name = failureName(error, signal);
      throw new PublishError(name, !NOT_RETRYABLE.has(name), { cause: error });
    }
  }
}
