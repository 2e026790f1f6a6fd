import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PublishError, SnsAlertPublisher } from '../../../lambdas/adapters/sns-publisher';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const publisher = new SnsAlertPublisher({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC });
const message = {
  subject: '[CRITICAL] prod-cache: NO_QUORUM',
  body: 'No quorum.',
  attributes: {
    severity: 'critical',
    code: 'NO_QUORUM',
    deployment: 'prod-cache',
    type: 'opened',
    empty: '',
  },
  dedupeKey: 'prod-cache:NO_QUORUM deployment@t|opened|t',
};
const named = (name: string): Error => Object.assign(new Error(name), { name });

beforeEach(() => {
  sns.reset();
});

describe('Class: SnsAlertPublisher', () => {
  describe('Method: publish', () => {
    it('publishes subject, body and String attributes, the dedupe key included and empty values left out', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

      // Act
      await publisher.publish(message);

      // Assess
      expect(sns).toHaveReceivedCommandWith(PublishCommand, {
        TopicArn: TOPIC,
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'critical' },
          code: { DataType: 'String', StringValue: 'NO_QUORUM' },
          deployment: { DataType: 'String', StringValue: 'prod-cache' },
          type: { DataType: 'String', StringValue: 'opened' },
          dedupeKey: { DataType: 'String', StringValue: message.dedupeKey },
        },
      });
    });

    it.each([
      ['ThrottledException', true, false],
      ['InternalErrorException', true, false],
      ['TimeoutError', true, false],
      ['AuthorizationErrorException', false, false],
      ['NotFoundException', false, false],
      ['KMSAccessDeniedException', false, false],
      ['InvalidParameterException', false, true],
      ['InvalidParameterValueException', false, true],
    ])(
      'wraps %s in a PublishError, retryable: %s, rejecting the message itself: %s',
      async (name, retryable, rejected) => {
        // Prepare
        const cause = named(name);
        sns.on(PublishCommand).rejects(cause);

        // Act
        const error = await publisher.publish(message).catch((e: unknown) => e as PublishError);

        // Assess
        expect(error).toBeInstanceOf(PublishError);
        expect(error).toMatchObject({ errorName: name, retryable, rejected, cause });
      },
    );
  });
});
