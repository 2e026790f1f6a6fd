// state.json: what `up` started (binary, options, PIDs), so `down`, `status` and the fault helpers of a
// later process find exactly those processes again.

import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { TopologyError } from '../../lambdas/core/errors';
import type { ServerRelease } from '../../lambdas/core/server-version';
import { type ProcessRecord, type ResolvedTopologyOptions, stateFilePath } from './topology-options';
import { errorText } from './wait';

export interface StateFile {
  readonly version: 1;
  readonly redisServer: string;
  /** Flavour and version of `redisServer` (absent in state files written before it was recorded). */
  readonly server?: ServerRelease;
  /** The sentinels' binary, when not `redisServer`. */
  readonly sentinelServer?: string;
  readonly options: ResolvedTopologyOptions;
  readonly processes: readonly ProcessRecord[];
}

export async function readState(dir: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(stateFilePath(dir), 'utf8');
  } catch {
    throw new TopologyError(
      `no local topology in ${dir} (no state.json): start one with sentinel-watch local up`,
    );
  }
  let state: StateFile;
  try {
    state = JSON.parse(text) as StateFile;
  } catch (err) {
    throw new TopologyError(`${stateFilePath(dir)} is not valid JSON: ${errorText(err)}`);
  }
  if (state.version !== 1 || !Array.isArray(state.processes) || typeof state.options !== 'object') {
    throw new TopologyError(`${stateFilePath(dir)} is not a sentinel-watch local state file`);
  }
  return state;
}

/** state.json holds the local demo password: mode 0600, written atomically. */
export async function writeState(state: StateFile): Promise<void> {
  const file = stateFilePath(state.options.dir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
