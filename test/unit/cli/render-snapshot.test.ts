import { renderSnapshot, serversLine } from '../../../cli/render-snapshot';
import { releaseGroups } from '../../../lambdas/core/server-version';
import { healthySnapshot, node, sentinelAt } from '../helpers/snapshot-factory';

describe('Function: renderSnapshot', () => {
  it('names each server by flavour and version, Valkey by its own version', () => {
    // Prepare
    const s = healthySnapshot();
    for (const n of s.nodes)
      Object.assign(n.server!, { flavour: 'valkey', version: '8.0.1', redisVersion: '7.2.4' });
    for (const x of s.sentinels) Object.assign(x, { flavour: 'valkey', version: '8.0.1' });

    // Act
    const text = renderSnapshot(s);

    // Assess
    expect(text).toContain('\nServers: valkey 8.0.1\n');
    expect(text).toMatch(/10\.0\.1\.61:6379 +master +ok +valkey 8\.0\.1 /);
    expect(text).toMatch(/10\.0\.1\.61:26379 +ok +valkey 8\.0\.1 +10\.0\.1\.61:6379/);
    expect(text).not.toContain('7.2.4');
  });

  it('shows mixed versions with who runs which (a rolling upgrade)', () => {
    // Prepare
    const s = healthySnapshot();
    node(s, 2).server!.version = '7.2.6';
    sentinelAt(s, 0).version = '7.2.6';

    // Act
    const line = serversLine(releaseGroups(s));

    // Assess
    expect(line).toBe(
      'Servers: MIXED redis 7.0.15 (2 nodes, 2 sentinels), redis 7.2.6 (node 10.0.1.63:6379, sentinel 10.0.1.61:26379)',
    );
    expect(serversLine([])).toBeNull();
  });
});
