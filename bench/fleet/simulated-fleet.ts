// SIMULATED Sentinel deployments for `npm run bench -- --fleet`: each deployment is 1 master + 2
// replicas + 3 sentinels, every server a TCP listener on 127.0.0.1 (port 0) speaking RESP2. Replies
// are what a real Redis 7 answered to the probe's batches (templates.json, capture.ts) with this
// deployment's names, addresses, ids, offsets and epoch put in, so that one model per deployment
// keeps every server's answers consistent: the sentinels agree on the master, the master lists its
// replicas, the replicas follow it, offsets move as writes flow. Faults change the model: a failover
// (with +switch-master published to subscribers), a node down (its listener closed: connections
// refused), a frozen server (reads, never answers), replica lag, and latency before every reply.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { type Captured, commandKey, TEMPLATES_FILE, type Templates } from './capture';
import { CommandParser, encode, type Reply } from './resp';

const HOST = '127.0.0.1';
/** Writes flowing into every master: its replication offset grows this fast. */
const BYTES_PER_SECOND = 2048;

interface SimServer {
  readonly kind: 'sentinel' | 'node';
  readonly index: number;
  port: number;
  readonly runId: string;
  server: Server | null;
  readonly sockets: Set<Socket>;
  frozen: boolean;
  latencyMs: number | null;
  /** Replicas: bytes behind the master. */
  lagBytes: number;
  readonly subscribers: Set<Socket>;
  readonly startedAt: number;
}

interface SimDeployment {
  readonly index: number;
  readonly name: string;
  readonly masterName: string;
  readonly sentinels: SimServer[];
  readonly nodes: SimServer[];
  master: number;
  epoch: number;
  readonly replId: string;
  readonly startedAt: number;
}

export interface SimulatedDeployment {
  readonly name: string;
  readonly masterName: string;
  readonly sentinels: readonly number[];
  readonly nodes: readonly number[];
}

export interface SimulatorStats {
  readonly connections: number;
  readonly commands: number;
  readonly bytesOut: number;
  readonly unknownCommands: Record<string, number>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A flat field array (`[k1, v1, k2, v2, ...]`) with some values replaced (or appended). */
function fields(template: Captured, overrides: Record<string, string>): string[] {
  const flat = (Array.isArray(template) ? template : []) as string[];
  const out = [...flat];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < out.length; i += 2) {
    if (out[i] in overrides) {
      out[i + 1] = overrides[out[i]];
      seen.add(out[i]);
    }
  }
  for (const [k, v] of Object.entries(overrides)) if (!seen.has(k)) out.push(k, v);
  return out;
}

/** INFO text with some `key:value` lines replaced, lines matching `drop` removed, `add` appended. */
function info(
  template: Captured | undefined,
  overrides: Record<string, string>,
  drop?: RegExp,
  add: string[] = [],
): string {
  const lines = String(typeof template === 'string' ? template : '').split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const key = colon > 0 ? line.slice(0, colon) : null;
    if (key !== null && drop?.test(key)) continue;
    out.push(key !== null && key in overrides ? `${key}:${overrides[key]}` : line);
  }
  // New lines go before the trailing empty line.
  const end = out.length > 0 && out[out.length - 1] === '' ? out.length - 1 : out.length;
  out.splice(end, 0, ...add);
  return out.join('\r\n');
}

export class SimulatedFleet {
  private readonly deployments: SimDeployment[] = [];
  private readonly templates: Templates;
  private latencyMs = 0;
  private connections = 0;
  private commands = 0;
  private bytesOut = 0;
  private readonly unknown: Record<string, number> = {};

  constructor(
    private readonly password: string,
    templatesFile = TEMPLATES_FILE,
  ) {
    this.templates = JSON.parse(readFileSync(templatesFile, 'utf8')) as Templates;
  }

