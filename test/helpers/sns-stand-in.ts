// A local HTTP server standing in for Amazon SNS (AWS_ENDPOINT_URL_SNS; the query protocol: form-encoded
// POST in, XML out). It records every Publish as each kind of subscriber would receive it: the text an
// email subscriber reads, and the message a Lambda subscriber gets (the `lambda` key of a
// MessageStructure "json" publish), and it can refuse the next N publishes with a 500.

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SNSEvent } from 'aws-lambda';
import { deliveredMessage } from '../../lambdas/adapters/sns-publisher';

export interface Published {
  readonly at: number;
  readonly messageId: string;
  readonly subject: string;
  /** What an email subscriber receives. */
  readonly message: string;
  /** What a Lambda subscriber receives. */
  readonly lambdaMessage: string;
  readonly structure: string | null;
  readonly attributes: Record<string, string>;
}

export class SnsStandIn {
  readonly published: Published[] = [];
  /** Publishes answered with a 500 before it accepts again. */
  failNext = 0;
  failedCalls = 0;
  readonly #server: Server;

  private constructor(
    server: Server,
    readonly topicArn: string,
  ) {
    this.#server = server;
  }

  static async start(topicArn: string): Promise<SnsStandIn> {
    let standIn: SnsStandIn | null = null;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const self = standIn as SnsStandIn;
        const form = new URLSearchParams(body);
        const requestId = randomUUID();
        if (form.get('Action') !== 'Publish' || form.get('TopicArn') !== self.topicArn) {
          res.writeHead(400, { 'content-type': 'text/xml' }).end(snsError('InvalidParameter', requestId));
          return;
        }
        if (self.failNext > 0) {
          self.failNext--;
          self.failedCalls++;
          res.writeHead(500, { 'content-type': 'text/xml' }).end(snsError('InternalError', requestId));
          return;
        }
        const attributes: Record<string, string> = {};
        for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
          attributes[form.get(`MessageAttributes.entry.${i}.Name`) as string] =
            form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
        }
        const raw = form.get('Message') ?? '';
        const structure = form.get('MessageStructure');
        const messageId = randomUUID();
        self.published.push({
          at: Date.now(),
          messageId,
          subject: form.get('Subject') ?? '',
          message: deliveredMessage('email', raw, structure ?? undefined),
          lambdaMessage: deliveredMessage('lambda', raw, structure ?? undefined),
          structure,
          attributes,
        });
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
          );
      });
    });
    standIn = new SnsStandIn(server, topicArn);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.published.length = 0;
    this.failNext = 0;
    this.failedCalls = 0;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The event SNS invokes a subscribed Lambda function with, for one publish. */
  lambdaEvent(p: Published): SNSEvent {
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${this.topicArn}:local`,
          Sns: {
            Type: 'Notification',
            MessageId: p.messageId,
            TopicArn: this.topicArn,
            Subject: p.subject,
            Message: p.lambdaMessage,
            Timestamp: new Date(p.at).toISOString(),
            SignatureVersion: '1',
            Signature: 'local',
            SigningCertUrl: 'https://example.invalid/cert',
            UnsubscribeUrl: 'https://example.invalid/unsubscribe',
            MessageAttributes: Object.fromEntries(
              Object.entries(p.attributes).map(([k, v]) => [k, { Type: 'String', Value: v }]),
            ),
          },
        },
      ],
    };
  }
}

function snsError(code: string, requestId: string): string {
  return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>${code}</Code><Message>simulated</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
