// The shard's side of the handover between consecutive runs (handover.ts has the rules): this run's
// mark once it listens to every deployment, the predecessor it found at its start, and the check,
// near its end, for a successor that listens. Store failures never stop a run: without the mark the
// per-deployment run marks in the state still hand over (at each deployment's next save).

import type { Clock } from '../core/ports';
import type { ShardRunStore } from '../core/store-ports';
import { HANDOVER, isSupersededBy, type ListeningMark, predecessorListening, type RunMark } from './handover';
import { errorText, type PollerLog, type Sleep } from './types';

export interface ShardHandoverOptions {
  /** The shard's key in the store: the bundled config's version and the shard number. */
  readonly shardKey: string;
  /** The schedule period (a minute; tests scale it down). */
  readonly periodMs: number;
  /** How long a run may keep watching past its period (HANDOVER.overlapMs). */
  readonly overlapMs?: number;
  /** How often the shard's mark is read near the end of the period (HANDOVER.checkEveryMs). */
  readonly checkEveryMs?: number;
}

interface Deps {
  readonly runs?: ShardRunStore;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly log: PollerLog;
}

export class ShardHandover {
  /** An earlier run still watches this shard: this run's first clock polls keep to their phases. */
  predecessor = false;
  /** A later run listens to the whole shard: idle deployments stop. */
  handedOver = false;
  readonly checkEveryMs: number;
  /** Resolves with the time this run listened to every deployment (null: no shard handover). */
  readonly listening: Promise<number | null>;

  readonly #deps: Deps;
  readonly #me: RunMark;
  readonly #options: ShardHandoverOptions | null;
  readonly #waiting: Set<string>;
  readonly #onHandedOver = new Set<() => void>();
  readonly #stop = new AbortController();
  #listened: (at: number | null) => void = () => undefined;
  #marking: Promise<void> = Promise.resolve();
  #heartbeat: Promise<void> = Promise.resolve();

  constructor(deps: Deps, me: RunMark, options: ShardHandoverOptions | null, deployments: readonly string[]) {
    this.#deps = deps;
    this.#me = me;
    this.#options = deps.runs ? options : null;
    this.#waiting = new Set(deployments);
    this.checkEveryMs = options?.checkEveryMs ?? HANDOVER.checkEveryMs;
    this.listening = new Promise((resolve) => {
      this.#listened = resolve;
    });
    if (this.#options === null) this.#listened(null);
  }

  /** Reads the shard's mark: is an earlier run still watching? */
  async begin(): Promise<void> {
    const o = this.#options;
    if (o === null || !this.#deps.runs) return;
    const mark = await this.#load('could not read the shard run mark: polling every deployment now');
    this.predecessor = predecessorListening(
      mark ?? null,
      this.#me,
      o.periodMs,
      o.overlapMs ?? HANDOVER.overlapMs,
    );
  }

  /** A deployment's subscription is up (or failed, or there is none): the last one marks the shard. */
  subscribed(deployment: string): void {
    if (!this.#waiting.delete(deployment) || this.#waiting.size > 0) return;
    this.#marking = this.#mark();
  }

  /** Calls `fn` once a later run listens; returns the unregister function. */
  onHandedOver(fn: () => void): () => void {
    this.#onHandedOver.add(fn);
    return () => this.#onHandedOver.delete(fn);
  }

  /** From `checkFromFraction` of the period, reads the mark every checkEveryMs until stop(). */
  async watch(): Promise<void> {
    const o = this.#options;
    if (o === null) return;
    const signal = this.#stop.signal;
    let next = this.#me.startedAt + Math.round(o.periodMs * HANDOVER.checkFromFraction);
    let warned = false;
    while (!signal.aborted) {
      await this.#deps.sleep(next - this.#deps.clock(), signal);
      if (signal.aborted) return;
      const mark = await this.#load(warned ? null : 'could not read the shard run mark');
      if (mark === undefined) warned = true;
      if (mark && isSupersededBy(mark, this.#me)) {
        this.#deps.log.info('the next run listens to the whole shard: idle deployments stop here', {
          successor: mark.owner,
          listeningAt: new Date(mark.listeningAt).toISOString(),
        });
        this.handedOver = true;
        for (const fn of this.#onHandedOver) fn();
        return;
      }
      next = Math.max(this.#deps.clock(), next + this.checkEveryMs);
    }
  }

  stop(): void {
    this.#stop.abort();
    this.#listened(null);
  }

  async #mark(): Promise<void> {
    const o = this.#options;
    const runs = this.#deps.runs;
    if (o === null || !runs) return;
    const listeningAt = this.#deps.clock();
    try {
      await runs.markListening(o.shardKey, { ...this.#me, listeningAt, aliveAt: listeningAt });
    } catch (error) {
      this.#deps.log.warn('could not record that this run listens: the previous run stops per deployment', {
        error: errorText(error),
      });
    }
    this.#listened(listeningAt);
    this.#heartbeat = this.#beat(runs, o.shardKey, listeningAt);
  }

  /** Renews the mark's `aliveAt` until the run ends or a later run listens; failures only skip a beat. */
  async #beat(runs: ShardRunStore, shardKey: string, listeningAt: number): Promise<void> {
    const signal = this.#stop.signal;
    for (;;) {
      await this.#deps.sleep(HANDOVER.heartbeatMs, signal);
      if (signal.aborted || this.handedOver) return;
      const aliveAt = this.#deps.clock();
      // A later run's mark stands (the put is refused): this run is about to stop anyway.
      await runs.markListening(shardKey, { ...this.#me, listeningAt, aliveAt }).catch(() => undefined);
    }
  }

  /** Waits for the mark's write and the heartbeat loop to end (after stop()). */
  async done(): Promise<void> {
    await this.#marking;
    await this.#heartbeat;
  }

  /** The mark; null when there is none; undefined (logged once) when it could not be read. */
  async #load(warning: string | null): Promise<ListeningMark | null | undefined> {
    const o = this.#options;
    if (o === null || !this.#deps.runs) return null;
    try {
      return await this.#deps.runs.loadListening(o.shardKey);
    } catch (error) {
      if (warning) this.#deps.log.warn(warning, { error: errorText(error) });
      return undefined;
    }
  }
}
