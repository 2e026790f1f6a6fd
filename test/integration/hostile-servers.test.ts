// The probe against servers that flood, hang up mid-reply or send garbage (fake RESP servers on
// 127.0.0.1, port 0), and against a real redis-server that echoes the password back. Every case must
// end as a classified error in the snapshot, within its budget, without a secret in it.
// Ports: the real redis-server uses 8700 (helper h4's range 8700-8899).

import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import { parseDeployment } from '../../lambdas/core/config';
import { detect, detectionSettings, emptyDetectionState } from '../../lambdas/core/detect';
import { DEFAULT_MAX_REPLY_BYTES } from '../../lambdas/core/limits';
import { nodeCommands, readNode, sentinelCommands } from '../../lambdas/core/read-server';
import type { Snapshot } from '../../lambdas/core/types';
import { pollDeployment } from '../../lambdas/probe/poll-deployment';
import { endlessBulkString, FakeServers } from '../support/fake-resp-server';

const REAL_PORT = 8700;
const fakes = new FakeServers();
const fake = (behave: (socket: Socket) => void) => fakes.start(behave);

const MiB = 1024 * 1024;
const target = (port: number, password?: string) => ({
  host: '127.0.0.1',
  port,
  tls: false,
  ...(password ? { password } : {}),
});

afterAll(() => fakes.close());

describe('runBatch against hostile servers', () => {
  it('cuts an endless bulk string at the byte budget, long before the deadline', async () => {
    // Prepare
    const port = await fake(endlessBulkString);
    const started = Date.now();

    // Act: a 10 s deadline, which is what let it grow to 1.6 GB before
    const outcome = await runBatch(target(port), [['INFO']], 10_000, { maxReplyBytes: MiB });

    // Assess
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome.error).toMatchObject({ name: 'ReplyTooLargeError' });
    expect(outcome.error?.message).toContain('1 MiB');
    expect(outcome.bytesRead).toBeGreaterThan(MiB);
    // Over by at most what one read can bring in
    expect(outcome.bytesRead).toBeLessThan(MiB + 4 * 64 * 1024);
    const node = readNode({ host: '127.0.0.1', port }, ['config'], outcome, nodeCommands('d'), []);
    expect(node).toMatchObject({ reachable: false, error: { class: 'reply-too-large' } });
  });

  it('refuses a 50 MB INFO under the default budget', async () => {
    const body = Buffer.alloc(50 * MiB, 'a');
    const port = await fake((socket) => {
      socket.write(`$${body.length}\r\n`);
      socket.write(body);
    });
    const outcome = await runBatch(target(port), [['INFO']], 5_000);
    expect(outcome.error).toMatchObject({ name: 'ReplyTooLargeError' });
    expect(outcome.bytesRead).toBeLessThan(DEFAULT_MAX_REPLY_BYTES + 4 * 64 * 1024);
  });

  it('keeps the replies that came before a flood and marks the ones cut off', async () => {
    // Prepare: a "sentinel" that names its master, then floods the next reply
    const port = await fake((socket) => {
      socket.write('*2\r\n$8\r\n10.0.0.1\r\n$4\r\n6379\r\n');
      endlessBulkString(socket);
    });

    // Act
    const outcome = await runBatch(target(port), sentinelCommands('mymaster'), 5_000, {
      maxReplyBytes: 256 * 1024,
    });

    // Assess
    expect(outcome.replies[0]).toEqual({ ok: true, value: ['10.0.0.1', '6379'] });
    expect(outcome.replies.slice(1).every((r) => !r.ok && r.error.name === 'ReplyTooLargeError')).toBe(true);
  });

  it('reports a connection closed after part of the replies as connection-lost', async () => {
    // Prepare: INFO replication answered, then the server hangs up inside the next reply
    const info = 'role:master\r\nconnected_slaves:0\r\n';
    const port = await fake((socket) => socket.end(`$${info.length}\r\n${info}\r\n$100\r\nabc`));

    // Act
    const outcome = await runBatch(target(port), nodeCommands('d'), 2_000);

    // Assess
    const node = readNode({ host: '127.0.0.1', port }, ['config'], outcome, nodeCommands('d'), []);
    expect(node.replication?.role).toBe('master');
    expect(node.error).toMatchObject({ class: 'connection-lost', command: 'INFO' });
  });

  it('reports a 2,000,000-deep nested array as a protocol error, not a stack overflow', async () => {
    const port = await fake((socket) => socket.write(`${'*1\r\n'.repeat(2_000_000)}:1\r\n`));
    const outcome = await runBatch(target(port), [['INFO', 'replication']], 5_000, {
      maxReplyBytes: 16 * MiB,
    });
    const node = readNode({ host: '127.0.0.1', port }, ['config'], outcome, nodeCommands('d'), []);
    expect(node.error?.class).toBe('protocol');
    expect(node.error?.message).toMatch(/nested too deeply/);
    expect(JSON.stringify(node)).not.toMatch(/call stack|report this/i);
  });

  it('reports a deeply nested reply that fits the default budget the same way', async () => {
    // 262,144 levels of "*1\r\n" are exactly 1 MiB: within reach of the default budget
    const port = await fake((socket) => socket.write(`${'*1\r\n'.repeat(200_000)}:1\r\n`));
    const outcome = await runBatch(target(port), [['ROLE']], 5_000);
    const node = readNode({ host: '127.0.0.1', port }, ['config'], outcome, nodeCommands('d'), []);
    expect(node.error?.class).toBe('protocol');
  });
});

