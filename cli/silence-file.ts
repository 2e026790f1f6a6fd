// Silences kept in a local JSON file, for `watch` on a bastion or a laptop without the stack's table:
// `silence add` writes it, every `watch` on the machine reads it before each poll. The same records as
// in the table (core/silence.ts), validated the same way on every read.
//
// Writes are read-modify-write under a lock file (created exclusively, stale after 10 s) and replace the
// file with a rename, so two `silence add` at once both land and a reader never sees half a file. Ended
// silences are kept a week for `silence list --all`, then dropped on the next write.

import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SentinelWatchError } from '../lambdas/core/errors';
import { readSilences, type Silence, silenceStatus } from '../lambdas/core/silence';
import type { SilenceStore } from '../lambdas/core/store-ports';

/** `SENTINEL_WATCH_SILENCES`, else `~/.sentinel-watch/silences.json`. */
export const defaultSilenceFile = (env: NodeJS.ProcessEnv): string =>
  env.SENTINEL_WATCH_SILENCES?.trim() || join(homedir(), '.sentinel-watch', 'silences.json');

const KEPT_AFTER_END_MS = 7 * 86_400_000;
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/** The silence file cannot be read, parsed or written. */
export class SilenceFileError extends SentinelWatchError {}

interface FileShape {
  readonly version: 1;
  readonly silences: readonly unknown[];
}

export class FileSilenceStore implements SilenceStore {
  constructor(
    readonly path: string,
    private readonly onInvalid: (count: number) => void = () => undefined,
  ) {}

  async silencesFor(deployment: string, now: number): Promise<Silence[]> {
    return (await this.#read()).filter(
      (s) => s.deployment === deployment && silenceStatus(s, now) !== 'ended',
    );
  }

  async listSilences(
    options: { readonly deployment?: string; readonly includeEnded?: boolean },
    now: number,
  ): Promise<Silence[]> {
    return (await this.#read())
      .filter((s) => !options.deployment || s.deployment === options.deployment)
      .filter((s) => options.includeEnded || silenceStatus(s, now) !== 'ended')
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
  }

  async putSilence(silence: Silence): Promise<void> {
    await this.#update(Date.parse(silence.createdAt), (all) => {
      if (all.some((s) => s.id === silence.id)) {
        throw new SilenceFileError(`${this.path}: a silence ${silence.id} exists already`);
      }
      return { next: [...all, silence], result: undefined };
    });
  }

  async endSilence(id: string, endedBy: string, now: number): Promise<Silence | null> {
    return this.#update(now, (all) => {
      const found = all.find((s) => s.id === id);
      if (!found || silenceStatus(found, now) === 'ended') return { next: all, result: null };
      const ended: Silence = { ...found, endsAt: new Date(now).toISOString(), endedBy };
      return { next: all.map((s) => (s.id === id ? ended : s)), result: ended };
    });
  }

  async #read(): Promise<Silence[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new SilenceFileError(`cannot read ${this.path}: ${(error as NodeJS.ErrnoException).code}`, {
        cause: error,
      });
    }
    let parsed: Partial<FileShape>;
    try {
      parsed = JSON.parse(text) as Partial<FileShape>;
    } catch (error) {
      throw new SilenceFileError(`${this.path} is not valid JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(parsed?.silences)) {
      throw new SilenceFileError(`${this.path}: expected {"version": 1, "silences": [...]}`);
    }
    const { silences, invalid } = readSilences(parsed.silences);
    if (invalid > 0) this.onInvalid(invalid);
    return silences;
  }

  async #update<T>(now: number, change: (all: Silence[]) => { next: Silence[]; result: T }): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true });
    const release = await this.#lock();
    try {
      const { next, result } = change(await this.#read());
      const kept = next.filter((s) => now - Date.parse(s.endsAt) < KEPT_AFTER_END_MS);
      const body: FileShape = { version: 1, silences: kept };
      const temp = `${this.path}.${process.pid}.tmp`;
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
      return result;
    } finally {
      await release();
    }
  }

  async #lock(): Promise<() => Promise<void>> {
    const lock = `${this.path}.lock`;
    const started = Date.now();
    for (;;) {
      try {
        const handle = await open(lock, 'wx');
        await handle.close();
        return () => rm(lock, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new SilenceFileError(`cannot lock ${lock}: ${(error as NodeJS.ErrnoException).code}`);
        }
      }
      // A writer that died leaves its lock: after LOCK_STALE_MS it is taken over.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await rm(lock, { force: true });
      else if (Date.now() - started > LOCK_WAIT_MS) {
        throw new SilenceFileError(`${lock} is held by another sentinel-watch; try again`);
      } else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
