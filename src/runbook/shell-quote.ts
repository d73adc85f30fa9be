/** One shell word with the exact text of `value`: single-quoted, inner quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
