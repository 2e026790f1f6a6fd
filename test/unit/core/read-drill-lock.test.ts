import type { Reply } from '../../../lambdas/core/batch';
import { nodeCommands, readNode } from '../../../lambdas/core/read-server';

const ok = (value: unknown): Reply => ({ ok: true, value });
const commands = nodeCommands('prod-cache');
/** readNode with every reply an empty answer but the drill lock's GET and PTTL. */
const read = (value: unknown, pttl: unknown) =>
  readNode(
    { host: '10.0.1.61', port: 6379 },
    ['config'],
    {
      connected: true,
      error: null,
      auth: null,
      replies: commands.map((_, i) => (i === 3 ? ok(value) : i === 4 ? ok(pttl) : ok(null))),
      rttMs: 1,
    },
    commands,
    [],
  ).drillLock;

describe('Function: readNode (drill lock)', () => {
  it('keeps a key without expiry as PTTL -1: a drill always sets one, so detection can tell', () => {
    expect(read('drill-1.payload.sig', -1)).toEqual({ owner: 'drill-1.payload.sig', ttlMs: -1 });
    expect(read('drill-1.payload.sig', 14_000)).toEqual({ owner: 'drill-1.payload.sig', ttlMs: 14_000 });
  });

  it('keeps a signed lock whole (about 400 bytes) but not an unbounded value', () => {
    expect(read('x'.repeat(600), 1000)?.owner).toHaveLength(600);
    expect(read('x'.repeat(5000), 1000)?.owner).toHaveLength(1024);
    expect(read(null, -2)).toBeNull();
  });
});
