import { startEmulator, type GitHubEmulator } from '../../harness/github/emulator.ts';
import { useDeployHost } from '../../harness/deploy/for-tests.ts';
import { IncidentScenario, sshInputs } from '../../harness/scenario.ts';

const host = useDeployHost();

/** Synthetic secrets of every kind the issue names, each with the part that must never be shown. */
const SECRETS: { kind: string; printed: string; secret: string }[] = [
  {
    kind: 'GitHub PAT (classic)',
    printed: 'ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s',
    secret: 'R4nd0mT0k3nV4lu3F0rT3st1ng',
  },
  {
    kind: 'GitHub OAuth token',
    printed: 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
    secret: '16C7e42F292c6912E7710c8',
  },
  {
    kind: 'GitHub Actions token',
    printed: 'GITHUB_TOKEN=ghs_Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8',
    secret: 'Zx9yW8vU7tS6rQ5pO4nM3lK2',
  },
  {
    kind: 'GitHub fine-grained PAT',
    printed: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
    secret: 'abcdefghijklmnopqrstuvwxyzABCDEF',
  },
  {
    kind: 'Slack bot token',
    printed: 'SLACK_BOT_TOKEN=xoxb-2048204820-4096409640-AbCdEfGhIjKlMnOpQrStUvWx',
    secret: 'AbCdEfGhIjKlMnOpQrStUvWx',
  },
  {
    kind: 'Slack user token',
    printed: 'token: xoxp-1111111111-2222222222-3333333333-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d',
    secret: '0a1b2c3d4e5f6a7b8c9d0e1f',
  },
  {
    kind: 'Slack app token',
    printed: 'xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef',
    secret: 'abcdef0123456789abcdef',
  },
  {
    kind: 'Slack webhook',
    printed: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    secret: 'XXXXXXXXXXXXXXXXXXXXXXXX',
  },
  {
    kind: 'AWS access key id',
    printed: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    secret: 'IOSFODNN7EXAMPLE',
  },
  {
    kind: 'AWS secret access key',
    printed: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secret: 'wJalrXUtnFEMI/K7MDENG',
  },
  {
    kind: 'PEM RSA key',
    printed:
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----',
    secret: 'u1SU1LfVLPHCozMxH2Mo4lg',
  },
  {
    kind: 'PEM OpenSSH key',
    printed:
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDvgxO1aJ44g2IbfZEbjCk0glFbt5kGEF09sT0k4AlyvgAAALAhnaPJIZ2j\n-----END OPENSSH PRIVATE KEY-----',
    secret: 'QyNTUxOQAAACDvgxO1aJ44g2Ib',
  },
  {
    kind: 'PGP private key',
    printed:
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF0WKmIBCADGz5sqh8fT9kY0OQgGHfbfPZmyUzDgx4UPkO2V1l5Ytm1aZ8zt\n-----END PGP PRIVATE KEY BLOCK-----',
    secret: 'lQOYBF0WKmIBCADGz5sqh8fT9',
  },
  {
    kind: 'PostgreSQL URL',
    printed: 'DATABASE_URL=postgresql://kb_app:Sup3r-S3cret-Pa55@db.internal:5432/slack_kb_agent',
    secret: 'Sup3r-S3cret-Pa55',
  },
  {
    kind: 'Redis URL',
    printed: 'REDIS_URL=redis://:r3d1s-p4ssw0rd-xyz@cache:6379/0',
    secret: 'r3d1s-p4ssw0rd-xyz',
  },
  {
    kind: 'MongoDB URL',
    printed: 'mongodb+srv://admin:m0ng0-pa55-w0rd@cluster0.example.net/kb',
    secret: 'm0ng0-pa55-w0rd',
  },
  { kind: 'MySQL URL', printed: 'mysql://root:my5ql-r00t-pw@10.0.0.5:3306/kb', secret: 'my5ql-r00t-pw' },
  {
    kind: 'Bearer token',
    printed: 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  },
  {
    kind: 'JWT',
    printed:
      'session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImFkbWluIjp0cnVlfQ.c2lnbmF0dXJlLXZhbHVlLWhlcmUtMTIz',
    secret: 'eyJzdWIiOiJhbGljZSIsImFkbWluIjp0cnVlfQ',
  },
  {
    kind: 'OpenAI key',
    printed: 'OPENAI_API_KEY=sk-proj-AbCdEf0123456789GhIjKlMnOpQrStUv',
    secret: 'AbCdEf0123456789GhIjKlMn',
  },
  {
    kind: 'password assignment',
    printed: 'POSTGRES_PASSWORD=correct-horse-battery-staple',
    secret: 'correct-horse-battery-staple',
  },
  { kind: 'JSON password', printed: '{"user":"kb","password":"js0n-pa55w0rd!"}', secret: 'js0n-pa55w0rd!' },
  {
    kind: 'Google API key',
    printed: 'key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
    secret: 'SyA1b2C3d4E5f6G7h8I9j0K1l2',
  },
  {
    kind: 'Stripe key',
    printed: 'STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc',
    secret: '4eC39HqLyjWDarjtT1zdp7dc',
  },
];

let emulator: GitHubEmulator;

afterAll(async () => {
  await emulator?.close();
});

test(`${SECRETS.length} kinds of secret printed on the host never reach a comment, the summary, the outputs or the log`, async () => {
  const printAll = SECRETS.map(({ printed }) => printed)
    .join('\n')
    .replace(/'/g, "'\\''");
  const runbook = `version: 1
service: secrets
severities:
  p1: { name: High, description: Impaired, respond-within: 1h }
commands:
  env:
    description: Prints the service's environment
    steps:
      - name: Print
        run: |
          printf '%s\\n' '${printAll.replace(/\n/g, '\n          ')}'
`;
  emulator = await startEmulator();
  emulator.putFile('.github/incident-runbook.yml', runbook);
  emulator.setPermission('alice', 'write');
  const scenario = new IncidentScenario({ emulator, inputs: sshInputs(host()) });
  const issue = scenario.openIssue('Secrets');
  emulator.repo().addLabels(issue, ['incident:p1'], 'alice');
  const { run } = await scenario.comment(issue, 'alice', '/env');
  expect(run.outputs.status).toBe('success');

  const shownLog = run.stdout.replace(/^::add-mask::.*$/gm, '');
  const everything = [
    ...scenario.actionComments(issue),
    scenario.board(issue),
    run.summary,
    shownLog,
    run.stderr,
    JSON.stringify(run.outputs),
  ].join('\n');
  const leaked = SECRETS.filter(({ secret }) => everything.includes(secret)).map(({ kind }) => kind);
  expect(leaked).toEqual([]);
  expect(scenario.actionComments(issue).at(-1)).toContain('redacted');
  expect(emulator.violations).toEqual([]);
});
