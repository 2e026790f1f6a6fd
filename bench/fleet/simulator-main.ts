// The RESP simulator's own process (forked by simulator.ts): its 6 listeners per deployment and its
// CPU stay out of the poller process being measured. Commands arrive over the IPC channel.

import { SimulatedFleet } from './simulated-fleet';

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args: readonly unknown[];
}

const fleet = new SimulatedFleet(process.env.SIM_PASSWORD ?? 'sim-password');

process.on('message', async (message: Request) => {
  const { id, cmd, args } = message;
  try {
    const target = fleet as unknown as Record<string, (...a: unknown[]) => unknown>;
    if (typeof target[cmd] !== 'function') throw new Error(`unknown simulator command ${cmd}`);
    const result = await target[cmd].apply(fleet, [...args]);
    process.send?.({ id, ok: true, result });
    if (cmd === 'stop') process.exit(0);
  } catch (error) {
    process.send?.({ id, ok: false, error: (error as Error).message });
  }
});
// The parent going away ends the simulator too.
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, ok: true, result: 'ready' });
