// The poller handler module's cold start: the environment validated at load, errors naming the field.

import 'aws-sdk-client-mock-jest';
import { CONFIG, ENV } from './handler-harness';

describe('Function: handler module (cold start)', () => {
  const load = (env: Record<string, string | undefined>): unknown => {
    const saved = { ...process.env };
    Object.assign(process.env, ENV, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    try {
      let error: unknown;
      jest.isolateModules(() => {
        try {
          require('../../../lambdas/poller/handler');
        } catch (e) {
          error = e;
        }
      });
      return error;
    } finally {
      process.env = saved;
    }
  };

  it.each([
    [
      'a sentinel without a port',
      {
        SENTINEL_WATCH_CONFIG: JSON.stringify({
          deployments: [{ masterName: 'm', sentinels: ['10.0.1.61'] }],
        }),
      },
      'SENTINEL_WATCH_CONFIG: deployments[0].sentinels[0]: "10.0.1.61" is not "host:port"',
    ],
    [
      'pollEverySeconds out of range',
      { SENTINEL_WATCH_CONFIG: JSON.stringify({ ...CONFIG, pollEverySeconds: 1 }) },
      'SENTINEL_WATCH_CONFIG: pollEverySeconds: must be between 2 and 60, got 1',
    ],
    [
      'config that is not JSON',
      { SENTINEL_WATCH_CONFIG: '{"deployments": [' },
      /^SENTINEL_WATCH_CONFIG: is not valid JSON/,
    ],
    ['no config', { SENTINEL_WATCH_CONFIG: undefined }, 'SENTINEL_WATCH_CONFIG: is not set'],
    ['no table name', { SNAPSHOT_TABLE_NAME: '' }, 'SNAPSHOT_TABLE_NAME: is not set'],
    [
      'a topic that is not an ARN',
      { ALERT_TOPIC_ARN: 'alerts' },
      'ALERT_TOPIC_ARN: "alerts" is not an SNS topic ARN',
    ],
  ])('rejects %s with an error naming the field', (_label, env, expected) => {
    // Act
    const error = load(env);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ConfigError');
    if (typeof expected === 'string') expect((error as Error).message).toBe(expected);
    else expect((error as Error).message).toMatch(expected);
  });

  it('loads with a valid environment', () => {
    // Act / Assess
    expect(load({})).toBeUndefined();
  });
});