describe('pollDeployment with a flooding node', () => {
  it('reports it as reply-too-large with a finding that says what to check', async () => {
    // Prepare: the configured "sentinel" refuses, the configured node floods
    const node = await fake(endlessBulkString);
    const deployment = parseDeployment(
      {
        name: 'hostile',
        masterName: 'mymaster',
        sentinels: ['127.0.0.1:1'],
        nodes: [`127.0.0.1:${node}`],
        maxReplyBytes: 65_536,
      },
      'test',
    );

    // Act
    const snapshot = await pollDeployment(deployment, {}, { runBatch, now: Date.now });
    const { findings } = detect({
      current: snapshot,
      previous: null,
      state: emptyDetectionState(),
      settings: detectionSettings(deployment),
      now: Date.now(),
    });

    // Assess
    expect(snapshot.nodes[0]).toMatchObject({ reachable: false, error: { class: 'reply-too-large' } });
    const about = findings.filter((f) => f.subject === `node 127.0.0.1:${node}`);
    expect(about).toHaveLength(1);
    expect(about[0].message).toMatch(/more than the watcher reads from one server/);
  });
});

describe('secrets a real redis-server echoes back', () => {
  let redis: ChildProcess;

  beforeAll(async () => {
    // AUTH renamed away: Redis answers "ERR unknown command 'AUTH', with args beginning with: ..." and
    // quotes the password with its newline turned into a space, cut at 128 characters.
    redis = spawn(
      process.env.REDIS_SERVER ?? 'redis-server',
      [
        '--port',
        String(REAL_PORT),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--rename-command',
        'AUTH',
        'AUTH-RENAMED',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      async () => (await runBatch(target(REAL_PORT), [['PING']], 300)).replies[0]?.ok,
      5000,
      'redis-server to answer PING',
    );
  });

  afterAll(() => {
    if (redis?.pid) process.kill(redis.pid, 'SIGKILL');
  });

  it.each([
    ['a password with a newline', 'first-half\nsecond-half-s3cret'],
    ['a long password the server cuts short', `long-${'k'.repeat(150)}-end`],
    ['a password with a carriage return and a tab', 'tab\there\r\nand-more'],
  ])('never lets %s into the snapshot', async (_, password) => {
    // Act
    const deployment = parseDeployment(
      { name: 'echo', masterName: 'mymaster', sentinels: ['127.0.0.1:1'], nodes: [`127.0.0.1:${REAL_PORT}`] },
      'test',
    );
    const snapshot: Snapshot = await pollDeployment(deployment, { password }, { runBatch, now: Date.now });

    // Assess: the echo is there (so the test means something), the secret in no form
    const node = snapshot.nodes.find((n) => n.port === REAL_PORT)!;
    expect(node.error?.message).toMatch(/^ERR unknown command 'AUTH'/);
    const text = JSON.stringify(snapshot);
    for (const piece of password.split(/[\r\n\t]/).filter((p) => p.length >= 6)) {
      expect(text).not.toContain(piece.slice(0, 6));
    }
    expect(text).not.toContain(password.replace(/[\r\n]/g, ' '));
  });

  it('counts what a real node sends: its batch is a small fraction of the default budget', async () => {
    const outcome = await runBatch(target(REAL_PORT), nodeCommands('d'), 1000);
    expect(outcome.error).toBeNull();
    expect(outcome.bytesRead).toBeGreaterThan(500);
    expect(outcome.bytesRead).toBeLessThan(DEFAULT_MAX_REPLY_BYTES / 100);
  });
});
