export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; message: string };

/**
 * Splits command arguments on whitespace; "double" or 'single' quotes keep spaces inside one
 * argument. Nothing is expanded: the tokens are plain text, checked later against the runbook.
 */
export function tokenize(text: string): TokenizeResult {
  const tokens: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inToken = false;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (quote) return { ok: false, message: `the quote ${quote} is never closed` };
  if (inToken) tokens.push(current);
  return { ok: true, tokens };
}
