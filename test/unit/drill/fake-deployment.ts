// An in-memory Sentinel deployment for the drill's orchestration tests: the ports runDrill uses
// (runBatch, poll, subscribe, writers, clock, sleep) over one shared keyspace, with a virtual clock
// that `sleep` advances. SENTINEL FAILOVER schedules a +switch-master (or an abort) a second later;
// snapshots come from the snapshot factory for whoever is master.

import type { BatchOutcome, BatchTarget, RedisCommand, Reply, RunBatch } from '../../../lambdas/core/batch';
import type { WriteSample } from '../../../lambdas/core/drill';
import { parseSentinelEvent, type SentinelEvent } from '../../../lambdas/core/sentinel-event';
import type { Snapshot } from '../../../lambdas/core/types';
import type { Every } from '../../../lambdas/drill/ports';
import { type DrillDeps, REFRESH_SCRIPT } from '../../../lambdas/drill/run';
import type { ContinuousWriter, WriterFactory } from '../../../lambdas/drill/writers';
import { DATA, healthySnapshot, MASTER_NAME, NOW, SENTINELS } from '../helpers/snapshot-factory';

type Value = string | string[];

const key = (a: { host: string; port: number }) => `${a.host}:${a.port}`;
const ok = (value: unknown): Reply => ({ ok: true, value });
const err = (message: string): Reply => ({ ok: false, error: { message, name: 'ReplyError' } });

export class FakeDeployment {
  t = NOW;
  masterIndex = 0;
  priorities = [100, 100, 100];
  readonly kv = new Map<string, { value: Value; expiresAt: number | null }>();
  readonly sent: { target: string; command: readonly string[] }[] = [];
  /** An error reply to SENTINEL FAILOVER, e.g. `NOGOODSLAVE No suitable replica to promote`. */
  failoverReply: string | null = null;
  /** Publish this abort instead of switching. */
  abortWith: string | null = null;
  /** Thrown by the poll after this many more polls (exception path). */
  pollThrowsAfter: number | null = null;
  /** How long the old master keeps claiming role:master after the switch. */
  conversionMs = 10_000;
  switchDelayMs = 1000;
  writersReady = true;
  switchedAt: number | null = null;
  private previousMaster: number | null = null;
  private pending: { at: number; run: () => void }[] = [];
  private listener: ((e: SentinelEvent) => void) | null = null;
  private failovers = 0;

  readonly now = (): number => this.t;

  readonly sleep = async (ms: number): Promise<void> => {
    this.t += ms;
    const due = this.pending.filter((p) => p.at <= this.t);
    this.pending = this.pending.filter((p) => p.at > this.t);
    for (const p of due) p.run();
  };

  private emit(channel: string, payload: string, sentinel = key(SENTINELS[0])): void {
    this.listener?.(parseSentinelEvent(channel, payload, sentinel, this.t));
  }

  private indexOf(target: BatchTarget): number {
    return DATA.findIndex((a) => key(a) === key(target));
  }

  private get(k: string): Value | null {
    const e = this.kv.get(k);
    if (!e || (e.expiresAt !== null && e.expiresAt <= this.t)) return null;
    return e.value;
  }

  readonly runBatch: RunBatch = async (target, commands) => {
    const replies = commands.map((c) => this.command(target, c));
    return { connected: true, error: null, auth: null, replies, rttMs: 1 } satisfies BatchOutcome;
  };

