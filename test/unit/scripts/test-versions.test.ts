import { existsSync } from 'node:fs';
import path from 'node:path';
import { expandSuite } from '../../../scripts/test-versions';
import { estimateSeconds, MIXED_SUITES, VERSION_MATRIX } from '../../version-matrix';

const INTEGRATION = path.join(__dirname, '..', '..', 'integration');

describe('the version matrix (test/version-matrix.ts)', () => {
  it('names only suites that exist, so a typo cannot drop one silently', () => {
    for (const entry of VERSION_MATRIX) {
      for (const suite of entry.suites) {
        const files = expandSuite(suite, INTEGRATION);
        expect({ suite, found: files.length > 0 }).toEqual({ suite, found: true });
        for (const f of files) expect(f).toMatch(/\.test\.ts$/);
      }
    }
    for (const f of MIXED_SUITES)
      expect(existsSync(path.join(__dirname, '..', '..', 'versions', f))).toBe(true);
  });

  it("runs the foundation suites first on every build, and every build's core before any slow suite", () => {
    const firsts = new Map<string, number>();
    VERSION_MATRIX.forEach((e, i) => {
      if (!firsts.has(e.server)) firsts.set(e.server, i);
    });
    for (const i of firsts.values()) {
      expect(VERSION_MATRIX[i].suites).toEqual(
        expect.arrayContaining(['local-topology.test.ts', 'server-capabilities.test.ts']),
      );
    }
    // The cores are the first entries: CI's deadline leaves out the tail, never a version's core.
    expect([...firsts.values()]).toEqual([0, 1, 2, 3]);
  });
});

describe('Function: expandSuite', () => {
  it('expands * within one path segment, files only', () => {
    expect(expandSuite('scenarios/q*.test.ts', INTEGRATION)).toEqual(['scenarios/quorum.test.ts']);
    expect(expandSuite('*.test.ts', INTEGRATION)).toContain('probe.test.ts');
    expect(expandSuite('*.test.ts', INTEGRATION)).not.toContain('scenarios');
    expect(expandSuite('no-such.test.ts', INTEGRATION)).toEqual([]);
  });
});

describe('Function: estimateSeconds', () => {
  it('adds the measured suites, the default for the others, the start, and a build when not cached', () => {
    expect(estimateSeconds(['drill.test.ts', 'probe.test.ts'], true)).toBe(10 + 90 + 20);
    expect(estimateSeconds(['drill.test.ts'], false)).toBe(10 + 75 + 90);
  });

  it('estimates the whole matrix, builds included, at 20 minutes at most (measured: ~10 min + ~4 min of builds)', () => {
    // Each server is built once, for its first entry.
    const built = new Set<string>();
    const total = VERSION_MATRIX.reduce((n, e) => {
      const files = [...new Set(e.suites.flatMap((s) => expandSuite(s, INTEGRATION)))];
      const seconds = estimateSeconds(files, built.has(e.server));
      built.add(e.server);
      return n + seconds;
    }, 0);
    expect(total).toBeLessThanOrEqual(20 * 60);
  });
});
