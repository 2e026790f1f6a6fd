// The deployments reach the Lambdas inside their code asset: a synth with real esbuild bundling (the
// only infra test that bundles, ~10 s) must put the validated fleet config next to each bundle, so
// that code and config deploy together, and what the Lambda reads back is what synth validated.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FLEET_CONFIG_FILE, parseFleetConfig } from '../../lambdas/core/fleet-config';
import { SentinelWatchStack } from '../../lib/sentinel-watch-stack';
import { parseStackConfig } from '../../lib/stack-config';
import { baseConfig, fleet, type Json, resourcesOf } from './helpers';

describe('Bundling: the fleet config in the code asset', () => {
  it('puts the validated config of 1,000 deployments next to the poller and the drill', () => {
    // Prepare
    const config = parseStackConfig(baseConfig({ deployments: fleet(1000), shards: 20 }));
    // Asset metadata as the CDK CLI asks for it: where each function's asset directory is.
    const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new SentinelWatchStack(app, 'SentinelWatch', { config });

    // Act
    const template = Template.fromStack(stack);
    const outdir = app.synth().directory;

    // Assess: both functions' asset directories hold the file, byte for byte what synth validated
    const functions = resourcesOf(template, 'AWS::Lambda::Function').filter(([, r]) =>
      /poller|drill/.test(String((r.Properties as Json).Description)),
    );
    expect(functions).toHaveLength(2);
    const assets = functions.map(([, r]) => join(outdir, (r.Metadata as Json)['aws:asset:path'] as string));
    expect(new Set(assets).size).toBe(2);
    for (const dir of assets) {
      expect(existsSync(join(dir, 'index.js'))).toBe(true);
      const text = readFileSync(join(dir, FLEET_CONFIG_FILE), 'utf8');
      expect(text).toBe(config.fleetConfigJson);
      const fleetConfig = parseFleetConfig(JSON.parse(text));
      expect(fleetConfig.shards).toBe(20);
      expect(fleetConfig.watch.deployments).toHaveLength(1000);
    }
  }, 120_000);

  it('changes the code asset when only the config changes, so a deploy updates both together', () => {
    // Prepare
    const assetHash = (deployments: number) => {
      const app = new App();
      const stack = new SentinelWatchStack(app, 'SentinelWatch', {
        config: parseStackConfig(baseConfig({ deployments: fleet(deployments) })),
      });
      const [, poller] = resourcesOf(Template.fromStack(stack), 'AWS::Lambda::Function').find(([, r]) =>
        /poller/.test(String((r.Properties as Json).Description)),
      ) as [string, Json];
      return JSON.stringify((poller.Properties as Json).Code);
    };

    // Act / Assess
    expect(assetHash(3)).not.toBe(assetHash(4));
  }, 120_000);
});
