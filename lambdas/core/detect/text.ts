// Small formatters for alert text. Messages are read on a phone at night: short units, no jargon
// that the message does not explain.

import type { ProbeError, Severity } from '../types';

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${bytes} B`;
  if (abs < 1024 ** 2) return `${round1(bytes / 1024)} KiB`;
  if (abs < 1024 ** 3) return `${round1(bytes / 1024 ** 2)} MiB`;
  return `${round1(bytes / 1024 ** 3)} GiB`;
}

/** `850 ms`, `1.5 s`, `42 s`, `12 min`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  // Below 10 s a rounded second hides what matters (down-after-milliseconds 1500 is not "2 s").
  if (ms < 9950) return `${round1(ms / 1000)} s`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

const round1 = (n: number): string => (Math.round(n * 10) / 10).toString();

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
export const severityRank = (s: Severity): number => SEVERITY_RANK[s];
export const maxSeverity = (a: Severity, b: Severity): Severity =>
  severityRank(a) >= severityRank(b) ? a : b;

/** What an unreachable server's error means, and what usually fixes it. Never quotes the raw message. */
export function describeFault(error: ProbeError | null): { what: string; hint: string } {
  if (error && /max(imum)? number of clients reached/i.test(error.message)) {
    return {
      what: 'refuses new connections: its maxclients limit is reached',
      hint: 'Clients cannot connect either. Raise maxclients (CONFIG SET maxclients, and the open-files limit), or find the client that leaks connections (CLIENT LIST from an existing connection).',
    };
  }
  if (error?.class === 'command-failed' && /^BUSY\b/.test(error.message)) {
    return {
      what: 'answers BUSY to everything: a Lua script or function runs past busy-reply-threshold',
      hint: 'SCRIPT KILL (or FUNCTION KILL) stops it if it has not written; otherwise only a restart does.',
    };
  }
  if (error?.class === 'command-failed' && /^LOADING\b/.test(error.message)) {
    return {
      what: 'is loading its data set (LOADING) and refuses commands until done',
      hint: 'Wait; if it lasts, check the data set size and the disk.',
    };
  }
  switch (error?.class) {
    case 'timeout':
      return {
        what: 'does not answer within the timeout',
        hint: 'The process may be hung or frozen (SIGSTOP, a long fork or swap), the host overloaded, or packets dropped: check the host and the process.',
      };
    case 'refused':
      return {
        what: 'refuses connections (nothing listens on the port)',
        hint: 'The process is down: check why it stopped (log, OOM killer) and start it again.',
      };
    case 'unresolved':
      return {
        what: 'has a host name that does not resolve',
        hint: 'Fix DNS or the address in the config (or in the sentinels, if they announce it).',
      };
    case 'connection-lost':
      return {
        what: 'dropped the connection mid-conversation',
        hint: 'Check the process (a restart or crash), maxclients, and the network between the watcher and it.',
      };
    case 'unsupported-command':
      return {
        what: 'answers, but not as the kind of server expected (a Sentinel port where a data node was expected, or the reverse)',
        hint: 'Check the port in the config.',
      };
    case 'tls':
      return {
        what: 'fails the TLS handshake',
        hint: 'Check the certificate (trusted CA via NODE_EXTRA_CA_CERTS, expiry, host name) and that tls is set on both sides.',
      };
    case 'reply-too-large':
      return {
        what: 'sends more than the watcher reads from one server in a poll (maxReplyBytes), so it was cut off',
        hint: 'A Redis or Sentinel answers these commands with a few kilobytes: check that the address is a Redis server and not another service, and whether it lists thousands of replicas or sentinels (stale entries: SENTINEL RESET). Raise maxReplyBytes only if it really is that large.',
      };
    case 'protocol':
      return {
        what: 'does not speak the Redis protocol',
        hint: 'Check the port, and the tls setting (a TLS port answers garbage to plain text and the reverse).',
      };
    default:
      return {
        what: `could not be read${error ? ` (${error.class}${error.command ? ` on ${error.command}` : ''})` : ''}`,
        hint: 'Check the process and the network between the watcher and it.',
      };
  }
}

/** An integer CONFIG GET value (`'2'`), or null when absent or not an integer. */
export const configInt = (text: string | undefined): number | null => {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return null;
  return Number(text.trim());
};
