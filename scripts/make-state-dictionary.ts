#!/usr/bin/env -S npx tsx
// Prints a module with a preset dictionary for the STATE item's compression (state-codec.ts): the JSON
// of a realistic poller state (healthy polls, a failover, a replica down: every part of the state
// filled), as the poller saves it. zlib looks for repeats of it while compressing, so a state's field
// names and usual values cost a few bytes instead of being spelled out once per item.
//
// A dictionary is FROZEN once released: stored items need its exact bytes to inflate. This script is
// how lambdas/adapters/state-dictionary.ts (STATE_DICTIONARY, encoding `zlib-json-d1`) was made; a
// better one becomes a new constant with a new encoding marker beside it, never an edit of the old.
//
//   npx tsx scripts/make-state-dictionary.ts > /tmp/state-dictionary.ts

import { eventfulPollerState } from '../test/unit/helpers/poller-states';

const WIDTH = 96;

async function main(): Promise<void> {
  const json = JSON.stringify(await eventfulPollerState());
  const lines: string[] = [];
  const quoted = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  for (let i = 0; i < json.length; i += WIDTH) lines.push(`  ${quoted(json.slice(i, i + WIDTH))},`);
  process.stdout.write(
    [
      '// The preset dictionary of the STATE item encoding `zlib-json-d1` (state-codec.ts): made by',
      '// scripts/make-state-dictionary.ts. FROZEN: every item stored with this encoding needs these exact',
      '// bytes to inflate (a unit test pins their hash). A better dictionary is a new constant with a new',
      '// encoding marker beside this one.',
      '',
      'export const STATE_DICTIONARY = [',
      ...lines,
      "].join('');",
      '',
    ].join('\n'),
  );
}

void main();
