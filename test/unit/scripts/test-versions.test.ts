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

  it('runs the foundation suites on every build', () => {
    for (const entry of VERSION_MATRIX) {
      expect(entry.suites).toEqual(
        expect.arrayContaining(['local-topology.test.ts', 'server-capabilities.test.ts']),
      );
    }
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

  it('estimates the whole matrix, builds included, under 20 minutes (measured: ~10 min + ~4 min of builds)', () => {
    const total = VERSION_MATRIX.reduce(
      (n, e) =>
        n + estimateSeconds([...new Set(e.suites.flatMap((s) => expandSuite(s, INTEGRATION)))], false),
      0,
    );
    expect(total).toBeLessThan(20 * 60);
  });
});