  private command(target: BatchTarget, command: RedisCommand): Reply {
    this.sent.push({ target: key(target), command });
    const [name, ...args] = command;
    if (name === 'SENTINEL' && args[0] === 'FAILOVER') return this.failover();
    if (name === 'SENTINEL' && args[0] === 'GET-MASTER-ADDR-BY-NAME') {
      const m = DATA[this.masterIndex];
      return ok([m.host, String(m.port)]);
    }
    const node = this.indexOf(target);
    const isMaster = node === this.masterIndex;
    const write = ['SET', 'RPUSH', 'PEXPIRE', 'DEL', 'EVAL'].includes(name);
    if (write && !isMaster) return err("READONLY You can't write against a read only replica.");
    switch (name) {
      case 'SET': {
        const [k, v, ...rest] = args;
        if (rest.includes('NX') && this.get(k) !== null) return ok(null);
        const px = rest.indexOf('PX');
        this.kv.set(k, { value: v, expiresAt: px >= 0 ? this.t + Number(rest[px + 1]) : null });
        return ok('OK');
      }
      case 'GET':
        return ok(this.get(args[0]));
      case 'PTTL': {
        const e = this.kv.get(args[0]);
        return ok(!e ? -2 : e.expiresAt === null ? -1 : e.expiresAt - this.t);
      }
      case 'WAIT':
        return ok(Number(args[0]));
      case 'RPUSH': {
        const list = (this.get(args[0]) as string[] | null) ?? [];
        list.push(...args.slice(1));
        this.kv.set(args[0], { value: list, expiresAt: this.kv.get(args[0])?.expiresAt ?? null });
        return ok(list.length);
      }
      case 'PEXPIRE': {
        const e = this.kv.get(args[0]);
        if (e) e.expiresAt = this.t + Number(args[1]);
        return ok(e ? 1 : 0);
      }
      case 'LRANGE':
        return ok(this.get(args[0]) ?? []);
      case 'DEL':
        return ok(args.filter((k) => this.kv.delete(k)).length);
      case 'EVAL': {
        // The lock's scripts: EVAL script 1 key owner [value ttl]. Ours: the owner, or `<owner>.<...>`.
        const [script, , k, owner, value, ttl] = args;
        const held = this.get(k);
        const ours = typeof held === 'string' && (held === owner || held.startsWith(`${owner}.`));
        if (script === REFRESH_SCRIPT) {
          if (held !== null && !ours) return ok(0);
          this.kv.set(k, { value, expiresAt: this.t + Number(ttl) });
          return ok(1);
        }
        if (!ours) return ok(0);
        this.kv.delete(k);
        return ok(1);
      }
      case 'CONFIG':
        if (args[0] === 'GET') return ok([args[1], String(this.priorities[node])]);
        if (args[0] === 'SET') {
          this.priorities[node] = Number(args[2]);
          return ok('OK');
        }
        return ok('OK');
      default:
        return err(`ERR unknown command '${name}'`);
    }
  }

  private failover(): Reply {
    if (this.failoverReply) return err(this.failoverReply);
    this.failovers += 1;
    const from = this.masterIndex;
    const candidates = [0, 1, 2].filter((i) => i !== from && this.priorities[i] > 0);
    const preferred = candidates.find((i) => this.priorities[i] === 1);
    const to = preferred ?? candidates.find((i) => i === (from + 1) % 3) ?? candidates[0];
    this.emit('+try-failover', `master ${MASTER_NAME} ${DATA[from].host} ${DATA[from].port}`);
    this.pending.push({
      at: this.t + this.switchDelayMs,
      run: () => {
        if (this.abortWith) {
          this.emit(this.abortWith, `master ${MASTER_NAME} ${DATA[from].host} ${DATA[from].port}`);
          return;
        }
        this.previousMaster = from;
        this.masterIndex = to;
        this.switchedAt = this.t;
        this.emit(
          '+switch-master',
          `${MASTER_NAME} ${DATA[from].host} ${DATA[from].port} ${DATA[to].host} ${DATA[to].port}`,
        );
      },
    });
    return ok('OK');
  }

