// The /metrics endpoint of `watch --metrics-listen HOST:PORT`: GET (or HEAD) /metrics answers the
// exposition; anything else is 404 or 405. Opt-in, and on the address given only: a watcher on a
// bastion should not expose its deployments' topology to the whole VPC unless asked to.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SentinelWatchError, UsageError } from '../../lambdas/core/errors';
import { CONTENT_TYPE } from './openmetrics';

export interface MetricsListen {
  readonly host: string;
  readonly port: number;
}

/** `--metrics-listen`: `HOST:PORT` (`[::1]:9464` for IPv6); port 0 picks a free one (tests). */
export function parseMetricsListen(text: string): MetricsListen {
  const value = text.trim();
  const match = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(value) ?? /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    throw new UsageError(`--metrics-listen: "${text}" is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  }
  return { host: match[1], port };
}

/** The metrics address cannot be listened on (in use, not a local address, not allowed). */
export class MetricsListenError extends SentinelWatchError {}

export interface MetricsServer {
  /** The address actually bound (the port, when 0 was asked for). */
  readonly address: MetricsListen;
  close(): Promise<void>;
}

export async function startMetricsServer(
  listen: MetricsListen,
  render: () => string,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let body: string;
    try {
      body = render();
    } catch (error) {
      res
        .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`${(error as Error).message}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  // Scrapers keep connections alive; they must not hold a stopping watch open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        new MetricsListenError(
          `--metrics-listen: cannot listen on ${listen.host}:${listen.port}: ${error.code ?? error.message}`,
          {
            cause: error,
          },
        ),
      );
    server.once('error', failed);
    server.listen(listen.port, listen.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
