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

export interface SecretsStandIn {
  readonly endpoint: string;
  readonly close: () => Promise<void>;
}

/** Secrets Manager's GetSecretValue (JSON protocol) for the given secrets; anything else 400. */
export async function startSecretsStandIn(
  secrets: Readonly<Record<string, string>>,
): Promise<SecretsStandIn> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const id = (JSON.parse(body || '{}') as { SecretId?: string }).SecretId ?? '';
      const value = secrets[id];
      const json = { 'content-type': 'application/x-amz-json-1.1' };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || value === undefined) {
        res.writeHead(400, json).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no' }));
        return;
      }
      res.writeHead(200, json).end(JSON.stringify({ ARN: id, Name: 'secret', SecretString: value }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface WebhookReply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Answer only after this long (a slow Slack); the post counts as received at once. */
  readonly delayMs?: number;
}

export interface WebhookStandIn {
  readonly url: string;
  /** Bodies of every post received, in order (a post the client gave up on included). */
  readonly received: { readonly at: number; readonly body: string }[];
  /** Replies to the next posts, in order; then 200 ok. */
  replies: WebhookReply[];
  readonly close: () => Promise<void>;
}

/** A Slack incoming webhook at `/services/<path>`. */
export async function startWebhookStandIn(path: string): Promise<WebhookStandIn> {
  const received: { at: number; body: string }[] = [];
  let standIn: WebhookStandIn | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ at: Date.now(), body });
      const reply = standIn?.replies.shift() ?? { status: 200, body: 'ok' };
      const answer = () =>
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body ?? '');
      if (!reply.delayMs) {
        answer();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer();
      }, reply.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${path}`,
    received,
    replies: [],
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}
