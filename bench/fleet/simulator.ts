// The parent's handle on the RESP simulator process (simulator-main.ts): start N simulated
// deployments, inject faults, read counters, stop.

import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { SimulatedDeployment, SimulatorStats } from './simulated-fleet';

export class Simulator {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(password: string): Promise<Simulator> {
    const child = fork(path.join(__dirname, 'simulator-main.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, SIM_PASSWORD: password },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
    });
    return new Simulator(child);
  }

  private call<T>(cmd: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args });
    });
  }

  deployments(count: number, prefix: string): Promise<SimulatedDeployment[]> {
    return this.call('start', count, prefix);
  }
  stats(): Promise<SimulatorStats> {
    return this.call('stats');
  }
  setLatency(ms: number): Promise<void> {
    return this.call('setLatency', ms);
  }
  failover(index: number): Promise<{ from: number; to: number }> {
    return this.call('failover', index);
  }
  kill(index: number, kind: 'sentinel' | 'node', k: number): Promise<void> {
    return this.call('kill', index, kind, k);
  }
  freeze(index: number, kind: 'sentinel' | 'node', k: number, frozen = true): Promise<void> {
    return this.call('freeze', index, kind, k, frozen);
  }
  lag(index: number, k: number, bytes: number): Promise<void> {
    return this.call('lag', index, k, bytes);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await Promise.race([this.call('stop').catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  killSync(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
