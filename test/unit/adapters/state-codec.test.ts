import { createHash } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import {
  decodeState,
  encodeState,
  MAX_STATE_JSON_BYTES,
  STATE_ENCODING,
  StateCodecError,
} from '../../../lambdas/adapters/state-codec';
import { STATE_DICTIONARY } from '../../../lambdas/adapters/state-dictionary';
import { SentinelWatchError } from '../../../lambdas/core/errors';
import { eventfulPollerState, healthyPollerState } from '../helpers/poller-states';

const dictionary = Buffer.from(STATE_DICTIONARY);
const flipLastBit = (blob: Uint8Array): Buffer => {
  const b = Buffer.from(blob);
  b[b.length - 1] ^= 1;
  return b;
};
const problem = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

describe('Module: state-codec', () => {
  describe('Function: encodeState', () => {
    it('gives a binary attribute and its encoding marker, a fraction of the JSON', async () => {
      // Prepare
      const state = await healthyPollerState();

      // Act
      const encoded = encodeState(state);

      // Assess
      expect(Object.keys(encoded).sort()).toEqual(['encoding', 'stateZ']);
      expect(encoded.encoding).toBe(STATE_ENCODING);
      expect(encoded.stateZ).toBeInstanceOf(Uint8Array);
      expect(encoded.stateZ.length).toBeLessThan(Buffer.byteLength(JSON.stringify(state)) / 5);
    });

    it('drops undefined fields, as the map form did', () => {
      // Act
      const back = decodeState(encodeState({ a: 1, b: undefined, c: [undefined] }));

      // Assess
      expect(back).toEqual({ a: 1, c: [null] });
    });

    it('refuses a state larger than a load would inflate, naming its size only', () => {
      // Act
      const error = problem(() =>
        encodeState({ host: 'db-secret-host', pad: 'x'.repeat(MAX_STATE_JSON_BYTES) }),
      );

      // Assess
      expect(error).toBeInstanceOf(StateCodecError);
      expect(error).toBeInstanceOf(SentinelWatchError);
      expect((error as Error).message).toMatch(
        /^the state is \d{7} bytes of JSON, more than 1048576 that a load inflates$/,
      );
      expect((error as Error).message).not.toContain('db-secret-host');
    });
  });

  describe('Function: decodeState', () => {
    it.each([
      ['healthy', healthyPollerState],
      ['eventful', eventfulPollerState],
    ])('round-trips a %s poller state exactly', async (_label, build) => {
      // Prepare
      const state = await build();

      // Act / Assess
      expect(decodeState(encodeState(state))).toEqual(state);
    });

    it('reads the earlier map form (`state`), and an item with neither form as no state', () => {
      // Act / Assess
      expect(decodeState({ version: 3, state: { outbox: [] } })).toEqual({ outbox: [] });
      expect(decodeState({ version: 3 })).toBeUndefined();
    });

    it.each([
      [
        'a damaged blob',
        { encoding: STATE_ENCODING, stateZ: Buffer.from('db-secret-host') },
        'the stored state (attribute stateZ) cannot be inflated (Z_DATA_ERROR)',
      ],
      [
        'a blob compressed with another dictionary',
        {
          encoding: STATE_ENCODING,
          stateZ: deflateSync(Buffer.from('{"db":"db-secret-host"}'), { dictionary: Buffer.from('{"db":') }),
        },
        'the stored state (attribute stateZ) cannot be inflated (Z_NEED_DICT)',
      ],
      [
        'a blob with one bit flipped (its Adler-32 check fails)',
        { encoding: STATE_ENCODING, stateZ: flipLastBit(encodeState({ db: 'db-secret-host' }).stateZ) },
        'the stored state (attribute stateZ) cannot be inflated (Z_DATA_ERROR)',
      ],
      [
        'a truncated blob',
        { encoding: STATE_ENCODING, stateZ: encodeState({ db: 'db-secret-host' }).stateZ.subarray(0, 10) },
        'the stored state (attribute stateZ) cannot be inflated (Z_BUF_ERROR)',
      ],
      [
        'a gzip blob',
        { encoding: STATE_ENCODING, stateZ: gzipSync(Buffer.from('{"db":"db-secret-host"}')) },
        'the stored state (attribute stateZ) cannot be inflated (Z_DATA_ERROR)',
      ],
      [
        'a blob that is not JSON',
        { encoding: STATE_ENCODING, stateZ: deflateSync(Buffer.from('db-secret-host'), { dictionary }) },
        'the stored state (attribute stateZ) is not valid JSON',
      ],
      [
        'a blob that would inflate past 1 MiB',
        {
          encoding: STATE_ENCODING,
          stateZ: deflateSync(Buffer.from(`"${'x'.repeat(4 * 1024 * 1024)}"`), { dictionary }),
        },
        'the stored state (attribute stateZ) inflates to more than 1048576 bytes',
      ],
      [
        'a missing blob',
        { encoding: STATE_ENCODING },
        'the stored state (attribute stateZ) is missing or not binary',
      ],
      [
        'a string where the blob should be',
        { encoding: STATE_ENCODING, stateZ: 'db-secret-host' },
        'the stored state (attribute stateZ) is missing or not binary',
      ],
      [
        'an encoding this version does not know',
        { encoding: 'zstd-json-d9', stateZ: Buffer.from('x') },
        'the stored state has encoding "zstd-json-d9", which this version cannot read',
      ],
    ])('names the attribute and the problem, never the contents: %s', (_label, item, message) => {
      // Act
      const error = problem(() => decodeState(item));

      // Assess
      expect(error).toBeInstanceOf(StateCodecError);
      expect((error as Error).message).toBe(message);
    });

    it('cuts an unknown encoding marker short in the message', () => {
      // Act
      const error = problem(() => decodeState({ encoding: 'z'.repeat(500), stateZ: Buffer.from('x') }));

      // Assess
      expect((error as Error).message.length).toBeLessThan(150);
    });
  });

  describe('Constant: STATE_DICTIONARY', () => {
    it('never changes: stored items need these exact bytes to inflate (a new one needs a new encoding)', () => {
      // Act / Assess
      expect(STATE_ENCODING).toBe('zlib-json-d1');
      expect(createHash('sha256').update(dictionary).digest('hex')).toBe(
        '06d9637cc5c5dcbe8d9975f3121d382d6251a86cc366285c106bde41f7119e78',
      );
    });
  });
});
