// Slack: the notice rendered as Block Kit (core/slack-message.ts), checked against Block Kit's limits,
// posted to the incoming webhook whose URL is the secret. A message Slack refuses (400: invalid_blocks,
// invalid_attachments, ...) is not lost: its plain-text form is posted instead and the refusal logged
// as an error. A revoked webhook (403/404) or a Slack outage that outlasts the retries fails the
// delivery, and the event goes to the notifier's dead-letter queue.

import type { PostOptions } from '../adapters/http-post';
import { postToSlack, SlackWebhookError } from '../adapters/slack-webhook';
import { slackPayloadProblems } from '../core/notify/slack-limits';
import type { SecretSource } from '../core/ports';
import { type SlackOptions, slackFallback, slackMessage } from '../core/slack-message';
import type { Channel } from '../notify/run';

export interface SlackChannelProps {
  readonly secrets: SecretSource;
  readonly secretArn: string;
  readonly slack: SlackOptions;
  readonly post?: PostOptions;
}

export function slackChannel(props: SlackChannelProps): Channel {
  return {
    name: 'Slack',
    async deliver(notice, { deadlineAt, log }) {
      const url = await props.secrets.getSecret(props.secretArn);
      const post = (payload: unknown) =>
        postToSlack(url, payload, {
          ...props.post,
          deadlineAt,
          onRetry: (info) => log.warn('Slack webhook busy or failing; retrying', { ...info }),
        });
      const payload = slackMessage(notice, props.slack);
      const problems = slackPayloadProblems(payload);
      if (problems.length > 0) {
        log.error('built a Slack message outside Block Kit limits; posting its plain form', { problems });
        const attempts = await post(slackFallback(notice, 'outside Block Kit limits'));
        return { attempts, note: 'plain form (invalid blocks)' };
      }
      try {
        return { attempts: await post(payload) };
      } catch (error) {
        if (!(error instanceof SlackWebhookError) || error.status !== 400) throw error;
        log.error('Slack refused the formatted message; posting its plain form', { problem: error.problem });
        const attempts = await post(slackFallback(notice, error.problem));
        return { attempts: error.attempts + attempts, note: `plain form (${error.problem})` };
      }
    },
  };
}
