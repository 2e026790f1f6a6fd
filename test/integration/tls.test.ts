// TLS: a real redis-server with a TLS port and a certificate from a private CA made here with openssl.
// The CLI runs as its own process so NODE_EXTRA_CA_CERTS (read at start-up) can trust the CA.

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureRedisServer } from '../../cli/local/redis-server-binary';
import { waitFor } from '../../cli/local/topology';
import { runBatch } from '../../lambdas/adapters/redis-batch';
import type { Snapshot } from '../../lambdas/core/types';

const TLS_PORT = 6730;
const PASSWORD = 'tls-test-password';
const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'sw-tls-'));
const file = (name: string) => join(dir, name);
let server: ChildProcess;

function makeCertificates(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=sentinel-watch test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
}

async function checkJson(env: Record<string, string>): Promise<Snapshot> {
  writeFileSync(
    file('config.json'),
    JSON.stringify({
      deployments: [
        {
          name: 'tls',
          masterName: 'mymaster',
          sentinels: [`127.0.0.1:${TLS_PORT}`],
          nodes: [`127.0.0.1:${TLS_PORT}`],
          passwordEnv: 'TLS_PW',
          tls: true,
        },
      ],
    }),
  );
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bin/sentinel-watch.ts', 'check', '--config', file('config.json'), '--json'],
    {
      cwd: ROOT,
      env: { ...process.env, TLS_PW: PASSWORD, ...env },
    },
  ).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return JSON.parse(stdout) as Snapshot;
}

beforeAll(async () => {
  makeCertificates();
  const redisServer = await ensureRedisServer({ install: false });
  server = spawn(
    redisServer,
    [
      '--port',
      '0',
      '--tls-port',
      String(TLS_PORT),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--requirepass',
      PASSWORD,
      '--tls-cert-file',
      file('server.pem'),
      '--tls-key-file',
      file('server.key'),
      '--tls-ca-cert-file',
      file('ca.pem'),
      '--tls-auth-clients',
      'no',
    ],
    { stdio: 'ignore' },
  );
  // Until it listens, a plain connection is refused; once it does, plain text gets no RESP answer.
  await waitFor(
    async () =>
      (await runBatch({ host: '127.0.0.1', port: TLS_PORT, tls: false }, [['PING']], 200)).connected,
    5000,
    'the TLS port to listen',
  );
}, 30_000);

afterAll(() => {
  if (server?.pid) process.kill(server.pid, 'SIGKILL');
});

describe('TLS', () => {
  it('reads a node over TLS when its CA is trusted', async () => {
    const s = await checkJson({ NODE_EXTRA_CA_CERTS: file('ca.pem') });
    const node = s.nodes.find((n) => n.port === TLS_PORT);
    expect(node).toMatchObject({ reachable: true, error: null, role: 'master' });
    expect(node?.server?.version).toMatch(/^7\./);
    // The port is a data node, not a sentinel: it answers, but not SENTINEL commands.
    expect(s.sentinels[0]).toMatchObject({ reachable: true, error: { class: 'unsupported-command' } });
  });

  it('reports an untrusted certificate as a tls error', async () => {
    const s = await checkJson({ NODE_EXTRA_CA_CERTS: '' });
    expect(s.nodes.find((n) => n.port === TLS_PORT)).toMatchObject({
      reachable: false,
      error: { class: 'tls' },
    });
  });
});
