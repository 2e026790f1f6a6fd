// --aws-secrets against a Secrets Manager endpoint that accepts connections and never answers (a
// black-holed VPC endpoint, a stuck proxy): the CLI must give up within its deadline and say which
// secret it could not read, not hang. No redis-server: no lock needed.

import { execFile, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/redis-AbC123';
const work = mkdtempSync(join(tmpdir(), 'sw-cli-aws-'));
const bundle = join(work, 'sentinel-watch.cjs');
const sockets: Socket[] = [];
const silent = createServer((socket) => {
  sockets.push(socket);
});

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs'), bundle], {
    encoding: 'utf8',
  });
  expect(build.status).toBe(0);
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  silent.close();
  rmSync(work, { recursive: true, force: true });
});

it('gives up on a Secrets Manager that never answers, naming the secret', async () => {
  // Prepare
  const config = join(work, 'prod.json');
  writeFileSync(
    config,
    JSON.stringify({
      deployments: [{ masterName: 'm', sentinels: ['127.0.0.1:1'], passwordSecretArn: ARN }],
      vpc: { vpcId: 'vpc-0123456789abcdef0' },
    }),
  );
  const { port } = silent.address() as { port: number };
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
    AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
    AWS_CONFIG_FILE: join(work, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
  };

  // Act
  const started = Date.now();
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bundle, 'check', '--config', config, '--aws-secrets'],
      { env, timeout: 40_000 },
      (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
    );
  });

  // Assess: two attempts of 5 s each at most, then a clear error
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`sentinel-watch check: secret ${ARN}: could not be read`);
  expect(Date.now() - started).toBeLessThan(20_000);
}, 45_000);
