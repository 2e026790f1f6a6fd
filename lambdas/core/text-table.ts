// The one plain-text table printer: `check`, `history`, the drill report, the demo and the bench all
// print columns through it, so they line up the same way everywhere.

export interface TextTableOptions {
  /** Put before every line (e.g. two spaces under a heading). */
  readonly indent?: string;
  /** Right-align every column after the first (tables of numbers). Default: all left-aligned. */
  readonly numeric?: boolean;
}

/**
 * Lines of a table: each column as wide as its widest cell, two spaces between columns, no trailing
 * blanks (the last left-aligned column is never padded).
 */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TextTableOptions = {},
): string[] {
  const { indent = '', numeric = false } = options;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `${indent}${cells
      .map((c = '', i) => {
        if (numeric && i > 0) return c.padStart(widths[i]);
        return i === cells.length - 1 ? c : c.padEnd(widths[i]);
      })
      .join('  ')}`.trimEnd();
  return [line(headers), ...rows.map(line)];
}
