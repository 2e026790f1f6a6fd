// The poller handler with its AWS clients mocked (handler-harness.ts): the drill key and the Redis
// password read from Secrets Manager, and the errors that name a secret, never its value.

import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import 'aws-sdk-client-mock-jest';
import { encodeDrillLock } from '../../../lambdas/core/drill-lock';
import {
  context,
  createPollerHandler,
  DRILL_KEY,
  DRILL_KEY_ARN,
  ddb,
  drillClaims,
  healthy,
  invoke,
  named,
  now,
  SECRET_ARN,
  SWITCH_SUBJECT,
  secrets,
  sns,
  storedState,
  switchedWithLock,
} from './handler-harness';

describe('Function: handler (poller)', () => {
  it("reports the drill's own switch as info: a lock signed with the drill key from Secrets Manager", async () => {
    // Prepare: the drill holds its signed lock, replicated to the new master
    await invoke(healthy());
    secrets.on(GetSecretValueCommand, { SecretId: DRILL_KEY_ARN }).resolves({ SecretString: DRILL_KEY });
    const claims = drillClaims(now);
    const current = switchedWithLock(encodeDrillLock(claims, DRILL_KEY));

    // Act
    await invoke(current);

    // Assess
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: '[INFO] prod-cache: master switched 10.0.1.61:6379 → 10.0.1.63:6379 (drill)',
      MessageAttributes: expect.objectContaining({
        severity: { DataType: 'String', StringValue: 'info' },
        drillId: { DataType: 'String', StringValue: 'drill-42' },
      }),
    });
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: DRILL_KEY_ARN });
    expect(storedState().state.drill).toEqual({
      id: 'drill-42',
      startedAt: claims.startedAt,
      from: claims.from,
      failoverAt: claims.failoverAt,
      windowEndsAt: claims.windowEndsAt,
    });
  });

  it.each([
    ['unsigned (any value anyone can write)', () => encodeDrillLock(drillClaims(now), null)],
    ['signed with another key', () => encodeDrillLock(drillClaims(now), 'z'.repeat(48))],
    ['a plain drill id', () => 'drill-42'],
  ])('pages a switch when the drill lock on the master is %s', async (_label, value) => {
    // Prepare
    await invoke(healthy());
    secrets.on(GetSecretValueCommand, { SecretId: DRILL_KEY_ARN }).resolves({ SecretString: DRILL_KEY });

    // Act
    await invoke(switchedWithLock(value()));

    // Assess
    // The message is SNS MessageStructure json: its email form is what a person reads.
    const [publish] = sns
      .commandCalls(PublishCommand)
      .filter((c) => c.args[0].input.Subject === SWITCH_SUBJECT);
    expect(JSON.parse(publish.args[0].input.Message ?? '{}').email).toContain(
      'Not treated as a drill: drill lock "drill-42" is not trusted: ',
    );
    expect(storedState().state.drill).toBeNull();
  });

  it('fails with an error naming the secret, not its value, when the secret is missing', async () => {
    // Prepare
    secrets.reset();
    secrets
      .on(GetSecretValueCommand)
      .rejects(named('ResourceNotFoundException', "Secrets Manager can't find it"));
    const fresh = createPollerHandler({ clock: () => now, probe: async () => healthy() });

    // Act
    const error = await fresh({}, context()).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toMatchObject({ name: 'PollerError' });
    expect((error as Error).message).toBe(
      `poll failed for 1 deployment: prod-cache: secret ${SECRET_ARN}: does not exist (ResourceNotFoundException)`,
    );
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('fails with a clear error when the secret is empty or JSON without a password', async () => {
    for (const SecretString of ['   ', JSON.stringify({ user: 'app' })]) {
      // Prepare
      secrets.reset();
      secrets.on(GetSecretValueCommand).resolves({ SecretString });
      const fresh = createPollerHandler({ clock: () => now, probe: async () => healthy() });

      // Act
      const error = await fresh({}, context()).catch((e: unknown) => e as Error);

      // Assess
      expect((error as Error).message).toMatch(
        /secret arn:aws:secretsmanager:\S+: (is empty|is a JSON object without a non-empty string "password" key)$/,
      );
    }
  });
});
