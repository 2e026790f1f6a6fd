import {
  FLEET_CONFIG_FORMAT,
  fleetConfigDocument,
  parseFleetConfig,
  shardWatchConfig,
} from '../../../lambdas/core/fleet-config';
import { configErrorOf } from '../../support/config-error';

const watch = {
  deployments: ['a', 'b', 'c', 'd'].map((name) => ({ name, masterName: 'm', sentinels: ['10.0.0.1:26379'] })),
};

const errorOf = (input: unknown) => configErrorOf(() => parseFleetConfig(input)).message;

describe('Function: parseFleetConfig', () => {
  it('reads back what fleetConfigDocument writes', () => {
    // Act
    const fleet = parseFleetConfig(JSON.parse(JSON.stringify(fleetConfigDocument(watch, 2, ['c']))));

    // Assess
    expect(fleet.shards).toBe(2);
    expect(fleet.detailedMetrics).toEqual(['c']);
    expect(fleet.watch.deployments.map((d) => d.name)).toEqual(['a', 'b', 'c', 'd']);
    const shards = [0, 1].map((i) => shardWatchConfig(fleet, i).deployments.map((d) => d.name));
    expect(shards.flat().sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it.each([
    ['another format', { format: 'x', watch }, 'format: must be "sentinel-watch/fleet-config/1", got "x"'],
    [
      'a deployment error',
      { format: FLEET_CONFIG_FORMAT, watch: { deployments: [{ masterName: 'm', sentinels: ['x'] }] } },
      'deployments[0].sentinels[0]: "x" is not "host:port"',
    ],
    [
      'too many shards',
      { format: FLEET_CONFIG_FORMAT, watch, shards: 201 },
      'shards: must be between 1 and 200, got 201',
    ],
    [
      'an unknown deployment in detailedMetrics',
      { format: FLEET_CONFIG_FORMAT, watch, detailedMetrics: ['a', 'e'] },
      'detailedMetrics[1]: "e" is not the name of a configured deployment',
    ],
    [
      'a deployment listed twice in detailedMetrics',
      { format: FLEET_CONFIG_FORMAT, watch, detailedMetrics: ['a', 'a'] },
      'detailedMetrics[1]: "a" is listed twice',
    ],
    [
      'an unknown key',
      { format: FLEET_CONFIG_FORMAT, watch, shard: 2 },
      'shard: unknown key (did you mean "shards"?)',
    ],
  ])('rejects %s, naming the field', (_label, input, message) => {
    expect(errorOf(input)).toBe(message);
  });
});
