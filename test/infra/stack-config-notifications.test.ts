import { DEFAULT_RUNBOOK_BASE_URL, parseStackConfig } from '../../lib/stack-config';
import { baseConfig, configError, HOOK_SECRET_ARN, type Json, PD_SECRET_ARN } from './helpers';

describe('Function: parseStackConfig, notifications', () => {
  it('defaults: no PagerDuty, no webhooks, @here for critical Slack pages, UTC only, the repository catalogue', () => {
    // Act
    const config = parseStackConfig(baseConfig());

    // Assess
    expect(config).toMatchObject({
      pagerDuty: null,
      webhooks: [],
      slackMention: '<!here>',
      alertTimeZone: null,
      runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL,
    });
  });

  it('reads PagerDuty, webhooks, the mention, the zone and a runbook template', () => {
    // Act
    const config = parseStackConfig(
      baseConfig({
        pagerDuty: { routingKeySecretArn: PD_SECRET_ARN, severities: ['critical'], region: 'eu' },
        webhooks: [{ name: 'incident-io', secretArn: HOOK_SECRET_ARN }],
        slackMention: '<!subteam^S0123ABCD>',
        alertTimeZone: 'America/New_York',
        runbookBaseUrl: 'https://wiki.example.com/redis/{code}',
      }),
    );

    // Assess
    expect(config).toMatchObject({
      pagerDuty: {
        routingKeySecretArn: PD_SECRET_ARN,
        severities: ['critical'],
        eventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue',
      },
      webhooks: [{ name: 'incident-io', secretArn: HOOK_SECRET_ARN, severities: null }],
      slackMention: '<!subteam^S0123ABCD>',
      alertTimeZone: 'America/New_York',
      runbookBaseUrl: 'https://wiki.example.com/redis/{code}',
    });
  });

  const cases: [string, Json, string, string][] = [
    [
      'an unknown IANA zone',
      { alertTimeZone: 'Europe/Berlln' },
      'alertTimeZone',
      '"Europe/Berlln" is not an IANA time zone name',
    ],
    ['a mention Slack would not ping', { slackMention: 'here' }, 'slackMention', '"here" is not "@here"'],
    [
      'a runbook that is not a URL',
      { runbookBaseUrl: 'docs/alert-catalogue.md' },
      'runbookBaseUrl',
      'is not an absolute URL',
    ],
    ['PagerDuty without its secret', { pagerDuty: {} }, 'pagerDuty.routingKeySecretArn', 'is required'],
    [
      'a partial PagerDuty secret ARN',
      { pagerDuty: { routingKeySecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pd' } },
      'pagerDuty.routingKeySecretArn',
      'is a partial ARN',
    ],
    [
      'a PagerDuty region',
      { pagerDuty: { routingKeySecretArn: PD_SECRET_ARN, region: 'asia' } },
      'pagerDuty.region',
      'must be one of "us", "eu"',
    ],
    [
      'a typo in pagerDuty',
      { pagerDuty: { routingKeySecretArn: PD_SECRET_ARN, severites: ['critical'] } },
      'pagerDuty.severites',
      'unknown key (did you mean "severities"?)',
    ],
    [
      'a webhook name',
      { webhooks: [{ name: 'incident.io', secretArn: HOOK_SECRET_ARN }] },
      'webhooks[0].name',
      'is not 1-32 letters',
    ],
    [
      'a webhook name used twice',
      {
        webhooks: [
          { name: 'a', secretArn: HOOK_SECRET_ARN },
          { name: 'a', secretArn: HOOK_SECRET_ARN },
        ],
      },
      'webhooks[1].name',
      'is used twice',
    ],
    [
      'a webhook severity',
      { webhooks: [{ name: 'a', secretArn: HOOK_SECRET_ARN, severities: ['page'] }] },
      'webhooks[0].severities[0]',
      'must be one of',
    ],
    [
      'too many webhooks',
      { webhooks: Array.from({ length: 6 }, (_, i) => ({ name: `w${i}`, secretArn: HOOK_SECRET_ARN })) },
      'webhooks',
      'at most 5 webhooks',
    ],
  ];
  it.each(cases)('rejects %s, naming the field', (_title, overrides, field, problem) => {
    // Act
    const error = configError(baseConfig(overrides));

    // Assess
    expect(error.field).toBe(field);
    expect(error.message).toContain(problem);
  });
});
