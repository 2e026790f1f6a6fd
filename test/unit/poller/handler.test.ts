// The poller handler with its AWS clients mocked (handler-harness.ts): alerts published once, retried
// and kept pending, and overlapping invocations. Real Redis is covered by test/integration/poller.test.ts.

import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import { NOW } from '../helpers/snapshot-factory';
import {
  context,
  handler,
  healthy,
  invoke,
  named,
  PASSWORD,
  probed,
  queue,
  SWITCH_SUBJECT,
  secrets,
  sleeps,
  sns,
  storedState,
  switched,
  TOPIC_ARN,
  table,
} from './handler-harness';

describe('Function: handler (poller)', () => {
  it('publishes a master switch once, with the subject, body and attributes subscriptions filter on', async () => {
    // Prepare
    await invoke(healthy());

    // Act
    const summary = await invoke(switched());
    await invoke(switched());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: SWITCH_SUBJECT,
      // Text for email, the notice's JSON for the notifiers (Lambda, SQS, HTTP/S).
      MessageStructure: 'json',
      Message: expect.stringContaining('Old master: 10.0.1.61:6379'),
      MessageAttributes: expect.objectContaining({
        severity: { DataType: 'String', StringValue: 'critical' },
        code: { DataType: 'String', StringValue: 'MASTER_CHANGED' },
        deployment: { DataType: 'String', StringValue: 'prod-cache' },
        type: { DataType: 'String', StringValue: 'event' },
      }),
    });
    expect(summary.deployments).toEqual([
      { deployment: 'prod-cache', polls: 1, published: 1, pending: 0, stopped: 'done' },
    ]);
    expect(probed[0]).toEqual({ password: PASSWORD });
    const { state } = storedState();
    expect(state.outbox.map((e) => [e.notification.code, e.status, e.attempts])).toEqual([
      ['MASTER_CHANGED', 'sent', 1],
    ]);
    expect(state.lastSnapshot?.master).toEqual({ host: '10.0.1.63', port: 6379 });
  });

  it('sends nothing and stores a snapshot with its TTL while the deployment is healthy', async () => {
    // Act
    await invoke(healthy());
    await invoke(healthy());
    await invoke(healthy());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    const snapshots = [...table.entries()].filter(([k]) => k.includes('|SNAPSHOT#'));
    expect(snapshots).toHaveLength(3);
    expect(snapshots[0][1]).toMatchObject({
      deployment: 'prod-cache',
      master: '10.0.1.61:6379',
      expiresAt: Math.floor(NOW / 1000) + 30 * 86_400,
    });
    expect(storedState().version).toBe(3);
    // The secret is read once per cold start and then cached for its TTL.
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('retries a throttled publish with backoff within the invocation, then succeeds', async () => {
    // Prepare
    sns
      .on(PublishCommand)
      .rejectsOnce(named('ThrottledException', 'Rate exceeded'))
      .rejectsOnce(named('ThrottledException', 'Rate exceeded'))
      .resolves({ MessageId: 'm-2' });
    await invoke(healthy());

    // Act
    const summary = await invoke(switched());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
    expect(sleeps).toEqual([150, 300]); // 200 ms, then 400 ms, each with jitter 0.75
    expect(summary.deployments[0]).toMatchObject({ published: 1, pending: 0 });
    expect(storedState().state.outbox[0]).toMatchObject({ status: 'sent', attempts: 3, claimedBy: null });
  });

  it('keeps an alert that fails on every try pending, and the next invocation sends it exactly once', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(named('InternalErrorException', 'service unavailable'));
    await invoke(healthy());

    // Act: the switch cannot be published...
    const failed = await invoke(switched());
    const afterFailure = storedState().state.outbox;
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    // ...the next invocations can: the first sends it, the second has nothing left to send.
    const next = await invoke(switched());
    await invoke(switched());

    // Assess
    expect(failed.deployments[0]).toMatchObject({ published: 0, pending: 1 });
    expect(afterFailure).toEqual([
      expect.objectContaining({
        status: 'pending',
        attempts: 4,
        claimedBy: null,
        lastError: 'InternalErrorException',
      }),
    ]);
    expect(next.deployments[0]).toMatchObject({ published: 1, pending: 0 });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: SWITCH_SUBJECT });
    expect(storedState().state.outbox.map((e) => [e.status, e.attempts])).toEqual([['sent', 5]]);
  });

  it('does not retry an error that cannot succeed, and keeps the alert for the next invocation', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(named('AuthorizationErrorException', 'not authorized'));
    await invoke(healthy());

    // Act
    await invoke(switched());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(storedState().state.outbox[0]).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('lets only the invocation that saves first send, when two overlap', async () => {
    // Prepare
    await invoke(healthy());
    queue.push(switched(), switched());

    // Act: EventBridge delivered the schedule twice; both read the same state version.
    const [a, b] = await Promise.all([handler({}, context()), handler({}, context())]);

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect([a.deployments[0].stopped, b.deployments[0].stopped].sort()).toEqual(['conflict', 'done']);
    expect(storedState().state.outbox.map((e) => e.status)).toEqual(['sent']);
  });
});
