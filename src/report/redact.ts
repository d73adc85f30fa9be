/**
 * Patterns of text that look like credentials. Output from a host goes to an issue that may be
 * public, so anything shaped like a secret is replaced before it is posted or logged.
 */
const SECRET_PATTERNS: { name: string; pattern: RegExp; keep?: number }[] = [
  {
    name: 'private key',
    pattern:
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    name: 'private key',
    // The end of a key whose start was cut off (output keeps only its head and tail).
    pattern: /(?:^[A-Za-z0-9+/=]{16,}\r?\n)+-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/gm,
  },
  {
    name: 'JSON credential',
    pattern: /("(?:password|passwd|secret|token|api_?key|private_?key)"\s*:\s*")[^"]+/gi,
    keep: 1,
  },
  { name: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { name: 'Slack token', pattern: /\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}\b/g },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'Stripe key', pattern: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}\b/g },
  { name: 'Slack webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { name: 'AWS access key', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g },
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

/** Replaces known secret values, then anything shaped like a credential, with `***`. */
export function redact(text: string, knownSecrets: readonly string[] = []): Redaction {
  const counts: Record<string, number> = {};
  let result = text;
  // Shapes first, so whole blocks (a PEM key) go before a known line could break them apart.
  for (const { name, pattern, keep } of SECRET_PATTERNS) {
    result = result.replace(pattern, (...match: string[]) => {
      counts[name] = (counts[name] ?? 0) + 1;
      return keep ? `${match[keep]}***` : `***${name} redacted***`;
    });
  }
  for (const secret of knownSecrets) {
    for (const line of secret.split('\n').map((part) => part.trim())) {
      if (line.length < 6) continue;
      const parts = result.split(line);
      if (parts.length > 1) {
        counts['known secret'] = (counts['known secret'] ?? 0) + parts.length - 1;
        result = parts.join('***');
      }
    }
  }
  return { text: result, counts };
}
