/** The armour lines of a PEM private key; the streaming output filter follows keys line by line. */
export const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
export const PRIVATE_KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const KEY_BODY = '[A-Za-z0-9+/=]{16,}';
/** A line of a key's base64 body. */
export const PRIVATE_KEY_BODY_LINE = new RegExp(`^${KEY_BODY}$`);

interface SecretPattern {
  name: string;
  /** Global; a match is replaced whole, or all but capture group `keep`. */
  pattern: RegExp;
  keep?: number;
}

/**
 * Patterns of text that look like credentials. Output from a host goes to an issue that may be
 * public, so anything shaped like a secret is replaced before it is posted or logged.
 */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    name: 'private key',
    pattern: new RegExp(`${PRIVATE_KEY_BEGIN.source}[\\s\\S]*?(?:${PRIVATE_KEY_END.source}|$)`, 'g'),
  },
  {
    name: 'private key',
    // The end of a key whose start was cut off (output keeps only its head and tail).
    pattern: new RegExp(`(?:^${KEY_BODY}\\r?\\n)+${PRIVATE_KEY_END.source}`, 'gm'),
  },
  {
    name: 'JSON credential',
    pattern: /("(?:password|passwd|secret|token|api_?key|private_?key)"\s*:\s*")[^"]+/gi,
    keep: 1,
  },
  // Distinctive prefixes need no word boundary before them: text glued to a token (by a removed
  // escape sequence, a NUL, a prompt) must not hide it. The cost is redacting a look-alike.
  { name: 'GitHub token', pattern: /(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { name: 'Slack token', pattern: /(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}\b/g },
  { name: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'Stripe key', pattern: /(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}\b/g },
  { name: 'Slack webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { name: 'AWS access key', pattern: /(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g },
  {
    name: 'AWS secret key',
    pattern: /(aws_?secret_?access_?key\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
    keep: 1,
  },
  { name: 'OpenAI key', pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b/g },
  { name: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { name: 'bearer token', pattern: /(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keep: 1 },
  { name: 'password in URL', pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+(?=@)/gi, keep: 1 },
  {
    name: 'credential assignment',
    pattern:
      /(\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY)[A-Z0-9_]*\s*[=:]\s*["']?)(?!\*\*\*)[^\s"']{4,}/gi,
    keep: 1,
  },
];

export interface Redaction {
  text: string;
  /** How many values were replaced, by kind, for the log. */
  counts: Record<string, number>;
}

/** What a redacted value is replaced with. */
export function placeholder(kind: string): string {
  return `***${kind} redacted***`;
}

/** Any replacement `redact()` leaves, so that a cut can keep it whole. */
export const PLACEHOLDER = /\*\*\*(?:[A-Za-z ]+ redacted\*\*\*)?/g;

/**
 * Known secrets are matched line by line (a multi-line key may be printed one line at a time);
 * lines shorter than 6 characters would match too much ordinary text.
 */
export function knownSecretLines(knownSecrets: readonly string[]): string[] {
  return knownSecrets.flatMap((secret) =>
    secret
      .split('\n')
      .map((part) => part.trim())
      .filter((line) => line.length >= 6),
  );
}

/** Replaces known secret values, then anything shaped like a credential, with `***`. */
export function redact(text: string, knownSecrets: readonly string[] = []): Redaction {
  const counts: Record<string, number> = {};
  let result = text;
  // Shapes first, so whole blocks (a PEM key) go before a known line could break them apart.
  for (const { name, pattern, keep } of SECRET_PATTERNS) {
    result = result.replace(pattern, (...match: string[]) => {
      counts[name] = (counts[name] ?? 0) + 1;
      return keep ? `${match[keep]}***` : placeholder(name);
    });
  }
  for (const line of knownSecretLines(knownSecrets)) {
    const parts = result.split(line);
    if (parts.length > 1) {
      counts['known secret'] = (counts['known secret'] ?? 0) + parts.length - 1;
      result = parts.join('***');
    }
  }
  return { text: result, counts };
}
