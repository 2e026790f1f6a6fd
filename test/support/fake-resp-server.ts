// Fake RESP servers on 127.0.0.1 (an ephemeral port) that misbehave on purpose: the hostile-server
// tests and bench:limits use them. Each runs `behave` once, when the client's first batch arrives.

import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

export class FakeServers {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  /** Starts one server; resolves with its port. */
  async start(behave: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', () => behave(socket));
    });
    this.servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as { port: number }).port;
  }

  /** Ends every open connection (a flood stops with it); the servers keep listening. */
  hangUp(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  close(): void {
    this.hangUp();
    for (const server of this.servers) server.close();
  }
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** Writes `chunk` for as long as the client reads it. */
export function flood(socket: Socket, chunk: Buffer = CHUNK): void {
  const write = () => {
    while (!socket.destroyed && socket.write(chunk)) {
      // keep the socket buffer full while the client reads
    }
    if (!socket.destroyed) socket.once('drain', write);
  };
  write();
}

/** A bulk string header that promises ~100 GB, then a flood: a reply that never ends. */
export function endlessBulkString(socket: Socket): void {
  socket.write('$99999999999\r\n');
  flood(socket);
}
