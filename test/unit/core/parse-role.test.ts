import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadReplyError } from '../../../lambdas/core/errors';
import { parseRoleReply } from '../../../lambdas/core/parse-role';

// redis7/: captured from redis-server 7.0.15 through ioredis (protocol 2); redis5/: recorded from the real
// 5.0.14 by scripts/record-fixtures.ts (offsets change on refresh: compare with the raw reply).
const fixture = (version: 'redis5' | 'redis7', name: string): unknown[] =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures', version, name), 'utf8'));

describe('Function: parseRoleReply', () => {
  it('reads a real Redis 7 master (replica port and offset arrive as strings)', () => {
    // Prepare
    const reply = fixture('redis7', 'role-master.json');

    // Act
    const role = parseRoleReply(reply);

    // Assess
    expect(role).toEqual({
      role: 'master',
      offset: 4805,
      replicas: [{ host: '127.0.0.1', port: 6691, offset: 4805 }],
    });
  });

  it('reads a real Redis 7 replica (slave becomes replica)', () => {
    // Prepare
    const reply = fixture('redis7', 'role-replica.json');

    // Act
    const role = parseRoleReply(reply);

    // Assess
    expect(role).toEqual({
      role: 'replica',
      masterHost: '127.0.0.1',
      masterPort: 6690,
      state: 'connected',
      offset: 4805,
    });
  });

  it('reads a real Redis 7 sentinel', () => {
    // Prepare
    const reply = fixture('redis7', 'role-sentinel.json');

    // Act
    const role = parseRoleReply(reply);

    // Assess
    expect(role).toEqual({ role: 'sentinel', masterNames: ['mymaster'] });
  });

  it('reads a real Redis 5 master with two replicas', () => {
    // Prepare
    const reply = fixture('redis5', 'role-master.json');

    // Act
    const role = parseRoleReply(reply);

    // Assess
    const acked = (reply[2] as string[][]).map((r) => Number(r[2]));
    expect(role).toEqual({
      role: 'master',
      offset: reply[1],
      replicas: [
        { host: '127.0.0.1', port: 8301, offset: acked[0] },
        { host: '127.0.0.1', port: 8302, offset: acked[1] },
      ],
    });
    expect(acked.every((o) => o > 0)).toBe(true);
  });

  it('reads a real Redis 5 replica', () => {
    // Prepare
    const reply = fixture('redis5', 'role-replica.json');

    // Act
    const role = parseRoleReply(reply);

    // Assess
    expect(role).toEqual({
      role: 'replica',
      masterHost: '127.0.0.1',
      masterPort: 8300,
      state: 'connected',
      offset: Number(reply[4]),
    });
  });

  it('reads a real Redis 5 replica whose master is gone: state connect, offset -1', () => {
    // Act
    const role = parseRoleReply(fixture('redis5', 'role-replica-link-down.json'));

    // Assess
    expect(role).toEqual({
      role: 'replica',
      masterHost: '127.0.0.1',
      masterPort: 8300,
      state: 'connect',
      offset: -1,
    });
  });

  it('accepts the replica spelling, numeric strings and the -1 offset of a replica not yet synced', () => {
    // Prepare
    const reply = ['replica', '10.0.1.61', '6379', 'connect', '-1'];

    // Act
    const role = parseRoleReply(reply);

    // Assess
    expect(role).toEqual({
      role: 'replica',
      masterHost: '10.0.1.61',
      masterPort: 6379,
      state: 'connect',
      offset: -1,
    });
  });

  it('accepts a master without replicas and numbers inside the replica entries', () => {
    // Prepare
    const lonely = ['master', '0', []];
    const numeric = ['master', 10, [['10.0.1.62', 6379, 10]]];

    // Act
    const lonelyRole = parseRoleReply(lonely);
    const numericRole = parseRoleReply(numeric);

    // Assess
    expect(lonelyRole).toEqual({ role: 'master', offset: 0, replicas: [] });
    expect(numericRole).toEqual({
      role: 'master',
      offset: 10,
      replicas: [{ host: '10.0.1.62', port: 6379, offset: 10 }],
    });
  });

  it.each([
    ['a number', 42],
    ['a string', 'master'],
    ['null', null],
    ['an object', { role: 'master' }],
    ['an empty array', []],
    ['an unknown role', ['leader', 1]],
    ['a non-string role', [1, 2, 3]],
    ['a master without replica list', ['master']],
    ['a master with a non-numeric offset', ['master', 'abc', []]],
    ['a master with a float offset', ['master', 1.5, []]],
    ['a master with a short replica entry', ['master', 1, [['10.0.1.62', '6379']]]],
    ['a master with a non-numeric replica port', ['master', 1, [['10.0.1.62', 'port', '1']]]],
    ['a master with a replica that is not an array', ['master', 1, ['10.0.1.62:6379']]],
    ['a replica reply with 4 elements', ['slave', '10.0.1.61', 6379, 'connected']],
    ['a replica reply with an empty host', ['slave', '', 6379, 'connected', 1]],
    ['a replica reply with a non-numeric port', ['replica', '10.0.1.61', 'x', 'connected', 1]],
    ['a sentinel reply without a list', ['sentinel', 'mymaster']],
    ['a sentinel reply with a non-string name', ['sentinel', [1]]],
  ])('throws BadReplyError for %s', (_label, reply) => {
    // Prepare
    let thrown: unknown;

    // Act
    try {
      parseRoleReply(reply);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(BadReplyError);
    expect((thrown as BadReplyError).command).toBe('ROLE');
  });
});
