import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchOutcome, RedisCommand, Reply } from '../../../lambdas/core/batch';
import {
  nodeCommands,
  readNode,
  readSentinel,
  readWritingClients,
  sentinelCommands,
  WRITE_PROBE_TTL_MS,
  writeProbeKey,
} from '../../../lambdas/core/read-server';

// redis7/: captured from redis-server 7.0.15 (INFO as text, SENTINEL replies as ioredis gives them).
const text = (name: string): string => readFileSync(join(__dirname, '../../fixtures/redis7', name), 'utf8');
const json = (name: string): unknown => JSON.parse(text(name));

const ok = (value: unknown): Reply => ({ ok: true, value });
const replyError = (message: string): Reply => ({ ok: false, error: { name: 'ReplyError', message } });
const outcome = (replies: readonly Reply[], overrides: Partial<BatchOutcome> = {}): BatchOutcome => ({
  connected: true,
  error: null,
  auth: null,
  replies,
  rttMs: 1,
  ...overrides,
});

/** A real Redis 7 master answers every command of `commands`; `change` swaps some replies. */
function masterReplies(commands: readonly RedisCommand[], change: Record<string, Reply> = {}): Reply[] {
  const info = text('info-master.txt');
  const section = (name: string): string => {
    const start = info.indexOf(`# ${name}\r\n`);
    return `${info.slice(start, info.indexOf('\r\n\r\n', start))}\r\n`;
  };
  const config: Record<string, string> = {
    'replica-priority': '100',
    'min-replicas-to-write': '0',
    masterauth: '',
    requirepass: 'hunter2-secret',
    'min-replicas-max-lag': '10',
  };
  return commands.map((c) => {
    const key = c.join(' ');
    if (change[key]) return change[key];
    if (c[0] === 'INFO') return ok(section(c[1][0].toUpperCase() + c[1].slice(1)));
    if (c[0] === 'ROLE') return ok(json('role-master.json'));
    if (c[0] === 'GET') return ok(null);
    if (c[0] === 'PTTL') return ok(-2);
    if (c[0] === 'CONFIG') return ok([c[2], config[c[2]]]);
    if (c[0] === 'PING') return ok('PONG');
    if (c[0] === 'SET') return ok('OK');
    throw new Error(`no reply for ${key}`);
  });
}

const ADDRESS = { host: '127.0.0.1', port: 6690 };
const SECRETS = ['hunter2-secret'];

describe('Function: nodeCommands', () => {
  it('asks PING, the write-health INFO sections and min-replicas-max-lag of every node', () => {
    // Act
    const commands = nodeCommands('prod-cache');

    // Assess
    expect(commands.slice(9).map((c) => c.join(' '))).toEqual([
      'CONFIG GET min-replicas-max-lag',
      'PING',
      'INFO persistence',
      'INFO memory',
      'INFO stats',
      'INFO clients',
      'INFO errorstats',
    ]);
    expect(commands.some((c) => c[0] === 'SET')).toBe(false);
  });

  it('adds the write probe last, on its own key with a TTL, only when asked', () => {
    // Act
    const commands = nodeCommands('prod-cache', { writeProbe: { value: '2026-05-01T10:00:00.000Z' } });

    // Assess
    expect(commands).toHaveLength(nodeCommands('prod-cache').length + 1);
    expect(commands.at(-1)).toEqual([
      'SET',
      'sentinel-watch:probe:prod-cache',
      '2026-05-01T10:00:00.000Z',
      'PX',
      '60000',
    ]);
    expect(writeProbeKey('prod-cache')).toBe('sentinel-watch:probe:prod-cache');
    expect(WRITE_PROBE_TTL_MS).toBe(60_000);
  });
});

