import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deliveredMessage, PublishError, SnsAlertPublisher } from '../../../lambdas/adapters/sns-publisher';
import { renderAlert } from '../../../lambdas/core/alert-text';
import { laggingOpened, PRESENTATION } from '../../helpers/notify';

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

    it('sends the text to email and the notice as JSON to Lambda, SQS and HTTP/S (MessageStructure json)', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
      const alert = renderAlert(laggingOpened, PRESENTATION);

      // Act
      await publisher.publish(alert);

      // Assess
      const input = sns.commandCalls(PublishCommand)[0].args[0].input;
      expect(input.MessageStructure).toBe('json');
      const perProtocol = JSON.parse(input.Message ?? '') as Record<string, string>;
      expect(perProtocol.default).toBe(alert.body);
      expect(perProtocol.email).toBe(alert.body);
      for (const protocol of ['lambda', 'sqs', 'http', 'https']) {
        expect(JSON.parse(perProtocol[protocol])).toEqual(alert.notice);
        expect(deliveredMessage(protocol, input.Message ?? '', 'json')).toBe(perProtocol[protocol]);
      }
      expect(deliveredMessage('email-json', input.Message ?? '', 'json')).toBe(alert.body);
      expect(Buffer.byteLength(input.Message ?? '')).toBeLessThan(256 * 1024);
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
