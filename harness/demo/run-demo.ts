// The local demo: a whole incident on the demo deployment, played through the GitHub API emulator
// and the bundled action, over the real sshd. Writes the issue thread as Markdown.
//
//   bash scripts/demo.sh            (sets up the machine, then runs this file on Node 24)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onHost } from '../deploy/for-tests.ts';
import { breakRelease, startDeployHost, stopDeployHost } from '../deploy/host.ts';
import { startEmulator, type GitHubEmulator } from '../github/emulator.ts';
import type { ActionRun } from '../run-action.ts';
import { IncidentScenario, sshInputs } from '../scenario.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUT_DIR = join(ROOT, 'demo-output');

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function report(step: string, run: ActionRun): void {
  const { status = '?', reason = '?' } = run.outputs;
  say(`  ${step.padEnd(44)} → ${status} (${reason}), ${Math.round(run.durationMs)} ms`);
}

/** The issue as a reader would see it on GitHub: title, labels, then every comment in order. */
function renderThread(emulator: GitHubEmulator, issueNumber: number): string {
  const issue = emulator.getIssue(issueNumber);
  if (!issue) throw new Error('issue vanished');
  const labels = issue.labels
    .map((label) => `\`${typeof label === 'string' ? label : label.name}\``)
    .join(' ');
  const parts = [
    `# ${issue.title} #${issue.number}`,
    '',
    `**State:** ${issue.state} · **Labels:** ${labels} · opened by @${issue.user?.login} at ${issue.created_at}`,
    '',
    issue.body ?? '',
  ];
  for (const comment of emulator.listComments(issueNumber)) {
    const reactions = emulator
      .reactionsFor(comment.id)
      .map((reaction) => reaction.content)
      .join(' ');
    parts.push(
      '',
      '---',
      '',
      `**@${comment.user?.login}** commented at ${comment.created_at}${comment.updated_at !== comment.created_at ? ` (edited ${comment.updated_at})` : ''}${reactions ? ` · reactions: ${reactions}` : ''}`,
      '',
      comment.body ?? '',
    );
  }
  return parts.join('\n') + '\n';
}

async function main(): Promise<void> {
  say('Starting the demo deployment (sshd, supervisor, slack-kb-agent, PostgreSQL, Redis) …');
  const state = await startDeployHost();
  // The incident plays on a clock the demo controls; each step moves it forward.
  const T0 = new Date('2026-11-26T03:00:00Z');
  let clock = T0;
  const at = (minutes: number, label: string) => {
    clock = new Date(T0.getTime() + minutes * 60_000);
    return `+${String(minutes).padStart(2, '0')} min  ${label}`;
  };
  const emulator = await startEmulator({ now: () => clock });
  try {
    say(
      `  deployment up in ${state.startupMs} ms; sshd on 127.0.0.1:${state.sshPort}, releases ${state.releases.join(', ')}`,
    );
    emulator.putFile(
      '.github/incident-runbook.yml',
      readFileSync(join(ROOT, 'harness/demo/incident-runbook.yml')),
    );
    emulator.setPermission('alice', 'write');
    emulator.setPermission('dana', 'maintain');
    const scenario = new IncidentScenario({
      emulator,
      clock: () => clock,
      inputs: { ...sshInputs(state), escalation: 'oncall-lead' },
    });

    say(`\nRelease ${state.currentRelease} ships broken; the app answers 503 …`);
    await breakRelease(
      state,
      state.currentRelease,
      `release ${state.currentRelease} cannot reach its vector index`,
    );
    await onHost(state, 'kbctl restart slack-kb-agent >/dev/null');

    const issue = scenario.openIssue('Slack KB Agent answers 503 to every question', 'alice');
    const previous = state.releases.at(-2) ?? 'v1.1.0';
    say(`\nP0 incident on issue #${issue} (times on the demo clock, from 03:00 UTC):`);
    report(at(0, 'label incident:p0'), await scenario.label(issue, 'incident:p0', 'alice'));
    report(at(6, 'scheduled sweep'), await scenario.sweep());
    report(at(7, '/ack'), (await scenario.comment(issue, 'alice', 'On it.\n/ack')).run);
    report(at(8, '/commander @dana'), (await scenario.comment(issue, 'alice', '/commander @dana')).run);
    report(at(9, '/diagnose app'), (await scenario.comment(issue, 'alice', 'Looking.\n\n/diagnose app')).run);
    report(
      at(11, '/backup'),
      (await scenario.comment(issue, 'alice', 'Taking a backup before touching anything.\n/backup')).run,
    );
    report(at(13, '/restart'), (await scenario.comment(issue, 'alice', '/restart')).run);
    report(
      at(15, '/update'),
      (
        await scenario.comment(
          issue,
          'dana',
          `/update ${state.currentRelease} is broken; restart did not help. Rolling back to ${previous}.`,
        )
      ).run,
    );
    const rollback = await scenario.comment(issue, 'alice', `Rolling back.\n/rollback ${previous}`);
    report(at(16, `/rollback ${previous}`), rollback.run);
    const code = /\/confirm ([0-9a-f]{8})/.exec(scenario.actionComments(issue).at(-1) ?? '')?.[1];
    if (!code) throw new Error('the rollback plan carries no confirmation code');
    report(
      at(17, `/confirm ${code} (by dana)`),
      (await scenario.comment(issue, 'dana', `Plan looks right.\n/confirm ${code}`)).run,
    );
    report(at(19, '/health'), (await scenario.comment(issue, 'alice', '/health')).run);
    report(
      at(20, '/mitigated'),
      (await scenario.comment(issue, 'dana', `/mitigated rolled back to ${previous}`)).run,
    );
    report(at(50, 'scheduled sweep (update overdue)'), await scenario.sweep());
    report(
      at(52, '/update'),
      (await scenario.comment(issue, 'dana', '/update Error rate back to normal for 30 minutes.')).run,
    );
    report(
      at(55, '/resolve'),
      (
        await scenario.comment(
          issue,
          'dana',
          `/resolve Release ${state.currentRelease} could not reach its vector index; rolled back to ${previous}.`,
        )
      ).run,
    );

    const version = JSON.parse(await onHost(state, 'curl -fsS "$KB_URL/health"')).version as string;
    const followUp = emulator
      .listComments(issue)
      .map((c) => /Post-incident review: #(\d+)/.exec(c.body ?? '')?.[1])
      .find(Boolean);
    say(
      `\nThe app now reports ${version}; issue #${issue} is ${emulator.getIssue(issue)?.state}; review issue #${followUp}.`,
    );
    if (emulator.violations.length > 0) {
      throw new Error(`the emulator recorded ${emulator.violations.length} OpenAPI violations`);
    }
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const threadFile = join(OUTPUT_DIR, 'issue-thread.md');
    writeFileSync(threadFile, renderThread(emulator, issue));
    if (followUp)
      writeFileSync(join(OUTPUT_DIR, 'review-issue.md'), renderThread(emulator, Number(followUp)));
    say(`\nThe issue thread, as Markdown: ${threadFile}`);
    if (followUp) say(`The post-incident review issue: ${join(OUTPUT_DIR, 'review-issue.md')}`);
    say(`API requests: ${emulator.requests.length}, all validated against GitHub's OpenAPI description.`);
  } finally {
    await emulator.close();
    const stopped = await stopDeployHost(state);
    say(`Demo deployment stopped in ${stopped.stoppedMs} ms; no process left.`);
  }
}

await main();
