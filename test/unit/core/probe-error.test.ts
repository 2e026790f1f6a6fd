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
