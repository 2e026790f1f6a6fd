import { textTable } from '../../../lambdas/core/text-table';

describe('Function: textTable', () => {
  it('pads each column to its widest cell and leaves no trailing blanks', () => {
    expect(textTable(['A', 'BB', 'C'], [['xxx', 'y', 'last cell']])).toEqual([
      'A    BB  C',
      'xxx  y   last cell',
    ]);
  });

  it('right-aligns every column after the first for numbers, under an indent', () => {
    expect(
      textTable(
        ['what', 'p50', 'p99'],
        [
          ['poll', '1.5', '12.25'],
          ['detect', '900.0', '-'],
        ],
        { indent: '  ', numeric: true },
      ),
    ).toEqual(['  what      p50    p99', '  poll      1.5  12.25', '  detect  900.0      -']);
  });

  it('accepts rows shorter than the headers', () => {
    expect(textTable(['A', 'B'], [['only']])).toEqual(['A     B', 'only']);
  });
});
