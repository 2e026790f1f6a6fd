import { classifyError, redact, toProbeError } from '../../../lambdas/core/probe-error';

describe('Function: classifyError', () => {
  it.each([
    [{ message: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' }, 'refused'],
    [{ message: 'getaddrinfo ENOTFOUND redis-1', code: 'ENOTFOUND' }, 'unresolved'],
    [{ message: 'read ECONNRESET', code: 'ECONNRESET' }, 'connection-lost'],
    [{ message: 'connect ECONNRESET 127.0.0.1:26601', code: 'ECONNRESET' }, 'refused'],
    [{ message: 'no answer within 500 ms (timed out)', name: 'DeadlineError' }, 'timeout'],
    [{ message: 'Command timed out' }, 'timeout'],
    [{ message: 'NOAUTH Authentication required.' }, 'auth-required'],
    [
      {
        message:
          'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
      },
      'auth-required',
    ],
    [{ message: 'WRONGPASS invalid username-password pair or user is disabled.' }, 'auth-rejected'],
    [{ message: 'ERR invalid password' }, 'auth-rejected'],
    // Redis 5.0: AUTH <username> <password> (no ACL users before 6.0).
    [{ message: "ERR wrong number of arguments for 'auth' command" }, 'auth-rejected'],
    [{ message: 'ERR Client sent AUTH, but no password is set' }, 'auth-not-configured'],
    [
      {
        message:
          'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      },
      'auth-not-configured',
    ],
    [{ message: 'ERR No such master with that name' }, 'unknown-master'],
    [
      { message: "ERR unknown command 'SENTINEL', with args beginning with: 'MASTER' 'x' " },
      'unsupported-command',
    ],
    [{ message: "ERR Unknown sentinel subcommand 'replicas'" }, 'unsupported-command'],
    [{ message: 'Protocol error, got "H" as reply type byte' }, 'protocol'],
    [{ message: 'Unknown RESP type 72 "H". Please report this.' }, 'protocol'],
    [{ message: 'unexpected reply to ROLE: x', name: 'BadReplyError' }, 'bad-reply'],
    [{ message: 'Connection is closed.' }, 'connection-lost'],
    [{ message: 'self-signed certificate in certificate chain', code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'tls'],
    [
      { message: "Hostname/IP does not match certificate's altnames", code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      'tls',
    ],
    [
      {
        message: 'write EPROTO 40B7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
        code: 'EPROTO',
      },
      'tls',
    ],
    [{ message: 'LOADING Redis is loading the dataset in memory' }, 'command-failed'],
  ])('classifies %j as %s', (raw, expected) => {
    expect(classifyError(raw)).toBe(expected);
  });
});

describe('Function: redact', () => {
  it('removes every configured secret, and ignores empty ones', () => {
    expect(redact('AUTH s3cret failed for s3cret', ['s3cret', undefined, ''])).toBe(
      'AUTH *** failed for ***',
    );
  });

  it('is applied by toProbeError', () => {
    const error = toProbeError({ message: 'WRONGPASS for hunter2' }, ['hunter2'], 'AUTH');
    expect(error).toEqual({ class: 'auth-rejected', message: 'WRONGPASS for ***', command: 'AUTH' });
  });
});

describe('Function: classifyError, hostile and broken servers', () => {
  it.each([
    // ioredis' words when the server closes the socket after some replies of a pipeline
    [{ message: 'Command aborted due to connection close', name: 'AbortError' }, 'connection-lost'],
    // A reply nested deeper than the decoder's recursion can follow
    [{ message: 'Maximum call stack size exceeded. Please report this.', name: 'RangeError' }, 'protocol'],
    [{ message: 'sent more than 1 MiB', name: 'ReplyTooLargeError' }, 'reply-too-large'],
  ])('classifies %j as %s', (raw, expected) => {
    expect(classifyError(raw)).toBe(expected);
  });

  it('never passes on a stack overflow message', () => {
    const error = toProbeError(
      { message: 'Maximum call stack size exceeded. Please report this.', name: 'RangeError' },
      [],
    );
    expect(error.class).toBe('protocol');
    expect(error.message).not.toMatch(/call stack|report this/i);
    expect(error.message).toMatch(/nested too deeply/);
  });
});

describe('Function: redact, the forms servers echo', () => {
  const secret = 'line-one\nline-two-s3cret';

  it('redacts a secret whose newline the server turned into a space', () => {
    // Redis replaces \r and \n with spaces in error replies (measured on 5.0.14, 6.2.16, 7.0.15, 7.2.6)
    const echoed = "ERR unknown command 'AUTH', with args beginning with: 'line-one line-two-s3cret' ";
    expect(redact(echoed, [secret])).toBe("ERR unknown command 'AUTH', with args beginning with: '***' ");
  });

  it('redacts escaped and quoted forms', () => {
    expect(redact('got "line-one\\nline-two-s3cret"', [secret])).toBe('got "***"');
    expect(redact('got line-one\r\nline-two', ['line-one\r\nline-two'])).toBe('got ***');
    expect(redact('got line-one  line-two', ['line-one\r\nline-two'])).toBe('got ***');
  });

  it('redacts the prefix of a long secret that the server cut short', () => {
    // Redis 7 echoes at most 128 characters of the arguments
    const long = `pw-${'x'.repeat(200)}`;
    const echoed = `ERR unknown command 'AUTH', with args beginning with: '${long.slice(0, 120)}' `;
    expect(redact(echoed, [long])).toBe("ERR unknown command 'AUTH', with args beginning with: '***' ");
  });

  it('leaves short look-alikes of a secret alone', () => {
    expect(redact('ERR AUTH <password> called without', ['passw0rd-long'])).toBe(
      'ERR AUTH <password> called without',
    );
  });

  it('leaves words that merely start like a secret alone', () => {
    // A shared start that is not cut off (the text goes on after it) is a look-alike, not a leak
    expect(redact("ERR Unknown sentinel subcommand 'x'", ['sentinels-secret'])).toBe(
      "ERR Unknown sentinel subcommand 'x'",
    );
    expect(redact('a password is set', ['password-123'])).toBe('a password is set');
  });

  it('redacts a cut-off start at the very end of the text', () => {
    expect(redact('args beginning with: pw-xxxxxxx', [`pw-${'x'.repeat(50)}`])).toBe(
      'args beginning with: ***',
    );
  });

  it('bounds the work on a huge message and never returns a secret cut at the edge', () => {
    const message = `${'y'.repeat(10_000)} ${secret}`;
    const error = toProbeError({ message }, [secret]);
    expect(error.message.length).toBeLessThanOrEqual(500);
    expect(error.message).not.toContain('line-two');
  });
});
