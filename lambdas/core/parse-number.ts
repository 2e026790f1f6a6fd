// The one place where reply values become numbers. Redis replies carry integers as strings (INFO,
// SENTINEL maps, ROLE's replica entries) or as RESP integers (ROLE offsets): both are accepted here,
// and anything else becomes null, never NaN.

const INTEGER = /^[-+]?\d+$/;

/** An integer from a number or a decimal string (`'6379'`, `'-1'`); null for anything else. */
export const toInt = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!INTEGER.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
};

/** `'1'` → true, `'0'` → false (INFO flags such as `slave_read_only`, `sentinel_tilt`); null otherwise. */
export const toFlag = (value: unknown): boolean | null => {
  const n = toInt(value);
  return n === 1 ? true : n === 0 ? false : null;
};
