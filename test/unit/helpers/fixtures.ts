// Replies recorded from real servers, shared by the parser tests. redis7/: captured from
// redis-server 7.0.15 (through ioredis for the JSON ones: protocol 2, and protocol 3 with
// replyMapping 'resp3' for the *-resp3.json files); redis5/ and valkey8/: recorded from the real
// 5.0.14 and Valkey 8.0.1 by scripts/record-fixtures.ts (ids and offsets change on refresh:
// compare with the raw reply).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type FixtureVersion = 'redis5' | 'redis7' | 'valkey8';

/** The text of a recorded reply. */
export const fixture = (version: FixtureVersion, name: string): string =>
  readFileSync(join(__dirname, '../../fixtures', version, name), 'utf8');

/** A recorded reply stored as JSON (the value ioredis returned). */
export const fixtureJson = (version: FixtureVersion, name: string): unknown =>
  JSON.parse(fixture(version, name));

/** What `fn` throws, or undefined: for assertions on an error's fields. */
export const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};