  /** Starts `count` deployments (6 listeners each); resolves with their addresses. */
  async start(count: number, namePrefix = 'sim'): Promise<SimulatedDeployment[]> {
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      const server = (kind: SimServer['kind'], index: number): SimServer => ({
        kind,
        index,
        port: 0,
        runId: hex(20),
        server: null,
        sockets: new Set(),
        frozen: false,
        latencyMs: null,
        lagBytes: 0,
        subscribers: new Set(),
        startedAt: now - 86_400_000,
      });
      const d: SimDeployment = {
        index: i,
        name: `${namePrefix}-${String(i).padStart(4, '0')}`,
        masterName: `${namePrefix}-${String(i).padStart(4, '0')}`,
        sentinels: [0, 1, 2].map((k) => server('sentinel', k)),
        nodes: [0, 1, 2].map((k) => server('node', k)),
        master: 0,
        epoch: 1,
        replId: hex(20),
        startedAt: now,
      };
      for (const s of [...d.sentinels, ...d.nodes]) await this.listen(d, s);
      this.deployments.push(d);
    }
    return this.deployments.map((d) => ({
      name: d.name,
      masterName: d.masterName,
      sentinels: d.sentinels.map((s) => s.port),
      nodes: d.nodes.map((s) => s.port),
    }));
  }

  stats(): SimulatorStats {
    return {
      connections: this.connections,
      commands: this.commands,
      bytesOut: this.bytesOut,
      unknownCommands: { ...this.unknown },
    };
  }

  /** Latency before each reply, for every server (ms). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /**
   * The sentinels promote the next replica: the model switches and every subscriber of the
   * deployment's sentinels hears +switch-master, as from a real failover.
   */
  failover(index: number): { from: number; to: number } {
    const d = this.deployments[index];
    const from = d.nodes[d.master].port;
    d.master = (d.master + 1) % d.nodes.length;
    d.epoch++;
    const to = d.nodes[d.master].port;
    for (const n of d.nodes) n.lagBytes = 0;
    this.publish(d, '+switch-master', `${d.masterName} ${HOST} ${from} ${HOST} ${to}`);
    return { from, to };
  }

  /** A data node or sentinel stops: its listener closes (connections refused), its clients drop. */
  kill(index: number, kind: SimServer['kind'], k: number): void {
    const s = this.server(index, kind, k);
    s.server?.close();
    s.server = null;
    for (const socket of s.sockets) socket.destroy();
  }

  async revive(index: number, kind: SimServer['kind'], k: number): Promise<void> {
    const s = this.server(index, kind, k);
    if (!s.server) await this.listen(this.deployments[index], s, s.port);
  }

  /** A frozen server takes connections and commands and never answers (SIGSTOP). */
  freeze(index: number, kind: SimServer['kind'], k: number, frozen = true): void {
    this.server(index, kind, k).frozen = frozen;
  }

  /** A replica falls `bytes` behind its master. */
  lag(index: number, k: number, bytes: number): void {
    this.server(index, 'node', k).lagBytes = bytes;
  }

  async stop(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const d of this.deployments) {
      for (const s of [...d.sentinels, ...d.nodes]) {
        for (const socket of s.sockets) socket.destroy();
        const server = s.server;
        s.server = null;
        if (server) closing.push(new Promise((resolve) => server.close(() => resolve())));
      }
    }
    await Promise.all(closing);
  }

  private server(index: number, kind: SimServer['kind'], k: number): SimServer {
    const d = this.deployments[index];
    return (kind === 'sentinel' ? d.sentinels : d.nodes)[k];
  }

  private async listen(d: SimDeployment, s: SimServer, port = 0): Promise<void> {
    const server = createServer((socket) => this.serve(d, s, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, HOST, () => resolve());
    });
    s.port = (server.address() as { port: number }).port;
    s.server = server;
  }

  private serve(d: SimDeployment, s: SimServer, socket: Socket): void {
    this.connections++;
    s.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      s.sockets.delete(socket);
      s.subscribers.delete(socket);
    });
    const parser = new CommandParser();
    socket.on('data', (chunk) => {
      if (s.frozen) return;
      const commands = parser.push(chunk);
      if (commands.length === 0) return;
      this.commands += commands.length;
      const out = commands.map((c) => encode(this.answer(d, s, c, socket))).join('');
      const latency = s.latencyMs ?? this.latencyMs;
      const send = () => {
        if (socket.destroyed) return;
        this.bytesOut += Buffer.byteLength(out);
        socket.write(out);
      };
      if (latency > 0) setTimeout(send, latency);
      else send();
    });
  }

  private publish(d: SimDeployment, channel: string, message: string): void {
    for (const s of d.sentinels) {
      for (const socket of s.subscribers) {
        socket.write(encode(['pmessage', '*', channel, message]));
      }
    }
  }

  private offset(d: SimDeployment): number {
    return 1_000_000_000 + Math.floor(((Date.now() - d.startedAt) / 1000) * BYTES_PER_SECOND);
  }

  private answer(d: SimDeployment, s: SimServer, command: string[], socket: Socket): Reply {
    const name = (command[0] ?? '').toUpperCase();
    if (name === 'AUTH') return { status: 'OK' };
    if (name === 'PSUBSCRIBE' || name === 'SUBSCRIBE') {
      s.subscribers.add(socket);
      return [name.toLowerCase(), command[1] ?? '*', 1];
    }
    if (name === 'CLIENT' || name === 'SELECT') return { status: 'OK' };
    if (name === 'PING') return s.subscribers.has(socket) ? ['pong', ''] : { status: 'PONG' };
    if (name === 'SET') return { status: 'OK' };
    return s.kind === 'sentinel' ? this.sentinelReply(d, s, command) : this.nodeReply(d, s, command);
  }

  private template(
    kind: 'sentinel' | 'master' | 'replica',
    d: SimDeployment,
    command: string[],
  ): Captured | undefined {
    const key = commandKey(command, d.masterName, d.name);
    const reply = this.templates[kind][key];
    if (reply === undefined) this.unknown[key] = (this.unknown[key] ?? 0) + 1;
    return reply;
  }

  private fromTemplate(captured: Captured | undefined): Reply {
    if (captured === undefined) return { error: 'ERR unknown command (not in the simulator templates)' };
    if (captured !== null && typeof captured === 'object' && !Array.isArray(captured)) return captured;
    const fill = (c: Captured): Reply =>
      typeof c === 'string'
        ? c.replaceAll('{password}', this.password)
        : Array.isArray(c)
          ? c.map(fill)
          : (c as Reply);
    return fill(captured);
  }

  private sentinelReply(d: SimDeployment, s: SimServer, command: string[]): Reply {
    const sub = `${command[0]} ${command[1] ?? ''}`.toUpperCase();
    const master = d.nodes[d.master];
    const replicas = d.nodes.filter((_, k) => k !== d.master);
    const offset = this.offset(d);
    const downFlag = (n: SimServer, role: string) => (n.server ? role : `${role},s_down,disconnected`);
    const t = (c: string[]) => this.template('sentinel', d, c);
    switch (sub) {
      case 'SENTINEL GET-MASTER-ADDR-BY-NAME':
        return [HOST, String(master.port)];
      case 'SENTINEL MASTER':
        return fields(t(command) ?? [], {
          name: d.masterName,
          ip: HOST,
          port: String(master.port),
          runid: master.runId,
          flags: downFlag(master, 'master'),
          'num-slaves': String(replicas.length),
          'num-other-sentinels': String(d.sentinels.length - 1),
          'config-epoch': String(d.epoch),
        });
      case 'SENTINEL REPLICAS':
      case 'SENTINEL SLAVES': {
        const entry = (t(['SENTINEL', 'REPLICAS', d.masterName]) as Captured[] | undefined)?.[0] ?? [];
        return replicas.map((r) =>
          fields(entry, {
            name: `${HOST}:${r.port}`,
            ip: HOST,
            port: String(r.port),
            runid: r.runId,
            flags: downFlag(r, 'slave'),
            'master-link-status': r.server ? 'ok' : 'err',
            'master-host': HOST,
            'master-port': String(master.port),
            'slave-repl-offset': String(Math.max(0, offset - r.lagBytes)),
          }),
        );
      }
      case 'SENTINEL SENTINELS': {
        const entry = (t(command) as Captured[] | undefined)?.[0] ?? [];
        return d.sentinels
          .filter((o) => o !== s)
          .map((o) =>
            fields(entry, {
              name: o.runId,
              ip: HOST,
              port: String(o.port),
              runid: o.runId,
              flags: o.server ? 'sentinel' : 'sentinel,s_down,disconnected',
            }),
          );
      }
      case 'SENTINEL MYID':
        return s.runId;
      case 'SENTINEL CKQUORUM': {
        const usable = d.sentinels.filter((o) => o.server).length;
        return usable >= 2
          ? { status: `OK ${usable} usable Sentinels. Quorum and failover authorization can be reached` }
          : {
              error: `NOQUORUM ${usable} usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover`,
            };
      }
      default:
        if ((command[0] ?? '').toUpperCase() === 'INFO') {
          return info(
            t(command) ?? '',
            { run_id: s.runId, tcp_port: String(s.port), sentinel_masters: '1' },
            /^master\d+$/,
            [
              `master0:name=${d.masterName},status=ok,address=${HOST}:${master.port},slaves=${replicas.length},sentinels=${d.sentinels.length}`,
            ],
          );
        }
        return this.fromTemplate(t(command));
    }
  }

  private nodeReply(d: SimDeployment, s: SimServer, command: string[]): Reply {
    const isMaster = d.nodes[d.master] === s;
    const kind = isMaster ? 'master' : 'replica';
    const master = d.nodes[d.master];
    const replicas = d.nodes.filter((_, k) => k !== d.master);
    const offset = this.offset(d);
    const own = Math.max(0, offset - s.lagBytes);
    const t = (c: string[]) => this.template(kind, d, c);
    const head = (command[0] ?? '').toUpperCase();
    const section = (command[1] ?? '').toLowerCase();
    if (head === 'ROLE') {
      return isMaster
        ? [
            'master',
            offset,
            replicas.map((r) => [HOST, String(r.port), String(Math.max(0, offset - r.lagBytes))]),
          ]
        : ['slave', HOST, master.port, 'connected', own];
    }
    if (head === 'INFO' && section === 'replication') {
      if (isMaster) {
        return info(
          t(command),
          {
            connected_slaves: String(replicas.length),
            master_replid: d.replId,
            master_repl_offset: String(offset),
            repl_backlog_histlen: String(Math.min(offset, 1_048_576)),
          },
          /^slave\d+$/,
          replicas.map(
            (r, k) =>
              `slave${k}:ip=${HOST},port=${r.port},state=online,offset=${Math.max(0, offset - r.lagBytes)},lag=0`,
          ),
        );
      }
      return info(t(command), {
        master_host: HOST,
        master_port: String(master.port),
        master_link_status: 'up',
        slave_read_repl_offset: String(own),
        slave_repl_offset: String(own),
        master_replid: d.replId,
        master_repl_offset: String(own),
      });
    }
    if (head === 'INFO' && section === 'server') {
      const uptime = Math.floor((Date.now() - s.startedAt) / 1000);
      return info(t(command), {
        run_id: s.runId,
        tcp_port: String(s.port),
        uptime_in_seconds: String(uptime),
        uptime_in_days: String(Math.floor(uptime / 86_400)),
      });
    }
    return this.fromTemplate(t(command));
  }
}
