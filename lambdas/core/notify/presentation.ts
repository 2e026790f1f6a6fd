// How messages are presented, the same for every channel: where the runbook and the dashboard are, and
// the team's time zone. The stack validates these at synth and hands them to the poller (which writes
// the email text) and to every notifier as environment variables; a local run may leave them unset.

import { ConfigError } from '../errors';
import { checkTimeZone } from './local-time';

export interface Presentation {
  /** Base URL of the alert catalogue (or a `{code}` template); null: no runbook links. */
  readonly runbookBaseUrl: string | null;
  /** The watcher's CloudWatch dashboard; null: no dashboard link. */
  readonly dashboardUrl: string | null;
  /** IANA zone shown beside UTC; null: UTC only. */
  readonly timeZone: string | null;
}

export const NO_PRESENTATION: Presentation = { runbookBaseUrl: null, dashboardUrl: null, timeZone: null };

/** The environment variables the stack sets (lib/constructs/notifier.ts, poller). */
export const PRESENTATION_ENV = {
  runbookBaseUrl: 'RUNBOOK_BASE_URL',
  dashboardUrl: 'DASHBOARD_URL',
  timeZone: 'ALERT_TIME_ZONE',
} as const;

/** An absolute http(s) URL, or a ConfigError naming the field. */
export function checkHttpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(field, `"${value}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(field, `"${value}" is not an http(s) URL`);
  }
  return value;
}

/** Reads the presentation settings from an environment; unset or empty variables mean "none". */
export function loadPresentation(env: Readonly<Record<string, string | undefined>>): Presentation {
  const read = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const runbook = read(PRESENTATION_ENV.runbookBaseUrl);
  const dashboard = read(PRESENTATION_ENV.dashboardUrl);
  const zone = read(PRESENTATION_ENV.timeZone);
  return {
    runbookBaseUrl: runbook === null ? null : checkHttpUrl(runbook, PRESENTATION_ENV.runbookBaseUrl),
    dashboardUrl: dashboard === null ? null : checkHttpUrl(dashboard, PRESENTATION_ENV.dashboardUrl),
    timeZone: zone === null ? null : checkTimeZone(zone, PRESENTATION_ENV.timeZone),
  };
}
