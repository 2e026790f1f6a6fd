// bin/app.ts as the CDK CLI runs it (`npx tsx bin/app.ts`, context in CDK_CONTEXT_JSON), bundling
// skipped: a bad config must end the process with the field named and no stack trace.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseConfig, CDK_JSON_FLAGS, deployment, explicitVpc, type Json } from './helpers';

const root = join(__dirname, '../..');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');

function runApp(context: Json) {
  const outdir = mkdtempSync(join(tmpdir(), 'sentinel-watch-app-'));
  try {
    const result = spawnSync(process.execPath, [tsx, 'bin/app.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        CDK_OUTDIR: outdir,
        // The CLI passes cdk.json's context (its feature flags) along with -c values.
        CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_FLAGS, 'aws:cdk:bundling-stacks': [], ...context }),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const templateFile = join(outdir, 'SentinelWatch.template.json');
    const template = existsSync(templateFile)
      ? (JSON.parse(readFileSync(templateFile, 'utf8')) as Json)
      : null;
    const templates = existsSync(outdir)
      ? readdirSync(outdir).filter((f) => f.endsWith('.template.json'))
      : [];
    return { status: result.status, stderr: result.stderr, template, templates: templates.sort() };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('App: bin/app.ts', () => {
  it('stops on a bad config with the field named and no stack trace', () => {
    // Act
    const { status, stderr, template } = runApp({
      'sentinel-watch:config': baseConfig({ deployments: [deployment({ masterName: undefined })] }),
    });

    // Assess
    expect(status).toBe(1);
    expect(stderr.trim()).toBe('sentinel-watch: invalid config: deployments[0].masterName: is required');
    expect(template).toBeNull();
  });

  it('refuses config/example.json by default: its VPC ids are placeholders', () => {
    // Act: `cdk deploy` with no -c
    const { status, stderr, template } = runApp({});

    // Assess
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      'sentinel-watch: invalid config: vpc.vpcId: "vpc-0a1b2c3d4e5f67890" is a placeholder from ' +
        'config/example.json, not an id in your account. Copy the example to config/prod.json, put in ' +
        'your VPC, subnets and deployments, and pass it: -c sentinel-watch:configFile=config/prod.json. ' +
        'To synthesize the example on purpose (CI, a first look at the template), add ' +
        '-c sentinel-watch:allowExampleConfig=true',
    );
    expect(template).toBeNull();
  });

  it('refuses a copy of the example that kept one of its placeholder ids, naming the field', () => {
    const example = JSON.parse(readFileSync(join(root, 'config/example.json'), 'utf8')) as Json;
    const { status, stderr } = runApp({
      'sentinel-watch:config': { ...example, vpc: { vpcId: 'vpc-0123456789abcdef0' } },
    });
    expect(status).toBe(1);
    expect(stderr).toContain('redisSecurityGroupId: "sg-0a1b2c3d4e5f67890" is a placeholder');
  });

  it('synthesizes config/example.json when asked to (npm run synth), cdk-nag included', () => {
    // Act: -c values arrive as strings
    const { status, stderr, template } = runApp({ 'sentinel-watch:allowExampleConfig': 'true' });

    // Assess
    expect(stderr).not.toMatch(/AwsSolutions/);
    expect(status).toBe(0);
    expect(Object.keys((template?.Outputs as Json) ?? {})).toContain('DrillCommand');
  });

  it('synthesizes the alerting stack and one watcher stack per VPC for a config with watchers', () => {
    // Act
    const { status, stderr, templates } = runApp({
      'sentinel-watch:config': {
        alerting: { alertEmails: ['redis-team@example.com'] },
        watchers: [
          { name: 'orders-vpc', vpc: explicitVpc(), deployments: [deployment()] },
          {
            name: 'payments-vpc',
            vpc: explicitVpc({ vpcId: 'vpc-0fedcba9876543210' }),
            deployments: [deployment({ name: 'payments-cache' })],
          },
        ],
      },
    });

    // Assess
    expect(stderr).not.toMatch(/AwsSolutions|Error/);
    expect(status).toBe(0);
    expect(templates).toEqual([
      'SentinelWatch-alerting.template.json',
      'SentinelWatch-orders-vpc.template.json',
      'SentinelWatch-payments-vpc.template.json',
    ]);
  });
});
