// Times as an on-call engineer reads them: the local wall-clock time of the team (an IANA zone such as
// Europe/Berlin) with UTC beside it, because logs, CloudWatch and Sentinel itself speak UTC. Pure.

import { ConfigError } from '../errors';

/**
 * The canonical IANA name of a zone, or a ConfigError naming the field. `Intl` knows exactly the zones
 * the runtime's ICU data has (Node ships full ICU), so a zone valid at synth is valid in the Lambda.
 */
export function checkTimeZone(value: string, field: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(field, `"${value}" is not an IANA time zone name (e.g. "Europe/Berlin", "UTC")`);
  }
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu']);

/** `2026-05-01 12:00:00` in that zone. */
function wallClock(ms: number, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

/**
 * `2026-05-01 12:00:00 Europe/Berlin (10:00:00 UTC)`; the UTC date is repeated only when it differs.
 * Without a zone (or with UTC): `2026-05-01 10:00:00 UTC`. Unreadable input is returned as it came.
 */
export function formatWhen(iso: string, timeZone: string | null): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const utc = wallClock(ms, 'UTC');
  if (timeZone === null || UTC_NAMES.has(timeZone)) return `${utc.date} ${utc.time} UTC`;
  const local = wallClock(ms, timeZone);
  const utcText = local.date === utc.date ? utc.time : `${utc.date} ${utc.time}`;
  return `${local.date} ${local.time} ${timeZone} (${utcText} UTC)`;
}