  /** The deployment as a poll would see it now. */
  snapshot(): Snapshot {
    const s = healthySnapshot({ masterIndex: this.masterIndex, at: this.t, configEpoch: 1 + this.failovers });
    // The old master claims role:master until Sentinel converts it.
    const old = this.previousMaster;
    if (old !== null && this.switchedAt !== null && this.t - this.switchedAt < this.conversionMs) {
      const n = s.nodes.find((x) => key(x) === key(DATA[old]))!;
      n.role = 'master';
      n.replication!.role = 'master';
      n.replication!.masterHost = null;
    }
    for (const sentinel of s.sentinels) {
      for (const r of sentinel.replicas)
        r.replicaPriority = this.priorities[DATA.findIndex((a) => key(a) === key(r))];
    }
    for (const n of s.nodes)
      if (n.replication)
        n.replication.replicaPriority = this.priorities[DATA.findIndex((a) => key(a) === key(n))];
    return s as Snapshot;
  }

  poll = async (): Promise<Snapshot> => {
    if (this.pollThrowsAfter !== null) {
      if (this.pollThrowsAfter === 0) {
        this.pollThrowsAfter = null;
        throw new Error('simulated poll failure');
      }
      this.pollThrowsAfter -= 1;
    }
    return this.snapshot();
  };

  readonly subscribe: DrillDeps['subscribe'] = async (options) => {
    this.listener = options.onEvent;
    return {
      subscribed: () => 3,
      close: async () => {
        this.listener = null;
      },
    };
  };

  /**
   * Writers that record one write per 10 ms of virtual time when stopped: the sentinel-aware one has
   * 3 failed writes right after the switch; the plain one has its writes after the switch acknowledged
   * (by the old master) but missing from the new master's list.
   */
  readonly writers: WriterFactory = {
    sentinelAware: (spec) => this.writer(spec.key, spec.now(), 'client'),
    plain: (spec) => this.writer(spec.key, spec.now(), 'plain'),
  };

  stoppedWriters = 0;

  private writer(listKey: string, startedAt: number, kind: 'client' | 'plain'): ContinuousWriter {
    let result: WriteSample[] | null = null;
    return {
      waitForFirstAck: async () => this.writersReady,
      stop: async () => {
        if (result) return result;
        this.stoppedWriters += 1;
        result = [];
        const switchAt = this.switchedAt ?? Number.POSITIVE_INFINITY;
        let failedAfterSwitch = 0;
        for (let t = startedAt, seq = 1; t < this.t; t += 10, seq++) {
          const afterSwitch = t >= switchAt;
          if (kind === 'client' && afterSwitch && failedAfterSwitch < 3) {
            failedAfterSwitch += 1;
            result.push({ seq, startedAt: t, endedAt: t + 1, ok: false, error: 'Connection is closed.' });
            continue;
          }
          if (kind === 'plain' && t >= switchAt + 5000) {
            result.push({
              seq,
              startedAt: t,
              endedAt: t + 1,
              ok: false,
              error: "READONLY You can't write against a read only replica.",
            });
            continue;
          }
          result.push({ seq, startedAt: t, endedAt: t + 1, ok: true });
          const lost = kind === 'plain' && afterSwitch;
          const e = this.kv.get(listKey);
          if (!lost && e && Array.isArray(e.value)) e.value.push(String(seq));
        }
        return result;
      },
    };
  }

  /** The drill's heartbeat timer on the virtual clock: beats when `sleep` passes each due time. */
  readonly every: Every = (ms, beat) => {
    let stopped = false;
    const schedule = (at: number) =>
      this.pending.push({
        at,
        run: () => {
          if (stopped) return;
          void beat();
          schedule(at + ms);
        },
      });
    schedule(this.t + ms);
    return async () => {
      stopped = true;
    };
  };

  deps(): Omit<DrillDeps, 'lock'> {
    return {
      every: this.every,
      runBatch: this.runBatch,
      poll: this.poll,
      subscribe: this.subscribe,
      writers: this.writers,
      now: this.now,
      sleep: this.sleep,
      newId: () => 'drill-test-1',
    };
  }

  /** Commands sent, as `target COMMAND ARG...` strings (for assertions). */
  log(): string[] {
    return this.sent.map((s) => `${s.target} ${s.command.join(' ')}`);
  }
}
