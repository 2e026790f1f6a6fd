import { BadReplyError } from '../../../lambdas/core/errors';
import {
  parseClientList,
  parseErrorCounts,
  parseInfo,
  parseNodeStats,
  parseSentinelInfo,
  parseServerInfo,
} from '../../../lambdas/core/parse-info';
import { type FixtureVersion, fixture } from '../helpers/fixtures';
import { healthyStats } from '../helpers/snapshot-factory';

const info = (version: FixtureVersion, name: string) => parseInfo(fixture(version, name));

describe('Function: parseInfo', () => {
  it('maps every field of a real Redis 7 INFO reply and skips section headers and blank lines', () => {
    // Prepare
    const text = fixture('redis7', 'info-master.txt');

    // Act
    const fields = parseInfo(text);

    // Assess
    expect(text).toContain('\r\n');
    expect(fields.redis_version).toBe('7.0.15');
    expect(fields.role).toBe('master');
    expect(fields.os).toBe('Linux 6.18.44-fc-v669 x86_64');
    expect(fields.errorstat_NOAUTH).toBe('count=1');
    expect(Object.keys(fields).some((key) => key.startsWith('#') || key === '')).toBe(false);
    expect(Object.values(fields).some((value) => value.endsWith('\r'))).toBe(false);
  });

  it('keeps everything after the first colon in the value', () => {
    // Prepare
    const text = '# Replication\r\nrole:slave\r\nmaster_host:fe80::1\r\n\r\nweird:a:b:c\r\n';

    // Act
    const fields = parseInfo(text);

    // Assess
    expect(fields).toEqual({ role: 'slave', master_host: 'fe80::1', weird: 'a:b:c' });
  });

  it('accepts bare \\n line ends and ignores lines without a field name', () => {
    // Prepare
    const text = 'role:master\nno colon here\n:orphan value\nconnected_slaves:0\n';

    // Act
    const fields = parseInfo(text);

    // Assess
    expect(fields).toEqual({ role: 'master', connected_slaves: '0' });
  });

  it('returns an empty map for an empty reply', () => {
    // Prepare
    const text = '';

    // Act
    const fields = parseInfo(text);

    // Assess
    expect(fields).toEqual({});
  });

  it.each([[42], [null], [['role:master']]])('throws BadReplyError for a non-text reply (%p)', (reply) => {
    // Prepare
    const parse = () => parseInfo(reply as unknown as string);

    // Act & Assess
    expect(parse).toThrow(BadReplyError);
  });
});

