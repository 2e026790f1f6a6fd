// A server refuses the cached password: the poller reads the secret again before it judges the poll
// (fresh-credentials.ts). A rotated password costs no AUTH_FAILED page; a wrong one still pages.

import { parseWatchConfig } from '../../../lambdas/core/config';
import type { AlertMessage } from '../../../lambdas/core/ports';
import type { Snapshot } from '../../../lambdas/core/types';
import { type PollerDeps, runPoller } from '../../../lambdas/poller/run';
import { MemoryStore } from '../helpers/memory-store';
import { healthySnapshot, NOW } from '../helpers/snapshot-factory';
import { fail } from '../helpers/snapshot-faults';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redis-AbCdEf';

const config = (passwordFrom: 'secret' | 'env') =>
  parseWatchConfig({
    deployments: [
      {
        name: 'prod-cache',
        masterName: 'mymaster',
        sentinels: ['10.0.1.61:26379', '10.0.1.62:26379', '10.0.1.63:26379'],
        ...(passwordFrom === 'secret' ? { passwordSecretArn: SECRET } : { passwordEnv: 'REDIS_PASSWORD' }),
      },
    ],
  });

/** The servers' password is `serverPassword`; the secret reads `cached` unless asked for a fresh value. */
function world(serverPassword: string, cached: string, inSecret: string) {
  const probed: (string | undefined)[] = [];
  const reads: boolean[] = [];
  const published: AlertMessage[] = [];
  const deps: PollerDeps = {
    probe: async (_d, credentials) => {
      probed.push(credentials.password);
      const s = healthySnapshot({ at: NOW });
      if (credentials.password !== serverPassword) for (const n of s.nodes) fail(n, 'auth-rejected');
      return s as Snapshot;
    },
    store: new MemoryStore(),
    publisher: { publish: async (m) => void published.push(m) },
    secrets: {
      getSecret: async (_arn, options) => {
        reads.push(options?.fresh === true);
        return options?.fresh ? inSecret : cached;
      },
    },
    clock: () => NOW,
    sleep: async () => undefined,
    env: { REDIS_PASSWORD: cached },
  };
  return { deps, probed, reads, published };
}

const options = { owner: 'inv-1', remainingMs: () => 60_000 };

describe('Function: runPoller, a refused cached password', () => {
  it('reads the secret again and polls with the rotated password: no AUTH_FAILED page', async () => {
    // Prepare: the password was rotated; the cache still holds the old one
    const w = world('rotated', 'old', 'rotated');

    // Act
    const summary = await runPoller(config('secret'), w.deps, options);

    // Assess
    expect(w.probed).toEqual(['old', 'rotated']);
    expect(w.reads).toEqual([false, true]);
    expect(w.published).toEqual([]);
    expect(summary.deployments[0]).toMatchObject({ polls: 1, stopped: 'done' });
  });

  it('pages AUTH_FAILED from the first poll when the secret itself holds a wrong password', async () => {
    // Prepare
    const w = world('right', 'wrong', 'wrong');

    // Act
    await runPoller(config('secret'), w.deps, options);

    // Assess: one fresh read, no second probe, the page
    expect(w.probed).toEqual(['wrong']);
    expect(w.reads).toEqual([false, true]);
    expect(w.published.map((m) => m.attributes.code)).toEqual(['AUTH_FAILED']);
  });

  it('does not read anything again for a password from the environment (local runs)', async () => {
    // Prepare
    const w = world('right', 'wrong', 'right');

    // Act
    await runPoller(config('env'), w.deps, options);

    // Assess
    expect(w.probed).toEqual(['wrong']);
    expect(w.reads).toEqual([]);
    expect(w.published.map((m) => m.attributes.code)).toEqual(['AUTH_FAILED']);
  });
});
