// Fleets: the deployments' config no longer rides in the Lambdas' 4 KB environment, so a stack holds
// as many deployments as its shards can poll (1,000 here), and a bad fleet config fails synth with the
// field named.

import { ConfigError } from '../../lambdas/core/errors';
import { parseStackConfig } from '../../lib/stack-config';
import { baseConfig, fleet, synth } from './helpers';

function configError(config: unknown): ConfigError {
  try {
    parseStackConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

describe('Fleet: 1,000 deployments in one stack', () => {
  it('synthesizes ten deployments, which no longer hit the environment size limit', () => {
    // Act
    const template = synth(baseConfig({ deployments: fleet(10) }));

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('synthesizes 1,000 deployments in 20 shards', () => {
    // Act
    const template = synth(baseConfig({ deployments: fleet(1000), shards: 20 }));

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('refuses too few shards for the deployments, saying how many would do', () => {
    expect(configError(baseConfig({ deployments: fleet(1000) })).message).toMatch(
      /^shards: 1 shard for 1000 deployments puts 1000 in shard 0, more than the 100 one poller invocation watches: set shards to \d+ or more$/,
    );
  });
});
