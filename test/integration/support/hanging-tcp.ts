// A TCP server on 127.0.0.1 that accepts connections, reads what is sent and never answers: the fault
// every AWS call's deadline must survive.

import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';

export interface HangingTcp {
  readonly endpoint: string;
  readonly connections: () => number;
  readonly close: () => Promise<void>;
}

export async function startHangingTcp(): Promise<HangingTcp> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