describe('Function: readNode', () => {
  it('reads PING, the write probe and the stats of a real Redis 7 master', () => {
    // Prepare
    const commands = nodeCommands('prod-cache', { writeProbe: { value: 'x' } });

    // Act
    const node = readNode(ADDRESS, ['sentinel'], outcome(masterReplies(commands)), commands, SECRETS);

    // Assess
    expect(node.error).toBeNull();
    expect(node.ping).toEqual({ ok: true });
    expect(node.writeProbe).toEqual({ ok: true });
    expect(node.stats).toMatchObject({
      rdbLastBgsaveOk: true,
      changesSinceLastSave: 50,
      maxMemoryPolicy: 'noeviction',
      errorCounts: { ERR: 2, NOAUTH: 1 },
    });
    expect(node.config).toEqual({
      'replica-priority': '100',
      'min-replicas-to-write': '0',
      masterauth: 'unset',
      requirepass: 'set',
      'min-replicas-max-lag': '10',
    });
  });

  it('keeps a refused write or PING as a fact about the server, not as a probe error', () => {
    // Prepare
    const commands = nodeCommands('prod-cache', { writeProbe: { value: 'x' } });
    const misconf =
      'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.';
    const replies = masterReplies(commands, {
      PING: replyError(misconf),
      [commands.at(-1)!.join(' ')]: replyError(misconf),
    });

    // Act
    const node = readNode(ADDRESS, ['sentinel'], outcome(replies), commands, SECRETS);

    // Assess
    expect(node.error).toBeNull();
    expect(node.reachable).toBe(true);
    expect(node.ping).toEqual({ ok: false, errorCode: 'MISCONF', message: misconf });
    expect(node.writeProbe).toEqual({ ok: false, errorCode: 'MISCONF', message: misconf });
  });

  it('redacts secrets from a refused reply, and shortens it', () => {
    // Prepare
    const commands = nodeCommands('prod-cache', { writeProbe: { value: 'x' } });
    const replies = masterReplies(commands, {
      [commands.at(-1)!.join(' ')]: replyError(`ERR weird hunter2-secret ${'x'.repeat(400)}`),
    });

    // Act
    const node = readNode(ADDRESS, ['sentinel'], outcome(replies), commands, SECRETS);

    // Assess
    expect(node.writeProbe?.message).not.toContain('hunter2-secret');
    expect(node.writeProbe?.message).toContain('ERR weird ***');
    expect(node.writeProbe?.message?.length).toBe(200);
  });

  it('says nothing about writes when the connection, not the server, failed the probe', () => {
    // Prepare: the batch was cut off before the probe's reply
    const commands = nodeCommands('prod-cache', { writeProbe: { value: 'x' } });
    const replies = masterReplies(commands, {
      [commands.at(-1)!.join(' ')]: { ok: false, error: { name: 'Error', message: 'Connection is closed.' } },
    });

    // Act
    const node = readNode(ADDRESS, ['sentinel'], outcome(replies), commands, SECRETS);

    // Assess
    expect(node.writeProbe).toBeNull();
  });

  it('gives no write probe, PING or stats where none was asked or answered (a node, a cut-off batch)', () => {
    // Prepare
    const commands = nodeCommands('prod-cache');
    const all = masterReplies(commands);

    // Act
    const replica = readNode(ADDRESS, ['sentinel'], outcome(all), commands, SECRETS);
    const cutOff = readNode(ADDRESS, ['sentinel'], outcome(all.slice(0, 10)), commands, SECRETS);

    // Assess
    expect(replica.writeProbe).toBeNull();
    expect(cutOff.ping).toBeNull();
    expect(cutOff.stats).toBeNull();
    expect(cutOff.config).not.toBeNull();
  });

  it('reads Redis 5, which answers INFO errorstats with an empty text, as "errorstats unknown"', () => {
    // Prepare
    const commands = nodeCommands('prod-cache');
    const replies = masterReplies(commands, { 'INFO errorstats': ok('') });

    // Act
    const node = readNode(ADDRESS, ['config'], outcome(replies), commands, SECRETS);

    // Assess
    expect(node.stats?.errorCounts).toBeNull();
    expect(node.stats?.rdbLastBgsaveOk).toBe(true);
    expect(node.error).toBeNull();
  });

  it('reads the stats quietly: sections refused by an ACL cost those facts, not an error on the node', () => {
    // Prepare
    const commands = nodeCommands('prod-cache');
    const noperm = replyError("NOPERM this user has no permissions to run the 'info' command");
    const replies = masterReplies(commands, {
      'INFO persistence': noperm,
      'INFO memory': noperm,
      'INFO stats': noperm,
      'INFO clients': noperm,
      'INFO errorstats': noperm,
    });

    // Act
    const node = readNode(ADDRESS, ['config'], outcome(replies), commands, SECRETS);

    // Assess
    expect(node.stats).toBeNull();
    expect(node.error).toBeNull();
  });

  it('reads nothing but the auth error of a node that refuses the password', () => {
    // Prepare
    const commands = nodeCommands('prod-cache', { writeProbe: { value: 'x' } });
    const denied = replyError('WRONGPASS invalid username-password pair or user is disabled.');

    // Act
    const node = readNode(
      ADDRESS,
      ['config'],
      outcome(
        commands.map(() => replyError('NOAUTH Authentication required.')),
        { auth: denied },
      ),
      commands,
      SECRETS,
    );

    // Assess
    expect(node.error?.class).toBe('auth-rejected');
    expect([node.ping, node.writeProbe, node.stats]).toEqual([null, null, null]);
  });
});

