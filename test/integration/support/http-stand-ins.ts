// Local stand-ins for the AWS endpoints and webhooks the handlers call, all on 127.0.0.1, port 0:
// a server that accepts connections and never answers (the fault every deadline must survive), and
// an SNS Publish endpoint (the query protocol: form-encoded POST in, XML out) that records what it
// was sent and can be told to refuse.

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket } from 'node:net';

export interface HangingServer {
  readonly endpoint: string;
  /** Connections accepted so far (each would be one request of a fresh or retried call). */
  readonly connections: () => number;
  /** Bytes received: proof that requests arrived and were left unanswered. */
  readonly bytesReceived: () => number;
  readonly close: () => Promise<void>;
}

/** Accepts every connection, reads what is sent, and never writes a byte back. */
export async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let bytes = 0;
  const server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', (chunk) => {
      bytes += chunk.length;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    bytesReceived: () => bytes,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface SnsPublished {
  readonly at: number;
  readonly subject: string;
  readonly message: string;
  readonly attributes: Record<string, string>;
}

/** What the stand-in answers to one Publish: accept it, or refuse it with an SNS error code. */
export type SnsVerdict = { readonly accept: true } | { readonly status: number; readonly code: string };

export interface SnsStandIn {
  readonly endpoint: string;
  readonly published: SnsPublished[];
  /** Every Publish received, accepted or not. */
  readonly calls: () => number;
  /** Decides each Publish (default: accept). */
  judge: (message: SnsPublished) => SnsVerdict;
  readonly close: () => Promise<void>;
}

export async function startSnsStandIn(topicArn: string): Promise<SnsStandIn> {
  let calls = 0;
  const published: SnsPublished[] = [];
  // The handler reads `standIn.judge` per request, so a test can change it between invocations.
  let standIn: SnsStandIn | undefined;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      calls++;
      const form = new URLSearchParams(body);
      const requestId = randomUUID();
      if (form.get('Action') !== 'Publish' || form.get('TopicArn') !== topicArn) {
        res.writeHead(400, { 'content-type': 'text/xml' }).end(snsError('InvalidParameter', requestId));
        return;
      }
      const attributes: Record<string, string> = {};
      for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
        attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] =
          form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
      }
      const message: SnsPublished = {
        at: Date.now(),
        subject: form.get('Subject') ?? '',
        message: form.get('Message') ?? '',
        attributes,
      };
      const verdict = standIn?.judge(message) ?? { accept: true };
      if (!('accept' in verdict)) {
        res.writeHead(verdict.status, { 'content-type': 'text/xml' }).end(snsError(verdict.code, requestId));
        return;
      }
      published.push(message);
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    published,
    calls: () => calls,
    judge: () => ({ accept: true }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}

export function snsError(code: string, requestId: string): string {
  const type = code === 'InternalError' ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>simulated</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
