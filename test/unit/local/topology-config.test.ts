import os from 'node:os';
import path from 'node:path';
import {
  configFeatures,
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_FAILOVER_TIMEOUT_MS,
  DEFAULT_LOCAL_PASSWORD,
  dataNodeConfig,
  dataPortsOf,
  defaultDir,
  quoteConfigValue,
  resolveOptions,
  sentinelConfig,
  sentinelPortsOf,
} from '../../../cli/local/topology';
import { ConfigError } from '../../../lambdas/core/errors';

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('resolveOptions', () => {
  it('fills in the defaults', () => {
    const o = resolveOptions();
    expect(o).toEqual({
      basePort: 6400,
      masterName: 'mymaster',
      password: DEFAULT_LOCAL_PASSWORD,
      downAfterMs: DEFAULT_DOWN_AFTER_MS,
      failoverTimeoutMs: DEFAULT_FAILOVER_TIMEOUT_MS,
      quorum: 2,
      dir: path.join(os.tmpdir(), 'sentinel-watch-local-6400'),
      replicas: 2,
      sentinels: 3,
    });
    expect(o).not.toHaveProperty('sentinelPassword');
    expect(DEFAULT_DOWN_AFTER_MS).toBe(1500);
    expect(DEFAULT_FAILOVER_TIMEOUT_MS).toBe(5000);
  });

  it('derives ports and the default dir from the base port', () => {
    const o = resolveOptions({ basePort: 6500 });
    expect(dataPortsOf(o)).toEqual([6500, 6501, 6502]);
    expect(sentinelPortsOf(o)).toEqual([26500, 26501, 26502]);
    expect(o.dir).toBe(defaultDir(6500));
    expect(dataPortsOf(resolveOptions({ replicas: 0 }))).toEqual([6400]);
  });

  it('accepts passwords with other punctuation', () => {
    expect(resolveOptions({ password: 'x!#$%&()*+,-./:;<=>?@[]^_`{|}~9' }).password).toHaveLength(31);
  });

  it('keeps a sentinel password and resolves a relative dir', () => {
    const o = resolveOptions({ sentinelPassword: 's3', dir: 'rel' });
    expect(o.sentinelPassword).toBe('s3');
    expect(o.dir).toBe(path.resolve('rel'));
  });

  it.each([
    [{ basePort: 80 }, 'basePort'],
    [{ basePort: 50_000 }, 'basePort'],
    [{ quorum: 4 }, 'quorum'],
    [{ quorum: 0 }, 'quorum'],
    [{ downAfterMs: 1.5 }, 'downAfterMs'],
    [{ masterName: 'my master' }, 'masterName'],
    [{ password: '' }, 'password'],
    [{ password: 'a\nb' }, 'password'],
    // Sentinel rewrites auth-pass unquoted: these would break its config on the next restart.
    [{ password: 'p w' }, 'password'],
    [{ password: "it's" }, 'password'],
    [{ password: 'a\\b' }, 'password'],
    [{ sentinelPassword: 'a"b' }, 'sentinelPassword'],
    [{ sentinelPassword: '' }, 'sentinelPassword'],
  ])('rejects %j', (opts, field) => {
    expect(() => resolveOptions(opts)).toThrow(ConfigError);
    expect(() => resolveOptions(opts)).toThrow(new RegExp(`^${field}:`));
  });
});

describe('quoteConfigValue', () => {
  it('double-quotes and escapes backslashes and quotes', () => {
    expect(quoteConfigValue('plain')).toBe('"plain"');
    expect(quoteConfigValue('a"b\\c d')).toBe('"a\\"b\\\\c d"');
  });
});

