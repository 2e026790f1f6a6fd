// The notifiers in the template: what each is subscribed to, where its failures go, and that no
// notifier's own alarm can come back to it through the topic it listens to (the loop).

import type { Template } from 'aws-cdk-lib/assertions';
import {
  baseConfig,
  HOOK_SECRET_ARN,
  type Json,
  PD_SECRET_ARN,
  resourcesOf,
  SLACK_SECRET_ARN,
  synth,
} from './helpers';

const everyNotifier = (overrides: Json = {}) =>
  baseConfig({
    slackWebhookSecretArn: SLACK_SECRET_ARN,
    pagerDuty: { routingKeySecretArn: PD_SECRET_ARN },
    webhooks: [{ name: 'incident-io', secretArn: HOOK_SECRET_ARN, severities: ['critical'] }],
    ...overrides,
  });

/** logical id of each function subscribed to a topic → the topic's logical id. */
function lambdaSubscriptions(template: Template): Map<string, string> {
  const map = new Map<string, string>();
  for (const [, sub] of resourcesOf(template, 'AWS::SNS::Subscription')) {
    const props = sub.Properties as Json;
    if (props.Protocol !== 'lambda') continue;
    const fn = ((props.Endpoint as Json)['Fn::GetAtt'] as string[])[0];
    map.set(fn, (props.TopicArn as Json).Ref as string);
  }
  return map;
}

const topicRef = (template: Template, pattern: RegExp): string =>
  resourcesOf(template, 'AWS::SNS::Topic').find(([id]) => pattern.test(id))?.[0] as string;

