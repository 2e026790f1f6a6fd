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

/** The adapter's name for a server that sent more than its byte budget (see batch.ts). */
export const REPLY_TOO_LARGE = 'ReplyTooLargeError';

/**
 * ioredis' decoder recurses once per level of nesting: a reply nested a few thousand levels deep
 * overflows the stack, and the RangeError reaches us as the commands' error.
 */
const STACK_OVERFLOW = /Maximum call stack size exceeded/;

export function classifyError(error: RawError): ProbeErrorClass {
  if (error.name === REPLY_TOO_LARGE) return 'reply-too-large';
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
  if (/protocol error|ReplyParser|parser|Unknown RESP type/i.test(message) || STACK_OVERFLOW.test(message)) {
    return 'protocol';
  }
  // "Command aborted due to connection close": ioredis, when the server hangs up after some replies.
  if (
    error.name === 'AbortError' ||
    /Connection is closed|connection (was )?closed|connection close|socket (hang up|closed)/i.test(message)
  ) {
    return 'connection-lost';
  }
  return 'command-failed';
}

/**
 * A cut-off secret is redacted from this many characters on, where the cut shows: at the end of the
 * text or before a closing quote (Redis cuts echoed arguments at 128 characters and closes the quote).
 * Elsewhere a shared start is a look-alike, not a leak: "ERR Unknown sentinel subcommand" must stay
 * readable when the password is "sentinels-secret".
 */
const MIN_PREFIX = 6;
/** What may follow a cut-off secret: nothing, a closing quote or backtick, an ellipsis. */
const CUT_AFTER = /^(|['"`…])$/;

/**
 * The forms in which a server may echo a secret back. Redis puts arguments into some error replies
 * ("ERR unknown command 'AUTH', with args beginning with: ..." when AUTH is renamed, measured on
 * 5.0, 6.2, 7.0, 7.2) with every CR and LF turned into a space and the whole cut at 128 characters;
 * logs and MONITOR-style text escape control characters (`\n`, `\x07`), JSON escapes them too.
 */
function echoedForms(secret: string): string[] {
  const spaced = secret.replace(/[\r\n]/g, ' ');
  const named: Readonly<Record<string, string>> = {
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '"': '\\"',
    '\\': '\\\\',
  };
  const escaped = [...secret]
    .map((c) => {
      const code = c.charCodeAt(0);
      return named[c] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c);
    })
    .join('');
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, spaced, escaped, json])].sort((a, b) => b.length - a.length);
}

/** How many leading characters of `form` the text repeats at `at`. */
function sharedPrefix(text: string, at: number, form: string): number {
  let length = 0;
  while (length < form.length && text[at + length] === form[length]) length++;
  return length;
}

/**
 * Replaces every configured secret with `***`: as sent, in the forms servers echo it (see
 * echoedForms), and any cut-off start of one of those of MIN_PREFIX characters or more. Whole forms go
 * first, so a prefix never splits a longer match. Empty secrets are ignored.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const forms = secrets.flatMap((secret) => (secret ? echoedForms(secret) : []));
  let result = text;
  for (const form of forms) result = result.split(form).join('***');
  for (const form of forms.filter((f) => f.length > MIN_PREFIX)) {
    const head = form.slice(0, MIN_PREFIX);
    for (let at = result.indexOf(head); at !== -1; at = result.indexOf(head, at + 1)) {
      const length = Math.max(...forms.map((f) => sharedPrefix(result, at, f)));
      if (!CUT_AFTER.test(result.slice(at + length, at + length + 1))) continue;
      result = `${result.slice(0, at)}***${result.slice(at + length)}`;
    }
  }
  return result;
}

/** Error text longer than this is cut before redaction (bounded work), and the result again after. */
const MESSAGE_SCAN = 4096;
const MESSAGE_KEPT = 500;

export function toProbeError(
  error: RawError,
  secrets: readonly (string | undefined)[],
  command?: string,
): ProbeError {
  const raw = error.message || error.code || 'unknown error';
  // A stack overflow is ours, not the server's words: say what it means instead.
  const text = STACK_OVERFLOW.test(raw)
    ? 'Protocol error: the reply is nested too deeply to decode (not a reply Redis or Sentinel sends)'
    : raw.slice(0, MESSAGE_SCAN);
  // Cut again after redaction: a secret cut at MESSAGE_SCAN lies beyond MESSAGE_KEPT and goes too.
  const message = redact(text, secrets).slice(0, MESSAGE_KEPT);
  return { class: classifyError(error), message, ...(command ? { command } : {}) };
}
