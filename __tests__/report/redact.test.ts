import { redact } from '../../src/report/redact.ts';

describe('redact', () => {
  test.each([
    ['GitHub token', 'token ghp_' + 'a'.repeat(36)],
    ['GitHub fine-grained token', 'github_pat_' + 'B'.repeat(82)],
    ['Slack bot token', 'SLACK=xoxb-123456789012-1234567890123-' + 'c'.repeat(24)],
    ['AWS access key', 'AKIA' + 'Z'.repeat(16)],
    ['AWS secret', 'aws_secret_access_key = ' + 'w'.repeat(40)],
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + 'sig'.repeat(10)],
    ['bearer', 'Authorization: Bearer abcdef0123456789'],
    ['database URL', 'postgresql://postgres:s3cretpass@db:5432/kb'],
    ['password variable', 'DB_PASSWORD=hunter2hunter2'],
  ])('removes a %s', (_, text) => {
    const result = redact(`before ${text} after`);
    expect(result.text).toContain('***');
    expect(result.text).not.toMatch(
      /a{36}|B{82}|c{24}|Z{16}|w{40}|sigsig|abcdef0123456789|s3cretpass|hunter2/,
    );
    expect(result.text.startsWith('before ')).toBe(true);
  });

  test('removes a PEM private key whole', () => {
    const pem =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA\n-----END OPENSSH PRIVATE KEY-----';
    expect(redact(`key:\n${pem}\ndone`).text).toBe('key:\n***private key redacted***\ndone');
  });

  test('removes known secret values, line by line for multi-line secrets', () => {
    const result = redact('token is s3cr3t-value-123 ok', ['s3cr3t-value-123']);
    expect(result.text).toBe('token is *** ok');
    expect(result.counts['known secret']).toBe(1);
  });

  test('leaves ordinary output alone', () => {
    const output = 'slack_kb_agent_errors_total 3\nkb_documents 420\nactive_connections 2';
    expect(redact(output).text).toBe(output);
  });
});

describe('redact, where output was cut', () => {
  test('the tail of a private key whose BEGIN line was cut off is still removed', () => {
    const tail =
      'AAAAB3NzaC1yc2EAAAADAQABAAABAQC7\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END RSA PRIVATE KEY-----';
    expect(redact(`… 4000 bytes omitted …\n${tail}\nafter`).text).toBe(
      '… 4000 bytes omitted …\n***private key redacted***\nafter',
    );
  });

  test('JSON credentials are removed', () => {
    expect(redact('{"user": "kb", "password": "hunter2-horse"}').text).toBe(
      '{"user": "kb", "password": "***"}',
    );
  });
});
