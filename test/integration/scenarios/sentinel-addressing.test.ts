// Scenarios: sentinels that reach the watcher but not each other: a wrong announce address, and
// sentinel-to-sentinel credentials that do not match. The sentinels require a password here (the
// `requirepass` + `sentinel sentinel-pass` setup of Redis 6.2+).

import { readFile, writeFile } from 'node:fs/promises';
import { hasFinding, healthy, lastFindings, pollUntil, type Scenario, summary, useTopology } from './harness';

const scenario = useTopology('it-sentinel-addressing', {
  basePort: 7750,
  sentinelPassword: 'sentinels-secret',
});

afterEach(async () => {
  await healthy(scenario());
}, 90_000);

/** Rewrites one line of a sentinel's config file (announce-ip and sentinel-pass are config settings). */
async function withSentinelConfig(
  s: Scenario,
  port: number,
  edit: (text: string) => string,
): Promise<() => Promise<void>> {
  const record = s.topo.processes.find((p) => p.port === port)!;
  const original = await readFile(record.config, 'utf8');
  await writeFile(record.config, edit(original));
  await s.topo.restart(port);
  return async () => {
    // Sentinel rewrote the file meanwhile; undo only our line.
    const now = await readFile(record.config, 'utf8');
    await writeFile(record.config, undoEdit(now, original));
    await s.topo.restart(port);
  };
}

/** The current file with our changed lines put back as they were in `original`. */
function undoEdit(now: string, original: string): string {
  const keep = (line: string) => !/^sentinel (announce-ip|sentinel-pass) /.test(line);
  const ours = original.split('\n').filter((l) => !keep(l));
  return [...now.split('\n').filter(keep), ...ours].join('\n');
}

describe('Scenario family: sentinels that cannot use each other', () => {
  it('a sentinel announcing a wrong address: "announces a wrong address", not a dead sentinel to SENTINEL RESET', async () => {
    // Prepare
    const s = scenario();
    const port = s.topo.sentinelPorts[2];

    // Act: it announces 127.0.0.2, where it does not listen (it binds 127.0.0.1)
    const undo = await withSentinelConfig(s, port, (t) => `${t}\nsentinel announce-ip 127.0.0.2\n`);
    try {
      const steps = await pollUntil(s.watcher(), hasFinding('CONFIG_RISK'), 30_000, 1000);

      // Assess: the watcher lists one sentinel, so it only knows the announced address: its peers
      // still hear the sentinel's hello messages there while their PINGs fail
      const found = lastFindings(steps);
      expect(summary(found)).toEqual([`CONFIG_RISK warning sentinel 127.0.0.2:${port}`]);
      expect(found[0].message).toContain('a live sentinel (run id');
      expect(found[0].message).toContain(`announces itself as 127.0.0.2:${port}, where nothing answers`);
      expect(found[0].message).toContain('Not a dead sentinel');
      expect(found.filter((f) => f.code === 'SENTINEL_UNREACHABLE')).toEqual([]);

      // And a watcher configured with every sentinel names the real one
      const all = await pollUntil(
        s.watcher({ sentinels: s.topo.sentinelAddresses }),
        hasFinding('CONFIG_RISK'),
        10_000,
      );
      expect(summary(lastFindings(all))).toEqual([`CONFIG_RISK warning sentinel 127.0.0.1:${port}`]);
      expect(lastFindings(all)[0].message).toContain(`it announces itself as 127.0.0.2:${port}`);
    } finally {
      await undo();
    }
  }, 90_000);

  it("a sentinel whose sentinel-pass does not match its peers' password: named as unable to authenticate to them", async () => {
    // Prepare
    const s = scenario();
    const port = s.topo.sentinelPorts[1];

    // Act
    const undo = await withSentinelConfig(s, port, (t) =>
      t.replace(/^sentinel sentinel-pass .*$/m, 'sentinel sentinel-pass "not-the-peers-password"'),
    );
    try {
      const steps = await pollUntil(s.watcher(), hasFinding('SENTINEL_SEES_DOWN'), 30_000, 1000);

      // Assess
      const found = lastFindings(steps).find((f) => f.code === 'SENTINEL_SEES_DOWN')!;
      expect(found.message).toContain(`Sentinel 127.0.0.1:${port}`);
      expect(found.message).toContain('cannot authenticate to its peers');
      expect(found.message).toContain('sentinel-pass');
      expect(found.details?.spots).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            sentinel: `127.0.0.1:${port}`,
            kind: 'sentinel',
            cause: 'sentinel-auth',
          }),
        ]),
      );
      expect(JSON.stringify(steps)).not.toContain('not-the-peers-password');
      expect(JSON.stringify(steps)).not.toContain('sentinels-secret');
    } finally {
      await undo();
    }
  }, 90_000);
});