describe('dataNodeConfig', () => {
  const base = { port: 6401, password: 'pw', dataDir: '/tmp/x/data-6401', logFile: '/tmp/x/6401.log' };

  it('configures a replica like production', () => {
    expect(lines(dataNodeConfig({ ...base, replicaOf: 6400 }))).toEqual([
      'bind 127.0.0.1',
      'port 6401',
      'protected-mode yes',
      'requirepass "pw"',
      'masterauth "pw"',
      'replica-read-only yes',
      'replicaof 127.0.0.1 6400',
      'save ""',
      'appendonly no',
      'repl-diskless-sync yes',
      'repl-diskless-sync-delay 0',
      'dir "/tmp/x/data-6401"',
      'logfile "/tmp/x/6401.log"',
      'daemonize no',
      'enable-debug-command local',
      'proc-title-template "{title} {listen-addr} {server-mode} {config-file}"',
    ]);
  });

  it('has no replicaof on the master', () => {
    const text = dataNodeConfig({ ...base, port: 6400 });
    expect(text).not.toMatch(/^replicaof/m);
    expect(text).toMatch(/^port 6400$/m);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('explains why the debug command is enabled', () => {
    expect(dataNodeConfig(base)).toMatch(/#.*DEBUG SLEEP.*\nenable-debug-command local/);
  });

  it('quotes passwords with special characters', () => {
    expect(dataNodeConfig({ ...base, password: 'p "w" \\' })).toContain('requirepass "p \\"w\\" \\\\"');
  });
});

describe('sentinelConfig', () => {
  const base = {
    port: 26400,
    masterName: 'mymaster',
    masterPort: 6400,
    quorum: 2,
    password: 'pw',
    downAfterMs: 1500,
    failoverTimeoutMs: 5000,
    dataDir: '/tmp/x/data-26400',
    logFile: '/tmp/x/26400.log',
  };

  it('monitors the master with our timings', () => {
    expect(lines(sentinelConfig(base))).toEqual([
      'bind 127.0.0.1',
      'port 26400',
      'dir "/tmp/x/data-26400"',
      'logfile "/tmp/x/26400.log"',
      'daemonize no',
      'proc-title-template "{title} {listen-addr} {server-mode} {config-file}"',
      'sentinel resolve-hostnames no',
      'sentinel monitor mymaster 127.0.0.1 6400 2',
      'sentinel auth-pass mymaster "pw"',
      'sentinel down-after-milliseconds mymaster 1500',
      'sentinel failover-timeout mymaster 5000',
      'sentinel parallel-syncs mymaster 1',
    ]);
  });

  it('requires a password on the sentinels when one is given', () => {
    const text = sentinelConfig({ ...base, sentinelPassword: 'spw' });
    expect(text).toMatch(/^requirepass "spw"$/m);
    expect(text).toMatch(/^sentinel sentinel-pass "spw"$/m);
    expect(sentinelConfig(base)).not.toMatch(/requirepass|sentinel-pass/);
  });
});

describe('Function: configFeatures', () => {
  it.each([
    // Verified on the real binaries: each directive below makes older servers exit with
    // "FATAL CONFIG FILE ERROR ... Bad directive or wrong number of arguments".
    [
      'redis',
      '5.0.14',
      { procTitleTemplate: false, enableDebugCommand: false, sentinelHostnames: false, sentinelPass: false },
    ],
    [
      'redis',
      '6.2.16',
      { procTitleTemplate: true, enableDebugCommand: false, sentinelHostnames: true, sentinelPass: true },
    ],
    [
      'redis',
      '7.0.15',
      { procTitleTemplate: true, enableDebugCommand: true, sentinelHostnames: true, sentinelPass: true },
    ],
    [
      'redis',
      '7.2.6',
      { procTitleTemplate: true, enableDebugCommand: true, sentinelHostnames: true, sentinelPass: true },
    ],
    [
      'valkey',
      '8.0.1',
      { procTitleTemplate: true, enableDebugCommand: true, sentinelHostnames: true, sentinelPass: true },
    ],
  ])('knows what %s %s accepts', (flavour, version, features) => {
    expect(configFeatures({ flavour, version })).toEqual(features);
  });
});

describe('Per-version config files', () => {
  const data = { port: 6401, password: 'pw', dataDir: '/tmp/x/data-6401', logFile: '/tmp/x/6401.log' };
  const sentinel = {
    port: 26400,
    masterName: 'mymaster',
    masterPort: 6400,
    quorum: 2,
    password: 'pw',
    sentinelPassword: 'spw',
    downAfterMs: 1500,
    failoverTimeoutMs: 5000,
    dataDir: '/tmp/x/data-26400',
    logFile: '/tmp/x/26400.log',
  };
  const redis5 = configFeatures({ flavour: 'redis', version: '5.0.14' });
  const redis6 = configFeatures({ flavour: 'redis', version: '6.2.16' });

  it('leaves out what Redis 5.0 does not know (DEBUG is allowed there by default)', () => {
    const text = dataNodeConfig({ ...data, features: redis5 });
    expect(text).not.toMatch(/^enable-debug-command/m);
    expect(text).not.toMatch(/^proc-title-template/m);
    expect(text).toMatch(/^requirepass "pw"$/m);
    expect(text).toMatch(/^replica-read-only yes$/m);
  });

  it('gives Redis 6.2 its process title but no enable-debug-command', () => {
    const text = dataNodeConfig({ ...data, features: redis6 });
    expect(text).not.toMatch(/^enable-debug-command/m);
    expect(text).toMatch(/^proc-title-template /m);
  });

  it('writes a Redis 5.0 sentinel without resolve-hostnames or sentinel-pass: its peers use its requirepass', () => {
    const text = sentinelConfig({ ...sentinel, features: redis5 });
    expect(text).not.toMatch(/resolve-hostnames|sentinel-pass|proc-title-template/);
    expect(text).toMatch(/^requirepass "spw"$/m);
    expect(text).toMatch(/^sentinel monitor mymaster 127\.0\.0\.1 6400 2$/m);
  });

  it('writes the full config when no features are given (the newest servers)', () => {
    expect(dataNodeConfig(data)).toBe(
      dataNodeConfig({ ...data, features: configFeatures({ flavour: 'valkey', version: '8.0.1' }) }),
    );
  });
});
