import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CachedSecretSource, SecretError } from '../../../lambdas/adapters/secrets';
import { SentinelWatchError } from '../../../lambdas/core/errors';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const sm = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redis-AbCdEf';
const VALUE = 's3cr3t-never-in-errors';

let now: number;
const source = (props: { jsonKeys?: string[] } = {}) =>
  new CachedSecretSource({ client, clock: () => now, ...props });
const named = (name: string): Error => Object.assign(new Error(`${name} for ${VALUE}`), { name });

beforeEach(() => {
  sm.reset();
  now = 1_000_000;
});

describe('Class: CachedSecretSource', () => {
  describe('Method: getSecret', () => {
    it.each([
      ['plain text', VALUE],
      ['JSON with a password key', JSON.stringify({ username: 'app', password: VALUE })],
    ])('reads a secret stored as %s', async (_label, SecretString) => {
      // Prepare
      sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString });

      // Act / Assess
      await expect(source().getSecret(ARN)).resolves.toBe(VALUE);
    });

    it('reads other JSON keys when told to (a Slack webhook URL)', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({
        SecretString: JSON.stringify({ url: 'https://hooks.example/x' }),
      });

      // Act / Assess
      await expect(source({ jsonKeys: ['webhookUrl', 'url'] }).getSecret(ARN)).resolves.toBe(
        'https://hooks.example/x',
      );
    });

    it('caches for the TTL, shares one request between parallel callers, then reads again', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: VALUE });
      const secrets = source();

      // Act
      await Promise.all([secrets.getSecret(ARN), secrets.getSecret(ARN)]);
      now += 5 * 60_000 - 1;
      await secrets.getSecret(ARN);
      const cachedCalls = sm.commandCalls(GetSecretValueCommand).length;
      now += 1;
      await secrets.getSecret(ARN);

      // Assess
      expect(cachedCalls).toBe(1);
      expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    });

    it('reads again when asked for a fresh value, at most once a minute (a refused password)', async () => {
      // Prepare: the poller's TTL, half an hour
      sm.on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: 'old' })
        .resolvesOnce({ SecretString: 'new' })
        .resolves({ SecretString: 'newer' });
      const secrets = new CachedSecretSource({ client, clock: () => now, ttlMs: 30 * 60_000 });
      await secrets.getSecret(ARN);

      // Act: a fresh read a second after the cached one reads again; the next fresh request within a
      // minute of it is served from the cache; one a minute later reads again
      now += 1_000;
      const fresh = await secrets.getSecret(ARN, { fresh: true });
      now += 59_000;
      const tooSoon = await secrets.getSecret(ARN, { fresh: true });
      now += 1_000;
      const again = await secrets.getSecret(ARN, { fresh: true });
      now += 10 * 60_000;
      const cached = await secrets.getSecret(ARN);

      // Assess
      expect([fresh, tooSoon, again, cached]).toEqual(['new', 'new', 'newer', 'newer']);
      expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
    });

    it.each([
      [
        'missing',
        () => sm.on(GetSecretValueCommand).rejects(named('ResourceNotFoundException')),
        'does not exist (ResourceNotFoundException)',
      ],
      [
        'not readable',
        () => sm.on(GetSecretValueCommand).rejects(named('AccessDeniedException')),
        'cannot be read: access denied',
      ],
      ['empty', () => sm.on(GetSecretValueCommand).resolves({ SecretString: '' }), 'is empty'],
      [
        'binary',
        () => sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) }),
        'is stored as binary',
      ],
      [
        'JSON without the key',
        () => sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ pass: VALUE }) }),
        'is a JSON object without a non-empty string "password" key',
      ],
    ])(
      'throws a SecretError naming the ARN, never the value, when the secret is %s',
      async (_label, arrange, problem) => {
        // Prepare
        arrange();

        // Act
        const error = (await source()
          .getSecret(ARN)
          .catch((e: unknown) => e)) as SecretError;

        // Assess
        expect(error).toBeInstanceOf(SecretError);
        expect(error).toBeInstanceOf(SentinelWatchError);
        expect(error.arn).toBe(ARN);
        expect(error.message).toContain(`secret ${ARN}: ${problem}`);
        expect(error.message).not.toContain(VALUE);
      },
    );

    it('does not cache a failure', async () => {
      // Prepare
      sm.on(GetSecretValueCommand)
        .rejectsOnce(named('InternalServiceError'))
        .resolves({ SecretString: VALUE });
      const secrets = source();

      // Act
      const first = await secrets.getSecret(ARN).catch((e: unknown) => e);
      const second = await secrets.getSecret(ARN);

      // Assess
      expect(first).toBeInstanceOf(SecretError);
      expect(second).toBe(VALUE);
    });
  });
});
