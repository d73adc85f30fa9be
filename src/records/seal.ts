import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Authenticates what the action writes on an issue. Anyone with write access can edit any comment,
 * and every workflow that uses GITHUB_TOKEN posts as the same bot, so authorship proves nothing:
 * each record carries an HMAC over the whole comment (visible text and record), the repository and
 * the issue number, keyed with a secret only the action's job holds. An edit by anyone else, a
 * record moved to another comment or issue, or one written by another workflow fails the check.
 */
export interface RecordSealer {
  /** `sealed` when a key is configured; `unsealed` records are trusted by author alone. */
  readonly mode: 'sealed' | 'unsealed';
  seal(material: string): string | undefined;
  verify(material: string, seal: string | undefined): boolean;
  /** A fresh value that makes each record unique, so a copied record counts once. */
  nonce(): string;
}

const SEAL_BYTES = 16;

/** The key comes from `secret` (the record-secret input, else the SSH private key), per repository. */
export function createSealer(
  secret: string | undefined,
  repository: string,
  random: (bytes: number) => Buffer = randomBytes,
): RecordSealer {
  const nonce = () => random(9).toString('base64url');
  const normalised = secret?.replace(/\r\n?/g, '\n').trim() ?? '';
  if (normalised.length === 0) {
    return { mode: 'unsealed', seal: () => undefined, verify: () => true, nonce };
  }
  const key = Buffer.from(
    hkdfSync('sha256', normalised, 'incident-issueops', `records v1 ${repository.toLowerCase()}`, 32),
  );
  const mac = (material: string) =>
    createHmac('sha256', key).update(material).digest().subarray(0, SEAL_BYTES).toString('base64url');
  return {
    mode: 'sealed',
    seal: mac,
    verify(material, seal) {
      if (!seal) return false;
      const expected = Buffer.from(mac(material));
      const given = Buffer.from(seal);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
    nonce,
  };
}
