// One sentinel-watch Lambda function, the way all of them are built: bundled from its TypeScript
// entry by the local esbuild (minified, with source maps; the AWS SDK is bundled too, so the code runs
// on the exact dependency versions it was tested with), Node.js 24 on ARM64, its own log group with
// a retention, and its own role holding only what is granted to it: no AWS-managed policies.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Duration, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root (this file is lib/constructs/watcher-function.ts). */
export const PROJECT_ROOT = `${__dirname}/../..`;

export interface WatcherFunctionProps {
  /** Entry file, relative to the repository root (e.g. `lambdas/poller/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  readonly logRetentionDays: number;
  /** In a VPC: its subnets and security group. */
  readonly network?: {
    readonly vpc: ec2.IVpc;
    readonly subnets: ec2.SubnetSelection;
    readonly securityGroup: ec2.ISecurityGroup;
  };
  readonly reservedConcurrency?: number;
  /** Asynchronous invocations (schedule, SNS): retries, and how old an event may get in the queue. */
  readonly async?: { readonly retryAttempts: number; readonly maxEventAge: Duration };
  /**
   * Files put next to the bundle (name -> content), e.g. the fleet config: they are part of the code
   * asset, so its hash, and a deploy changes code and files together.
   */
  readonly bundledFiles?: Readonly<Record<string, string>>;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class WatcherFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WatcherFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `sentinel-watch ${id}: only what this function needs`,
    });
    // Logs: its own log group only (no logs:CreateLogGroup: the group exists).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    if (props.network) {
      // What AWSLambdaVPCAccessExecutionRole holds besides logs: the Lambda service creates and
      // deletes the function's network interfaces with the function's role.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'VpcNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the EC2 network-interface actions Lambda needs to attach a function to a VPC (the ' +
          'same list as the AWS-managed AWSLambdaVPCAccessExecutionRole): ec2:DescribeNetworkInterfaces ' +
          'and ec2:DescribeSubnets support no resource-level permissions, and the interfaces do not ' +
          'exist until Lambda creates them, so no narrower resource can be named. Every other ' +
          'statement of this role names its resources.',
      });
    }

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}/${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}/package-lock.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      // Stack traces of the minified bundle point into the TypeScript sources.
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      retryAttempts: props.async?.retryAttempts,
      maxEventAge: props.async?.maxEventAge,
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: [props.network.securityGroup],
          }
        : {}),
      bundling: {
        minify: true,
        // Our errors take their `name` from their class (SentinelWatchError): minified without this,
        // logs and alerts would say `e` instead of `StoreError`.
        keepNames: true,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.EXTERNAL,
        sourcesContent: false,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        // Bundle everything, @aws-sdk/* included: the versions in package-lock.json are the tested ones.
        externalModules: [],
        forceDockerBundling: false,
        logLevel: nodejs.LogLevel.WARNING,
        ...(props.bundledFiles ? { commandHooks: this.copyFiles(props.bundledFiles) } : {}),
      },
    });
    // The role's policies must exist before Lambda checks the VPC permissions at creation.
    this.function.node.addDependency(this.role);
  }

  /**
   * Writes the files at synth under the app's output directory and copies them into the bundle's
   * output after esbuild ran. A file under the project root is named through the bundling input
   * directory, so the copy works in Docker bundling too.
   */
  private copyFiles(files: Readonly<Record<string, string>>): nodejs.ICommandHooks {
    const sources = Object.entries(files).map(([name, content]) => {
      if (!FILE_NAME.test(name)) throw new Error(`bundled file name "${name}" is not a plain file name`);
      const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
      const dir = join(Stage.of(this)?.outdir ?? PROJECT_ROOT, 'sentinel-watch-files', digest);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), content);
      return { name, path: join(dir, name) };
    });
    const quote = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
    return {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) =>
        sources.map(({ name, path }) => {
          const rel = relative(PROJECT_ROOT, path);
          const from = rel.startsWith('..') ? path : `${inputDir}/${rel.split('\\').join('/')}`;
          return `cp ${quote(from)} ${quote(`${outputDir}/${name}`)}`;
        }),
    };
  }

  /** Read these Secrets Manager secrets (full ARNs) and nothing else. */
  grantReadSecrets(secretArns: readonly string[], kmsKeyArns: readonly string[] = []): void {
    if (secretArns.length === 0) return;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadConfiguredSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...secretArns],
      }),
    );
    // Path prefixes stand for many secrets (lib/stack-config/secrets.ts): acknowledged one by one.
    for (const prefix of secretArns.filter((a) => a.endsWith('/*'))) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${prefix}]`,
        reason:
          'The configured deployments name more password secrets than one IAM policy can list, so ' +
          'they are granted by the path prefix they share; the secrets under it are the ones named in ' +
          'the config (GetSecretValue only, no listing).',
      });
    }
    if (kmsKeyArns.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptConfiguredSecrets',
          actions: ['kms:Decrypt'],
          resources: [...kmsKeyArns],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
  }
}
