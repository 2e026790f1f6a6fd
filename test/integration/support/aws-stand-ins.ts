// Minimal local stand-ins for the AWS APIs the on-call commands call, on 127.0.0.1 port 0, speaking
// each service's real wire protocol so the real SDK clients talk to them unchanged (pointed there by
// AWS_ENDPOINT_URL_<SERVICE>):
//   - the query protocol (SNS, CloudFormation): form-encoded POST with `Action=...`, XML answers;
//   - AWS JSON 1.0 (CloudWatch, SQS in SDK 3.1164): POST with `X-Amz-Target: <Prefix>.<Operation>`,
//     a JSON body, JSON answers (timestamps as epoch seconds).
// Each records the calls it got; an operation it was not given answers 400 with the service's error
// shape, so a client calling something unexpected fails loudly.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInReply {
  readonly status?: number;
  readonly body: string;
}

export interface StandIn<P> {
  readonly endpoint: string;
  readonly calls: { readonly operation: string; readonly params: P; readonly at: number }[];
  readonly close: () => Promise<void>;
}

async function start<P>(
  parse: (req: IncomingMessage, body: string) => { operation: string; params: P },
  answer: (operation: string, params: P) => StandInReply,
  contentType: string,
): Promise<StandIn<P>> {
  const calls: StandIn<P>['calls'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const { operation, params } = parse(req, body);
      calls.push({ operation, params, at: Date.now() });
      const reply = answer(operation, params);
      res.writeHead(reply.status ?? 200, { 'content-type': contentType }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type QueryHandlers = Record<string, (form: URLSearchParams) => StandInReply>;

/** A query-protocol service: `namespace` is its XML namespace, e.g. http://sns.amazonaws.com/doc/2010-03-31/. */
export function startQueryStandIn(
  namespace: string,
  handlers: QueryHandlers,
): Promise<StandIn<URLSearchParams>> {
  return start(
    (_req, body) => {
      const form = new URLSearchParams(body);
      return { operation: form.get('Action') ?? '', params: form };
    },
    (operation, form) =>
      handlers[operation]?.(form) ?? {
        status: 400,
        body: queryError(namespace, 'InvalidAction', `no ${operation}`),
      },
    'text/xml',
  );
}

/** The result document of a query-protocol operation. */
export const queryResult = (namespace: string, action: string, inner: string): string =>
  `<${action}Response xmlns="${namespace}"><${action}Result>${inner}</${action}Result>` +
  `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;

export const queryError = (namespace: string, code: string, message: string): string =>
  `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code>` +
  `<Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;

export const xml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export type JsonHandlers = Record<string, (body: Record<string, unknown>) => StandInReply>;

/** An AWS JSON 1.0 service: `X-Amz-Target: <anything>.<Operation>`. */
export function startJsonStandIn(handlers: JsonHandlers): Promise<StandIn<Record<string, unknown>>> {
  return start(
    (req, body) => ({
      operation:
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .at(-1) ?? '',
      params: body === '' ? {} : (JSON.parse(body) as Record<string, unknown>),
    }),
    (operation, params) =>
      handlers[operation]?.(params) ?? {
        status: 400,
        body: JSON.stringify({ __type: 'UnknownOperationException', message: `no ${operation}` }),
      },
    'application/x-amz-json-1.0',
  );
}

export const json = (value: unknown, status = 200): StandInReply => ({ status, body: JSON.stringify(value) });
