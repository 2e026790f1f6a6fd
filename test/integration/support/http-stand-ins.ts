// Local stand-ins for the AWS endpoints and webhooks the handlers call, all on 127.0.0.1, port 0:
// a server that accepts connections and never answers (the fault every deadline must survive), and
// an SNS Publish endpoint (the query protocol: form-encoded POST in, XML out) that records what it
// was sent and can be told to refuse.

import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
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

export interface FaultyProxy {
  readonly endpoint: string;
  /** Requests answered with the injected fault so far. */
  readonly faults: () => number;
  /** Decides per request (its `x-amz-target` header and body) whether to answer with the fault. */
  fail: (target: string, body: string) => boolean;
  readonly close: () => Promise<void>;
}

/**
 * A pass-through to `upstream` (dynalite) that answers the requests `fail` picks with DynamoDB's
 * `InternalServerError` (HTTP 500, a transient error the SDK retries) instead of forwarding them.
 */
export async function startFaultyDynamoProxy(upstream: string): Promise<FaultyProxy> {
  const target = new URL(upstream);
  let faults = 0;
  let proxy: FaultyProxy | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (proxy?.fail(String(req.headers['x-amz-target'] ?? ''), body.toString('utf8'))) {
        faults++;
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'simulated',
          }),
        );
        return;
      }
      const forward = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults: () => faults,
    fail: () => false,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