describe('Notifiers in the template', () => {
  it("never sends a notifier's own alarm to the topic that notifier is subscribed to", () => {
    // Prepare
    const template = synth(everyNotifier());
    const subscribed = lambdaSubscriptions(template);

    // Act: every alarm on a notifier's function, with where it publishes.
    const loops: string[] = [];
    for (const [id, alarm] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
      const props = alarm.Properties as Json;
      const dims = JSON.stringify(props.Dimensions ?? props.Metrics ?? []);
      const actions = JSON.stringify([props.AlarmActions, props.OKActions]);
      for (const [fn, topic] of subscribed) {
        if (dims.includes(`"${fn}"`) && actions.includes(`"${topic}"`))
          loops.push(`${id} → ${topic} → ${fn}`);
      }
    }

    // Assess
    expect(loops).toEqual([]);
    expect(subscribed.size).toBe(3);
  });

  it("sends every notifier's alarms (errors, undelivered) to the notifier-alarm topic, which only email reaches", () => {
    // Prepare
    const template = synth(everyNotifier());
    const alarmTopic = topicRef(template, /^AlertingNotifierAlarmTopic/);

    // Act
    const notifierAlarms = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties as Json)
      .filter((p) =>
        /-(slack|pagerduty|webhook-incident-io)-(errors|undelivered)$/.test(p.AlarmName as string),
      );
    const onAlarmTopic = resourcesOf(template, 'AWS::SNS::Subscription')
      .map(([, s]) => s.Properties as Json)
      .filter((p) => (p.TopicArn as Json).Ref === alarmTopic);

    // Assess
    expect(notifierAlarms.map((p) => p.AlarmName).sort()).toEqual([
      'SentinelWatch-pagerduty-errors',
      'SentinelWatch-pagerduty-undelivered',
      'SentinelWatch-slack-errors',
      'SentinelWatch-slack-undelivered',
      'SentinelWatch-webhook-incident-io-errors',
      'SentinelWatch-webhook-incident-io-undelivered',
    ]);
    for (const p of notifierAlarms) {
      expect(p.AlarmActions).toEqual([{ Ref: alarmTopic }]);
      expect(p.OKActions).toEqual([{ Ref: alarmTopic }]);
    }
    expect(onAlarmTopic.map((p) => [p.Protocol, p.Endpoint])).toEqual([['email', 'redis-team@example.com']]);
  });

  it('gives every subscription a dead-letter queue, and every notifier a DLQ and an on-failure destination', () => {
    // Prepare
    const template = synth(everyNotifier());

    // Act
    const subscriptions = resourcesOf(template, 'AWS::SNS::Subscription').map(
      ([, s]) => s.Properties as Json,
    );
    const notifiers = resourcesOf(template, 'AWS::Lambda::Function')
      .filter(([id]) => id.startsWith('Notifiers'))
      .map(([id, f]) => [id, f.Properties as Json] as const);
    const invokeConfigs = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig').map(
      ([, c]) => c.Properties as Json,
    );

    // Assess
    expect(subscriptions.length).toBe(5);
    for (const s of subscriptions)
      expect(s.RedrivePolicy).toEqual({ deadLetterTargetArn: expect.anything() });
    expect(notifiers).toHaveLength(3);
    for (const [id, props] of notifiers) {
      expect(props.DeadLetterConfig).toEqual({ TargetArn: expect.anything() });
      expect(props.VpcConfig).toBeUndefined();
      const config = invokeConfigs.find((c) => (c.FunctionName as Json).Ref === id);
      expect(config).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
    }
    // Every queue is encrypted and refuses plain HTTP.
    for (const [, q] of resourcesOf(template, 'AWS::SQS::Queue')) {
      expect((q.Properties as Json).SqsManagedSseEnabled).toBe(true);
    }
    expect(JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'))).toContain(
      '"aws:SecureTransport":"false"',
    );
  });

  it('pages PagerDuty for critical and warning by default, a webhook for what it asks, and the watcher alarms always', () => {
    // Prepare
    const template = synth(everyNotifier());

    // Act
    const filters = resourcesOf(template, 'AWS::SNS::Subscription')
      .map(([, s]) => s.Properties as Json)
      .filter((p) => p.Protocol === 'lambda')
      .map((p) => [
        ((p.Endpoint as Json)['Fn::GetAtt'] as string[])[0].replace(/Function.*$/, ''),
        p.FilterPolicy,
      ]);

    // Assess
    expect(Object.fromEntries(filters)).toEqual({
      NotifiersSlack: undefined,
      NotifiersPagerDuty: { $or: [{ severity: ['critical', 'warning'] }, { severity: [{ exists: false }] }] },
      NotifiersWebhookincidentio: { $or: [{ severity: ['critical'] }, { severity: [{ exists: false }] }] },
    });
  });

  it('hands each notifier its settings and nothing else: its secret, the endpoint, the links and the zone', () => {
    // Prepare
    const template = synth(
      everyNotifier({
        alertTimeZone: 'Europe/Berlin',
        slackMention: 'none',
        pagerDuty: { routingKeySecretArn: PD_SECRET_ARN, region: 'eu' },
      }),
    );

    // Act
    const env = Object.fromEntries(
      resourcesOf(template, 'AWS::Lambda::Function')
        .filter(([id]) => id.startsWith('Notifiers'))
        .map(([id, f]) => [
          id.replace(/Function.*$/, ''),
          ((f.Properties as Json).Environment as Json).Variables as Json,
        ]),
    );

    // Assess
    const common = {
      NODE_OPTIONS: '--enable-source-maps',
      RUNBOOK_BASE_URL: expect.stringMatching(/alert-catalogue\.md$/),
      DASHBOARD_URL: expect.anything(),
      ALERT_TIME_ZONE: 'Europe/Berlin',
      // Where each keeps its delivery records (one alert, one delivery).
      SNAPSHOT_TABLE_NAME: { Ref: expect.stringMatching(/^StorageTable/) },
    };
    expect(env.NotifiersSlack).toEqual({
      ...common,
      SLACK_WEBHOOK_SECRET_ARN: SLACK_SECRET_ARN,
      SLACK_MENTION: 'none',
    });
    expect(env.NotifiersPagerDuty).toEqual({
      ...common,
      PAGERDUTY_ROUTING_KEY_SECRET_ARN: PD_SECRET_ARN,
      PAGERDUTY_EVENTS_URL: 'https://events.eu.pagerduty.com/v2/enqueue',
    });
    expect(env.NotifiersWebhookincidentio).toEqual({
      ...common,
      WEBHOOK_NAME: 'incident-io',
      WEBHOOK_SECRET_ARN: HOOK_SECRET_ARN,
    });
  });

  it('lets each notifier touch only its own delivery records, and outputs what doctor reads of it', () => {
    // Prepare
    const template = synth(everyNotifier());
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Act
    const prefixes = Object.fromEntries(
      resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([id]) => id.startsWith('Notifiers'))
        .map(([id, p]) => {
          const statements = ((p.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement;
          const records = statements.find((st) => st.Sid === 'DeliveryRecords') as Json;
          const condition = records.Condition as Record<string, Record<string, string[]>>;
          return [
            id.replace(/FunctionRole.*$/, ''),
            condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'],
          ];
        }),
    );

    // Assess
    expect(prefixes).toEqual({
      NotifiersSlack: ['DELIVERY#slack#*'],
      NotifiersPagerDuty: ['DELIVERY#pagerduty#*'],
      NotifiersWebhookincidentio: ['DELIVERY#webhook-incident-io#*'],
    });
    for (const [id, queue] of [
      ['Slack', 'NotifiersSlackDeadLetters'],
      ['PagerDuty', 'NotifiersPagerDutyDeadLetters'],
      ['Webhookincidentio', 'NotifiersWebhookincidentioDeadLetters'],
    ]) {
      expect(outputs[`${id}FunctionName`].Value).toEqual({
        Ref: expect.stringMatching(new RegExp(`^Notifiers${id}Function`)),
      });
      expect(outputs[`${id}DlqUrl`].Value).toEqual({ Ref: expect.stringMatching(new RegExp(`^${queue}`)) });
    }
  });
});
