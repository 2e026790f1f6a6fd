// `check --config <the CDK stack config>` on a bastion: the deploy-only keys are ignored, and with
// --aws-secrets the passwords are read by ARN from Secrets Manager (here a local HTTP stand-in, through
// the real SDK in the bundled CLI) and used against a real topology on 127.0.0.1:6740-6742 and
// 26740-26742. Starts redis-server: run under the shared lock.

import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTopology } from '../../cli/local/topology';
import { type SecretsManagerStandIn, startSecretsManagerStandIn } from './stand-ins/secrets-manager';

const BASE = 6740;
const ROOT = join(__dirname, '..', '..');
const PASSWORD = 'stack-config-redis-pw';
const SENTINEL_PASSWORD = 'stack-config-sentinel-pw';
// Two regions: each secret must be read in the region of its ARN, whatever AWS_REGION says.
const PASSWORD_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/redis-AbC123';
const SENTINEL_ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:orders/sentinel-DeF456';

const work = mkdtempSync(join(tmpdir(), 'sw-cli-stack-'));
const bundle = join(work, 'sentinel-watch.cjs');
const stackConfigFile = join(work, 'prod.json');
let topology: LocalTopology | undefined;
let standIn: SecretsManagerStandIn;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The user's AWS credentials, isolated from whatever this machine has configured. */
function awsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
    AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
    AWS_REGION: 'ap-southeast-2',
    AWS_CONFIG_FILE: join(work, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint,
    ...extra,
  };
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv = awsEnv()): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs'), bundle], {
    encoding: 'utf8',
  });
  expect(build.status).toBe(0);
  topology = await LocalTopology.up({
    basePort: BASE,
    dir: join(work, 'topology'),
    password: PASSWORD,
    sentinelPassword: SENTINEL_PASSWORD,
  });
  standIn = await startSecretsManagerStandIn({
    [PASSWORD_ARN]: PASSWORD,
    [SENTINEL_ARN]: JSON.stringify({ password: SENTINEL_PASSWORD }),
  });
  // The example stack config, deploy-only keys and all, pointed at the local topology.
  const example = JSON.parse(readFileSync(join(ROOT, 'config/example.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(
    stackConfigFile,
    JSON.stringify({
      ...example,
      deployments: [
        {
          name: 'orders-cache',
          masterName: topology.masterName,
          sentinels: topology.sentinelAddresses,
          passwordSecretArn: PASSWORD_ARN,
          sentinelPasswordSecretArn: SENTINEL_ARN,
        },
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  await topology?.down();
  await standIn?.close();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  standIn.requests.length = 0;
});

describe('sentinel-watch check --config <stack config>', () => {
  it('without --aws-secrets, says how to give the password, and calls no AWS API', async () => {
    // Act
    const r = await cli(['check', '--config', stackConfigFile]);

    // Assess
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'deployments[0].passwordSecretArn: the password is kept in Secrets Manager: add --aws-secrets',
    );
    expect(r.stderr).toContain('or put it in an environment variable and add --password-env VAR');
    expect(standIn.requests).toEqual([]);
  });

  it('with --aws-secrets, reads both passwords by ARN in their regions and polls the deployment', async () => {
    // Act
    const r = await cli(['check', '--config', stackConfigFile, '--aws-secrets', '--json']);

    // Assess
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const snapshot = JSON.parse(r.stdout) as { status: string; master: { port: number } };
    expect(snapshot).toMatchObject({ status: 'ok', master: { port: BASE } });
    expect(standIn.requests.map((q) => [q.target, q.secretId, q.region]).sort()).toEqual([
      ['secretsmanager.GetSecretValue', PASSWORD_ARN, 'eu-west-1'],
      ['secretsmanager.GetSecretValue', SENTINEL_ARN, 'us-east-2'],
    ]);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(SENTINEL_PASSWORD);
  });

  it('takes the passwords from environment variables instead, with --password-env', async () => {
    const r = await cli(
      ['check', '--config', stackConfigFile, '--password-env', 'PW', '--sentinel-password-env', 'SPW'],
      awsEnv({ PW: PASSWORD, SPW: SENTINEL_PASSWORD }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Status: OK');
    expect(standIn.requests).toEqual([]);
  });

  it('fails with exit 1 naming a secret that does not exist, and the SDK cause', async () => {
    // Prepare
    const missing = join(work, 'missing-secret.json');
    const config = JSON.parse(readFileSync(stackConfigFile, 'utf8')) as {
      deployments: Record<string, unknown>[];
    };
    config.deployments[0].passwordSecretArn = `${PASSWORD_ARN.slice(0, -7)}-ZzZ999`;
    writeFileSync(missing, JSON.stringify(config));

    // Act
    const r = await cli(['check', '--config', missing, '--aws-secrets']);

    // Assess
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `sentinel-watch check: secret ${PASSWORD_ARN.slice(0, -7)}-ZzZ999: does not exist (ResourceNotFoundException)`,
    );
    expect(r.stderr).toContain("cause: Secrets Manager can't find the specified secret.");
  });
});
