// A local HTTP server standing in for a notification endpoint (Slack's incoming webhook, PagerDuty's
// Events API, a webhook receiver) on 127.0.0.1 and an ephemeral port. It records every request and
// answers from a script: a status (with body and headers), `hang` (reads the request and never answers)
// or `stall` (sends the headers, then never ends the body). An optional check turns a request into a
// 400 with the problems found, the way a strict receiver would.

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Reply =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | 'hang'
  | 'stall';

export class HttpReceiver {
  readonly received: Received[] = [];
  /** Answers in order; when empty, `fallback`. */
  replies: Reply[] = [];
  fallback: Reply = { status: 200, body: 'ok' };
  /** Problems with a request: a non-empty list is answered 400 with the list as the body. */
  check: ((r: Received) => string[]) | null = null;
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<HttpReceiver> {
    let receiver: HttpReceiver | null = null;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () =>
        (receiver as HttpReceiver).#answer(
          { at: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers, body },
          res,
        ),
      );
    });
    receiver = new HttpReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.received.length = 0;
    this.replies = [];
    this.fallback = { status: 200, body: 'ok' };
    this.check = null;
    this.#release();
  }

  async stop(): Promise<void> {
    this.#release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #answer(request: Received, res: ServerResponse): void {
    this.received.push(request);
    const problems = this.check?.(request) ?? [];
    if (problems.length > 0) {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'invalid event', errors: problems }));
      return;
    }
    const reply = this.replies.shift() ?? this.fallback;
    if (reply === 'hang') {
      this.#hanging.add(res);
      return;
    }
    if (reply === 'stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
      this.#hanging.add(res);
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body ?? '');
  }

  #release(): void {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
  }
}

/** Captures what the code under test writes to stdout and stderr (Powertools logs there). */
export function captureOutput(): { text: () => string; restore: () => void } {
  const lines: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }),
  );
  const restore = () => {
    for (const spy of spies) spy.mockRestore();
  };
  return { text: () => lines.join(''), restore };
}
