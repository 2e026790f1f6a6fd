import { pausesWrites, switchoverUnsupported } from '../../../lambdas/drill/phases/switchover';

describe('Function: pausesWrites', () => {
  it.each([
    ['5.0.14', false],
    ['6.0.20', false],
    ['6.2.16', true],
    ['7.0.15', true],
    ['7.2.4', true],
    ['8.0.1', true],
    ['', false],
  ])('%s -> %s (CLIENT PAUSE WRITE came in 6.2)', (version, expected) => {
    expect(pausesWrites(version)).toBe(expected);
  });

  it('names the version and what to do when the master cannot hold writes', () => {
    const node = { server: { version: '5.0.14', redisVersion: '5.0.14' } } as never;
    expect(switchoverUnsupported(node)).toMatch(
      /needs Redis 6\.2 or later; the master runs 5\.0\.14 \(run the drill without --switchover/,
    );
    expect(
      switchoverUnsupported({ server: { version: '8.0.1', redisVersion: '7.2.4' } } as never),
    ).toBeNull();
  });
});
