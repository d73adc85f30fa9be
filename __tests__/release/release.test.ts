// The release process, run for real on a clone of this repository with a local origin: tags
// vX.Y.Z and moves vX, writes the notes from the changelog, and refuses what must not ship.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const identity = {
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.invalid',
};

let dir: string;
let work: string;
let origin: string;
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: work, env: { ...process.env, ...identity } })
    .toString()
    .trim();
const release = (env: Record<string, string> = {}) =>
  spawnSync('bash', ['scripts/release.sh', '--push'], {
    cwd: work,
    env: { ...process.env, ...identity, RELEASE_NOTES: join(dir, 'notes.md'), ...env },
    encoding: 'utf8',
    timeout: 240_000,
  });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'release-test-'));
  origin = join(dir, 'origin.git');
  work = join(dir, 'work');
  execFileSync('git', ['init', '-q', '--bare', origin]);
  execFileSync('git', ['clone', '-q', ROOT, work]);
  git('remote', 'set-url', 'origin', origin);
  git('push', '-q', 'origin', 'HEAD:refs/heads/main');
  // The bundle's module ids come from paths inside the project, so the clone needs node_modules of
  // its own: hard links to ours where the file system allows, else a fresh install.
  try {
    execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(work, 'node_modules')]);
  } catch {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: work, stdio: 'ignore' });
  }
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(`tags v${VERSION}, moves the major tag to it and writes the changelog section as the notes`, () => {
  const result = release();
  expect(result.status).toBe(0);
  expect(result.stdout).toContain(`pushed v${VERSION} and v${VERSION.split('.')[0]}`);
  const head = git('rev-parse', 'HEAD');
  const remote = (tag: string) =>
    execFileSync('git', ['rev-parse', `${tag}^{commit}`], { cwd: origin })
      .toString()
      .trim();
  expect(remote(`v${VERSION}`)).toBe(head);
  expect(remote(`v${VERSION.split('.')[0]}`)).toBe(head);
  const notes = readFileSync(join(dir, 'notes.md'), 'utf8');
  expect(notes).toMatch(/^### /);
  expect(notes).not.toContain('## [');
  expect(notes.length).toBeGreaterThan(200);
}, 300_000);

test('refuses a version that was released already', () => {
  const result = release({ RELEASE_SKIP_DIST_CHECK: '1' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`v${VERSION} exists already`);
});

test('refuses a version the changelog does not describe', () => {
  const pkg = JSON.parse(readFileSync(join(work, 'package.json'), 'utf8')) as { version: string };
  const [major, minor, patch] = pkg.version.split('.').map(Number);
  pkg.version = `${major}.${minor}.${(patch ?? 0) + 1}`;
  writeFileSync(join(work, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  git('commit', '-qam', 'bump');
  const result = release({ RELEASE_SKIP_DIST_CHECK: '1' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`CHANGELOG.md has no section "## [${pkg.version}]"`);
});

test('refuses a dist/ that is not a fresh build of src/', () => {
  writeFileSync(
    join(work, 'dist', 'index.js'),
    `${readFileSync(join(work, 'dist', 'index.js'), 'utf8')}\n// stale\n`,
  );
  git('commit', '-qam', 'stale bundle');
  const result = release();
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('dist/ is not a fresh build of src/');
}, 300_000);