describe('Function: parseServerInfo', () => {
  it('reads a real Redis 7 data node', () => {
    // Prepare
    const fields = info('redis7', 'info-master.txt');

    // Act
    const server = parseServerInfo(fields);

    // Assess
    expect(server).toEqual({
      version: '7.0.15',
      flavour: 'redis',
      redisVersion: '7.0.15',
      runId: 'eb6841f55d250619cae551231a2f2f354fabc276',
      uptimeSeconds: 35,
      mode: 'standalone',
      tcpPort: 6690,
    });
  });

  it('reads a real Redis 7 sentinel', () => {
    // Prepare
    const fields = info('redis7', 'info-sentinel.txt');

    // Act
    const server = parseServerInfo(fields);

    // Assess
    expect(server.mode).toBe('sentinel');
    expect(server.tcpPort).toBe(26690);
    expect(server.runId).toBe('7eda7d5c35875844b3582da29122bc3be8637343');
  });

  it('reads a real Redis 5 data node', () => {
    // Prepare
    const fields = info('redis5', 'info-replica.txt');

    // Act
    const server = parseServerInfo(fields);

    // Assess
    expect(server).toEqual({
      version: '5.0.14',
      flavour: 'redis',
      redisVersion: '5.0.14',
      runId: fields.run_id,
      uptimeSeconds: Number(fields.uptime_in_seconds),
      mode: 'standalone',
      tcpPort: 8301,
    });
    expect(server.runId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives null for absent or non-numeric fields, never NaN', () => {
    // Prepare
    const fields = parseInfo('uptime_in_seconds:soon\r\ntcp_port:\r\n');

    // Act
    const server = parseServerInfo(fields);

    // Assess
    expect(server).toEqual({
      version: null,
      flavour: null,
      redisVersion: null,
      runId: null,
      uptimeSeconds: null,
      mode: null,
      tcpPort: null,
    });
  });

  it('names a real Valkey 8 as valkey 8.0.1, not by its redis_version compatibility field', () => {
    // Prepare
    const fields = info('valkey8', 'info-master.txt');

    // Act
    const server = parseServerInfo(fields);

    // Assess: Valkey 8 also renamed redis_mode to server_mode
    expect(fields.redis_version).toBe('7.2.4');
    expect(fields.redis_mode).toBeUndefined();
    expect(server).toMatchObject({
      version: '8.0.1',
      flavour: 'valkey',
      redisVersion: '7.2.4',
      mode: 'standalone',
    });
    expect(parseServerInfo(info('valkey8', 'info-sentinel.txt'))).toMatchObject({
      flavour: 'valkey',
      mode: 'sentinel',
    });
  });
});

describe('Function: parseSentinelInfo', () => {
  it('reads a real Redis 7 sentinel out of TILT', () => {
    // Prepare
    const fields = info('redis7', 'info-sentinel.txt');

    // Act
    const sentinel = parseSentinelInfo(fields);

    // Assess
    expect(sentinel).toEqual({ tilt: false, masters: 1 });
  });

  it('reads a real Redis 5 sentinel in TILT, and out of it', () => {
    // Act
    const tilt = parseSentinelInfo(info('redis5', 'info-sentinel-tilt.txt'));
    const normal = parseSentinelInfo(info('redis5', 'info-sentinel.txt'));

    // Assess
    expect(tilt).toEqual({ tilt: true, masters: 1 });
    expect(normal).toEqual({ tilt: false, masters: 1 });
  });

  it('reads a real Valkey 8 sentinel in TILT', () => {
    expect(parseSentinelInfo(info('valkey8', 'info-sentinel-tilt.txt'))).toEqual({ tilt: true, masters: 1 });
  });

  it('gives nulls for the INFO of a data node', () => {
    // Prepare
    const fields = info('redis7', 'info-master.txt');

    // Act
    const sentinel = parseSentinelInfo(fields);

    // Assess
    expect(sentinel).toEqual({ tilt: null, masters: null });
  });
});

/** One section of a captured INFO reply, as `INFO <section>` returns it. */
const section = (text: string, name: string): string => {
  const start = text.indexOf(`# ${name}\r\n`);
  const end = text.indexOf('\r\n\r\n', start);
  return `${text.slice(start, end)}\r\n`;
};

describe('Function: parseErrorCounts', () => {
  it('reads the counts of a real Redis 7 errorstats section', () => {
    // Prepare
    const fields = parseInfo(section(fixture('redis7', 'info-master.txt'), 'Errorstats'));

    // Act
    const counts = parseErrorCounts(fields);

    // Assess
    expect(counts).toEqual({ ERR: 2, NOAUTH: 1 });
  });

  it('skips lines without a count, and fields of other sections', () => {
    // Act
    const counts = parseErrorCounts({
      errorstat_READONLY: 'count=1200',
      errorstat_BROKEN: 'count=x',
      errorstat_OTHER: 'calls=3',
      total_error_replies: '7',
    });

    // Assess
    expect(counts).toEqual({ READONLY: 1200 });
  });
});

describe('Function: parseNodeStats', () => {
  it('reads the write-health facts of a real Redis 7 master (persistence, memory, stats, clients, errorstats)', () => {
    // Prepare
    const text = fixture('redis7', 'info-master.txt');
    const fields = {
      ...parseInfo(section(text, 'Persistence')),
      ...parseInfo(section(text, 'Memory')),
      ...parseInfo(section(text, 'Stats')),
      ...parseInfo(section(text, 'Clients')),
    };

    // Act
    const stats = parseNodeStats(fields, section(text, 'Errorstats'));

    // Assess
    expect(stats).toEqual({
      ...healthyStats(),
      changesSinceLastSave: 50,
      errorCounts: { ERR: 2, NOAUTH: 1 },
    });
  });

  it('reads failing persistence as false, not as unknown', () => {
    // Act
    const stats = parseNodeStats(
      { rdb_last_bgsave_status: 'err', aof_enabled: '1', aof_last_write_status: 'err', loading: '1' },
      '# Errorstats\r\n',
    );

    // Assess
    expect(stats).toMatchObject({
      rdbLastBgsaveOk: false,
      aofEnabled: true,
      aofLastWriteOk: false,
      loading: true,
    });
  });

  it('tells "no errors yet" (an empty section) from "no errorstats" (Redis before 6.2 answers an empty text)', () => {
    // Act
    const redis7 = parseNodeStats({}, '# Errorstats\r\n');
    const redis5 = parseNodeStats({}, '');
    const refused = parseNodeStats({}, null);

    // Assess
    expect(redis7.errorCounts).toEqual({});
    expect(redis5.errorCounts).toBeNull();
    expect(refused.errorCounts).toBeNull();
  });

  it('gives null for every fact a server did not report', () => {
    // Act
    const stats = parseNodeStats({ used_memory: 'lots' }, null);

    // Assess
    expect(Object.values(stats).every((v) => v === null)).toBe(true);
  });
});

describe('Function: parseClientList', () => {
  it('reads address, name and last command of each client of a real Redis 7 CLIENT LIST', () => {
    // Prepare
    const text = [
      'id=3 addr=127.0.0.1:52555 laddr=127.0.0.1:6379 fd=8 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22298 events=r cmd=client|list user=default redir=-1 resp=2',
      'id=7 addr=10.0.5.7:51234 laddr=10.0.1.62:6379 fd=9 name=billing-worker age=12 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=set user=default redir=-1 resp=2',
      '',
    ].join('\n');

    // Act
    const clients = parseClientList(text);

    // Assess
    expect(clients).toEqual([
      { addr: '127.0.0.1:52555', name: '', lastCommand: 'client|list' },
      { addr: '10.0.5.7:51234', name: 'billing-worker', lastCommand: 'set' },
    ]);
  });

  it('skips lines without an address, and rejects a reply that is not text', () => {
    // Act
    const clients = parseClientList('garbage\nid=1 name=x cmd=get\r\n');
    const notText = () => parseClientList(42 as unknown as string);

    // Assess
    expect(clients).toEqual([]);
    expect(notText).toThrow(BadReplyError);
  });
});
