// The CDK app (cdk.json: `npx tsx bin/app.ts`). Reads the config named in context, builds the stack
// (or, for a config with `watchers`, the alerting stack and one watcher stack per VPC) in the account
// and region the CLI resolved, and runs cdk-nag's AWS Solutions checks on it. A bad config stops synth
// with the field named, not a stack trace; so does config/example.json's placeholder VPC, unless
// `-c sentinel-watch:allowExampleConfig=true` asks for the example.

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lambdas/core/errors';
import { buildFleet } from '../lib/fleet-stacks';
import { SentinelWatchStack } from '../lib/sentinel-watch-stack';
import { loadAppConfig, refuseExampleConfig, stackNameFrom } from '../lib/stack-config';

const app = new App();
try {
  const loaded = loadAppConfig(app.node);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  if (loaded.kind === 'fleet') {
    for (const w of loaded.layout.watchers) refuseExampleConfig(w.config, app.node);
    buildFleet(app, loaded.layout, stackNameFrom(app.node), env);
  } else {
    refuseExampleConfig(loaded.config, app.node);
    new SentinelWatchStack(app, stackNameFrom(app.node), { config: loaded.config, env });
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`sentinel-watch: invalid config: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
