import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText, readConfigFile } from '../../../cli/config-file';
import { ConfigError } from '../../../lambdas/core/errors';

const ROOT = join(__dirname, '../../..');
const example = () =>
  JSON.parse(readFileSync(join(ROOT, 'config/example.json'), 'utf8')) as Record<string, unknown>;

describe('Function: readConfigFile', () => {
  it('reads the CDK stack config (config/example.json), ignoring its deploy-only keys', () => {
    // Act
    const config = readConfigFile(join(ROOT, 'config/example.json'));

    // Assess: the deployments and the keys the Lambdas share, as the stack would pass them on
    expect(config.deployments.map((d) => [d.name, d.masterName, d.passwordSecretArn])).toEqual([
      [
        'orders-cache',
        'mymaster',
        'arn:aws:secretsmanager:us-east-1:123456789012:secret:sentinel-watch/orders-cache/redis-AbC123',
      ],
    ]);
    expect(config.retentionDays).toBe(30);
  });

  it('reads the CLI config as before', () => {
    const config = parseConfigText(
      JSON.stringify({
        deployments: [{ masterName: 'm', sentinels: ['127.0.0.1:26379'], passwordEnv: 'PW' }],
      }),
      'cli.json',
    );
    expect(config.deployments[0].passwordEnv).toBe('PW');
  });

  it.each([
    [
      'a typo of a deploy-only key',
      { ...example(), alertEmail: [] },
      'alertEmail: unknown key (did you mean "alertEmails"?)',
    ],
    ['a key neither file has', { ...example(), colour: 'red' }, 'colour: unknown key'],
    [
      'a bad deployment field',
      { ...example(), deployments: [{ masterName: 'm', sentinels: ['nope'] }] },
      'deployments[0].sentinels[0]: "nope" is not "host:port"',
    ],
  ])('rejects %s, naming the field', (_what, json, message) => {
    expect(() => parseConfigText(JSON.stringify(json), 'prod.json')).toThrow(ConfigError);
    expect(() => parseConfigText(JSON.stringify(json), 'prod.json')).toThrow(message);
  });

  it('names the file when it cannot be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-config-file-'));
    writeFileSync(join(dir, 'broken.json'), '{"deployments": [');
    expect(() => readConfigFile(join(dir, 'missing.json'))).toThrow(/^--config: cannot read .*ENOENT/);
    expect(() => readConfigFile(join(dir, 'broken.json'))).toThrow(/broken\.json: is not valid JSON/);
  });
});
