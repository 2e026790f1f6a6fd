// Virtual time for code that sleeps in several places at once (a poller run: one loop per deployment
// plus the shard handover's check). Sleeps wait in a timer list; `run` lets every ready promise
// settle, then moves the clock to the earliest timer and fires it, until the awaited work is done.
// A sleep whose signal aborts resolves at once, as the real sleep does.

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class VirtualTime {
  now: number;
  #timers: Timer[] = [];
  #seq = 0;

  constructor(start: number) {
    this.now = start;
  }

  readonly clock = (): number => this.now;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || signal?.aborted) {
        resolve();
        return;
      }
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        resolve();
      };
      const timer: Timer = {
        at: this.now + ms,
        seq: this.#seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /** Runs `fn` at `at` (epoch ms) on the virtual clock. */
  at(at: number, fn: () => void): void {
    this.#timers.push({ at, seq: this.#seq++, fire: fn });
  }

  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const settled = work.finally(() => {
      done = true;
    });
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (done) return settled;
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift();
      if (!next) throw new Error('virtual time: the work waits on something that is not a timer');
      this.now = Math.max(this.now, next.at);
      next.fire();
    }
  }
}
