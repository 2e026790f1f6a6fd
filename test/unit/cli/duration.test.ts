import { formatDuration, parseDuration } from '../../../cli/duration';
import { UsageError } from '../../../lambdas/core/errors';

const seconds = { flag: '--interval', plainUnit: 's', minMs: 200, maxMs: 3_600_000, wholeMs: false } as const;
const millis = { flag: '--timeout-ms', plainUnit: 'ms', minMs: 0, maxMs: Infinity } as const;

describe('Function: parseDuration', () => {
  it.each([
    ['10', seconds, 10_000],
    ['0.5', seconds, 500],
    ['10s', seconds, 10_000],
    ['2m', seconds, 120_000],
    ['1h', seconds, 3_600_000],
    ['500ms', seconds, 500],
    ['500', millis, 500],
    ['2s', millis, 2000],
    ['1.5s', millis, 1500],
    ['2d', millis, 172_800_000],
    [' 250ms ', millis, 250],
  ])('reads %j as milliseconds', (text, spec, expected) => {
    expect(parseDuration(text, spec)).toBe(expected);
  });

  it.each([
    [
      '10x',
      seconds,
      /^--interval: "10x" is not a duration such as 500ms, 10s, 2m, 1h or 2d, or a number of seconds$/,
    ],
    ['', seconds, /^--interval: "" is not a duration/],
    ['-5s', seconds, /^--interval: "-5s" is not a duration/],
    ['2h', seconds, /^--interval: "2h" is out of range: from 200ms to 1h$/],
    ['0.1', seconds, /^--interval: "0.1" is out of range/],
    ['1.5ms', millis, /^--timeout-ms: "1.5ms" is not a whole number of milliseconds$/],
    ['90', { flag: '--since', plainUnit: null, minMs: 1000, maxMs: Infinity }, /the unit is required/],
    ['0s', { flag: '--since', plainUnit: null, minMs: 1000, maxMs: Infinity }, /out of range: at least 1s$/],
  ] as const)('rejects %j naming the flag', (text, spec, message) => {
    expect(() => parseDuration(text, spec)).toThrow(UsageError);
    expect(() => parseDuration(text, spec)).toThrow(message);
  });
});

describe('Function: formatDuration', () => {
  it.each([
    [200, '200ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [90_000, '1.5m'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [172_800_000, '2d'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
