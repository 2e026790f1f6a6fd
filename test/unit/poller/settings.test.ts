// Where the poller finds its deployments: the fleet config file bundled with its code (what the stack
// deploys), or SENTINEL_WATCH_CONFIG (local runs). Errors name the variable and the field inside.

import { fleetConfigDocument } from '../../../lambdas/core/fleet-config';
import { loadPollerSettings } from '../../../lambdas/poller/settings';
import { configErrorOf } from '../../support/config-error';

const BASE = {
  SNAPSHOT_TABLE_NAME: 'sw-table',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:sw-alerts',
};
const WATCH = { deployments: [{ name: 'a', masterName: 'm', sentinels: ['10.0.0.1:26379'] }] };
const files = (content: Record<string, string>) => (path: string) => {
  if (!(path in content)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return content[path];
};

const errorOf = (env: Record<string, string>, read = files({})) =>
  configErrorOf(() => loadPollerSettings(env, read)).message;

describe('Function: loadPollerSettings', () => {
  it('reads the bundled file, relative to the function code directory', () => {
    // Act
    const settings = loadPollerSettings(
      { ...BASE, SENTINEL_WATCH_CONFIG_FILE: 'sentinel-watch-config.json', LAMBDA_TASK_ROOT: '/var/task' },
      files({ '/var/task/sentinel-watch-config.json': JSON.stringify(fleetConfigDocument(WATCH, 1, ['a'])) }),
    );

    // Assess
    expect(settings.fleet).toMatchObject({ shards: 1, detailedMetrics: ['a'] });
    expect(settings.config.deployments[0].name).toBe('a');
    expect(settings.configVersion).toMatch(/^[0-9a-f]{12}$/);
  });

  it('prefers the file over SENTINEL_WATCH_CONFIG', () => {
    const settings = loadPollerSettings(
      { ...BASE, SENTINEL_WATCH_CONFIG_FILE: '/c.json', SENTINEL_WATCH_CONFIG: '{' },
      files({ '/c.json': JSON.stringify(fleetConfigDocument(WATCH, 1, [])) }),
    );
    expect(settings.fleet.shards).toBe(1);
  });

  it('takes SENTINEL_WATCH_CONFIG as one shard without detailed metrics', () => {
    const settings = loadPollerSettings({ ...BASE, SENTINEL_WATCH_CONFIG: JSON.stringify(WATCH) });
    expect(settings.fleet).toMatchObject({ shards: 1, detailedMetrics: [] });
  });

  it('names the variable and the path when the file is missing', () => {
    expect(errorOf({ ...BASE, SENTINEL_WATCH_CONFIG_FILE: '/nope.json' })).toBe(
      "SENTINEL_WATCH_CONFIG_FILE: cannot read /nope.json (ENOENT: no such file or directory, open '/nope.json'): " +
        "the file is bundled with the function's code by the CDK app",
    );
  });

  it('names the field inside the file when its content is wrong', () => {
    const bad = fleetConfigDocument({ deployments: [{ masterName: 'm', sentinels: ['x'] }] }, 1, []);
    expect(
      errorOf({ ...BASE, SENTINEL_WATCH_CONFIG_FILE: '/c.json' }, files({ '/c.json': JSON.stringify(bad) })),
    ).toBe('SENTINEL_WATCH_CONFIG_FILE: deployments[0].sentinels[0]: "x" is not "host:port"');
    expect(
      errorOf({ ...BASE, SENTINEL_WATCH_CONFIG_FILE: '/c.json' }, files({ '/c.json': '{"format":' })),
    ).toMatch(/^SENTINEL_WATCH_CONFIG_FILE: is not valid JSON/);
  });
});
