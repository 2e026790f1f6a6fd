// How the STATE item holds the poller's state. The poller writes it on every poll of every
// deployment, and DynamoDB bills a write unit per KB started (a strongly consistent read per 4 KB):
// as a DynamoDB map, a healthy 1 master + 2 replicas + 3 sentinels state is 6.7 KB (7 units), most of
// it the field names and repeated values of the previous snapshot. As JSON compressed by zlib with a
// preset dictionary (a typical state, state-dictionary.ts: its field names and usual values cost a
// few bytes each) it is under 1 KB (1 unit). Measured by `npx tsx bench/state-item.ts`.
//
// The item forms loadState reads:
//   encoding `zlib-json-d1`, binary `stateZ`   zlib (RFC 1950: its Adler-32 check catches a damaged
//                                              blob) of the JSON, preset dictionary STATE_DICTIONARY
//   no encoding, map `state`                   written by versions before this one; the next save
//                                              rewrites it compressed
// A blob is inflated to MAX_STATE_JSON_BYTES at most: a damaged or hostile item costs 1 MiB, never
// more, and becomes a StateCodecError naming the attribute and the problem, never the contents.

import { deflateSync, inflateSync } from 'node:zlib';
import { SentinelWatchError } from '../core/errors';
import { cut } from '../core/server-bounds';
import { STATE_DICTIONARY } from './state-dictionary';

/** The encoding marker of items this version writes; a new format or dictionary gets a new one. */
export const STATE_ENCODING = 'zlib-json-d1';
/**
 * The most JSON a stored state may inflate to. Five times state-budget.ts's 200 KB (the poller fits
 * every state under that), so no state the poller saves comes near it.
 */
export const MAX_STATE_JSON_BYTES = 1024 * 1024;

const COMPRESSED = 'stateZ';
const DICTIONARY = Buffer.from(STATE_DICTIONARY);

/** A state that cannot be stored, or a stored one that cannot be read. */
export class StateCodecError extends SentinelWatchError {}

/** The attributes that hold the state in the STATE item. */
export type EncodedState = { readonly stateZ: Uint8Array; readonly encoding: string };

/** Plain JSON, as the map form stored it (undefined fields dropped), compressed. */
export function encodeState(state: unknown): EncodedState {
  const json = Buffer.from(JSON.stringify(state) ?? 'null');
  if (json.length > MAX_STATE_JSON_BYTES) {
    // It could be written, but never read back.
    throw new StateCodecError(
      `the state is ${json.length} bytes of JSON, more than ${MAX_STATE_JSON_BYTES} that a load inflates`,
    );
  }
  return { stateZ: deflateSync(json, { dictionary: DICTIONARY }), encoding: STATE_ENCODING };
}

/** The state in a STATE item, of either form; undefined when the item holds none. */
export function decodeState(item: Readonly<Record<string, unknown>>): unknown {
  const encoding = item.encoding;
  if (encoding === undefined) return item.state;
  if (encoding !== STATE_ENCODING) {
    throw new StateCodecError(
      `the stored state has encoding "${cut(String(encoding), 40)}", which this version cannot read`,
    );
  }
  const blob = item[COMPRESSED];
  const what = `the stored state (attribute ${COMPRESSED})`;
  if (!(blob instanceof Uint8Array)) throw new StateCodecError(`${what} is missing or not binary`);
  let json: Buffer;
  try {
    json = inflateSync(blob, { dictionary: DICTIONARY, maxOutputLength: MAX_STATE_JSON_BYTES });
  } catch (error) {
    // zlib's codes and messages are fixed texts: safe to keep as the cause.
    const code = String((error as { code?: unknown }).code ?? (error as Error).name);
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new StateCodecError(`${what} inflates to more than ${MAX_STATE_JSON_BYTES} bytes`, {
        cause: error,
      });
    }
    throw new StateCodecError(`${what} cannot be inflated (${code})`, { cause: error });
  }
  try {
    return JSON.parse(json.toString('utf8'));
  } catch {
    // No cause: V8's message quotes the text.
    throw new StateCodecError(`${what} is not valid JSON`);
  }
}