describe('Function: sentinelCommands and readSentinel', () => {
  const replies = (config: Reply): Reply[] => [
    ok(json('sentinel-get-master-addr-by-name.json')),
    ok(json('sentinel-master.json')),
    ok(json('sentinel-replicas.json')),
    ok(json('sentinel-sentinels.json')),
    ok(text('sentinel-ckquorum-ok.txt')),
    ok(text('info-sentinel.txt')),
    config,
    ok('7d5eaab22e4c8294745940a5399516bdaf48a9fc'),
  ];

  it('asks SENTINEL CONFIG GET * and MYID last, and reads the announce address without keeping the sentinel password', () => {
    // Prepare
    const commands = sentinelCommands('mymaster');
    const config = ok([
      'announce-ip',
      '203.0.113.9',
      'announce-port',
      '0',
      'sentinel-user',
      '',
      'sentinel-pass',
      'hunter2-secret',
    ]);

    // Act
    const s = readSentinel(
      { host: '127.0.0.1', port: 26690 },
      ['config'],
      outcome(replies(config)),
      commands,
      SECRETS,
    );

    // Assess
    expect(commands.slice(-2)).toEqual([
      ['SENTINEL', 'CONFIG', 'GET', '*'],
      ['SENTINEL', 'MYID'],
    ]);
    expect(s.error).toBeNull();
    expect(s.config).toEqual({
      announceIp: '203.0.113.9',
      announcePort: null,
      sentinelUser: 'unset',
      sentinelPass: 'set',
    });
    expect(JSON.stringify(s)).not.toContain('hunter2-secret');
    expect(s.myId).toBe('7d5eaab22e4c8294745940a5399516bdaf48a9fc');
    expect(s.sentinels[0]).toMatchObject({ lastPingReplyMs: 944, votedLeader: null, votedLeaderEpoch: 0 });
  });

  it('reads an older sentinel that refuses SENTINEL CONFIG quietly: no config, and no error', () => {
    // Prepare
    const commands = sentinelCommands('mymaster');
    const refused = replyError("ERR Unknown sentinel subcommand 'config'");

    // Act
    const s = readSentinel(
      { host: '127.0.0.1', port: 26690 },
      ['config'],
      outcome(replies(refused)),
      commands,
      SECRETS,
    );

    // Assess
    expect(s.config).toBeNull();
    expect(s.error).toBeNull();
    expect(s.master?.name).toBe('mymaster');
  });
});

describe('Function: readWritingClients', () => {
  it('keeps the clients whose last command was a write, at most 20', () => {
    // Prepare
    const line = (i: number, cmd: string) =>
      `id=${i} addr=10.0.5.${i}:5000 laddr=10.0.1.62:6379 fd=9 name=w${i} age=1 idle=0 flags=N db=0 cmd=${cmd} user=default`;
    const list = [
      line(1, 'get'),
      line(2, 'set'),
      line(3, 'client|list'),
      ...Array.from({ length: 30 }, (_, i) => line(10 + i, 'incr')),
    ];

    // Act
    const clients = readWritingClients(ok(list.join('\n')));

    // Assess
    expect(clients).toHaveLength(20);
    expect(clients?.[0]).toEqual({ addr: '10.0.5.2:5000', name: 'w2', lastCommand: 'set' });
    expect(clients?.every((c) => c.lastCommand === 'set' || c.lastCommand === 'incr')).toBe(true);
  });

  it('gives null when CLIENT LIST is refused or missing', () => {
    // Act
    const refused = readWritingClients(
      replyError("NOPERM this user has no permissions to run the 'client|list' command"),
    );
    const missing = readWritingClients(undefined);

    // Assess
    expect(refused).toBeNull();
    expect(missing).toBeNull();
  });
});
