// Turns whatever a socket or server said into a stable error class plus a message with secrets
// removed. Matching is on prefixes and error codes that Redis 5, 6 and 7 all use.

import type { ProbeError, ProbeErrorClass } from './types';

export interface RawError {
  readonly message: string;
  /** Node's socket error code (`ECONNREFUSED`, ...) when there is one. */
  readonly code?: string;
  readonly name?: string;
}

const SOCKET_CODES: Readonly<Record<string, ProbeErrorClass>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'unresolved',
  EAI_AGAIN: 'unresolved',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
  ECONNABORTED: 'connection-lost',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'timeout',
  ENETUNREACH: 'timeout',
};

/** Node's TLS verification and handshake error codes. */
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

export function classifyError(error: RawError): ProbeErrorClass {
  const code = error.code ?? '';
  if (TLS_CODE.test(code) || /certificate|SSL routines|wrong version number/i.test(error.message))
    return 'tls';
  // A reset during connect (seen right after a listener is killed) means nobody serves the port.
  if (code === 'ECONNRESET' && /^connect /.test(error.message)) return 'refused';
  if (SOCKET_CODES[code]) return SOCKET_CODES[code];
  const message = error.message;
  if (error.name === 'DeadlineError' || /timed? ?out/i.test(message)) return 'timeout';
  if (/^NOAUTH\b/.test(message)) return 'auth-required';
  // Redis before 6.0 knows only AUTH <password>: AUTH <username> <password> is refused as a syntax
  // error, which is still a refusal of the watcher's credentials (capabilities.ts says why).
  if (
    /^WRONGPASS\b/.test(message) ||
    /^ERR invalid (password|username)/i.test(message) ||
    /^ERR wrong number of arguments for 'auth' command/i.test(message)
  )
    return 'auth-rejected';
  if (
    /^ERR (Client sent AUTH, but no password is set|AUTH .* called without any password configured)/.test(
      message,
    )
  ) {
    return 'auth-not-configured';
  }
  if (/^ERR No such master with that name/i.test(message) || /^IDONTKNOW\b/.test(message))
    return 'unknown-master';
  if (/^ERR (unknown command|Unknown sentinel subcommand|unknown subcommand)/i.test(message)) {
    return 'unsupported-command';
  }
  if (error.name === 'BadReplyError') return 'bad-reply';
  if (/protocol error|ReplyParser|parser|Unknown RESP type/i.test(message)) return 'protocol';
  if (/Connection is closed|connection (was )?closed|socket (hang up|closed)/i.test(message)) {
    return 'connection-lost';
  }
  return 'command-failed';
}

/** Replaces every occurrence of each secret with `***`. Empty secrets are ignored. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join('***');
  }
  return result;
}

export function toProbeError(
  error: RawError,
  secrets: readonly (string | undefined)[],
  command?: string,
): ProbeError {
  const message = redact(error.message || error.code || 'unknown error', secrets).slice(0, 500);
  return { class: classifyError(error), message, ...(command ? { command } : {}) };
}
