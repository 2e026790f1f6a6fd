import { ConfigError } from '../../../lambdas/core/errors';
import { shardFromEvent } from '../../../lambdas/poller/shard-event';

describe('Function: shardFromEvent', () => {
  it('reads the shard the schedule sends, and defaults to 0 with one shard', () => {
    expect(shardFromEvent({ shard: 2 }, 3)).toEqual({ kind: 'shard', shard: 2 });
    expect(shardFromEvent({ 'detail-type': 'Scheduled Event' }, 1)).toEqual({ kind: 'shard', shard: 0 });
    expect(shardFromEvent(undefined, 1)).toEqual({ kind: 'shard', shard: 0 });
  });

  it('polls nothing for a shard beyond the config (a rule of an earlier deploy)', () => {
    expect(shardFromEvent({ shard: 3 }, 3)).toMatchObject({ kind: 'none' });
  });

  it('refuses a shard that is not a whole number, naming the field', () => {
    expect(() => shardFromEvent({ shard: '1' }, 3)).toThrow(ConfigError);
    expect(() => shardFromEvent({ shard: -1 }, 3)).toThrow(
      'event.shard: must be a whole number from 0, got -1',
    );
  });
});
