// PagerDuty: the notice as an Events API v2 event (core/notify/pagerduty.ts), posted to the Events API
// with the routing key from Secrets Manager. PagerDuty answers 202 when it took the event, 400 for an
// event it will never take (a bad routing key, a malformed event: not retried), 429 when the
// integration is over its rate limit and 5xx when it has trouble (both retried with backoff).

import type { PostOptions } from '../adapters/http-post';
import { postJson } from '../adapters/http-post';
import { pagerDutyEvent } from '../core/notify/pagerduty';
import type { SecretSource } from '../core/ports';
import type { Channel } from '../notify/run';

export interface PagerDutyChannelProps {
  readonly secrets: SecretSource;
  readonly secretArn: string;
  readonly eventsUrl: string;
  readonly timeZone: string | null;
  readonly post?: PostOptions;
}

export function pagerDutyChannel(props: PagerDutyChannelProps): Channel {
  return {
    name: 'PagerDuty',
    async deliver(notice, { deadlineAt, log }) {
      const routingKey = await props.secrets.getSecret(props.secretArn);
      const event = pagerDutyEvent(notice, routingKey, props.timeZone);
      const result = await postJson(
        {
          target: 'PagerDuty Events API',
          service: 'PagerDuty',
          url: props.eventsUrl,
          body: JSON.stringify(event),
        },
        {
          ...props.post,
          deadlineAt,
          onRetry: (info) => log.warn('PagerDuty busy or failing; retrying', { ...info }),
        },
      );
      return { attempts: result.attempts, note: event.event_action };
    },
  };
}
