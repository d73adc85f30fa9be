// The local demo: a whole P0 incident on the real Slack KB Agent stack (docker-compose: the agent,
// PostgreSQL 15, Redis; Prometheus scraping it), run by the built-in runbook, through the GitHub
// API emulator and the bundled action over the real sshd, with the stakeholders told on a local
// stand-in for Slack's incoming webhooks. Writes the issue thread and the Slack channel's log.
//
//   bash scripts/demo.sh            (sets up the machine, then runs this file on Node 24)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type GitHubEmulator } from '../github/emulator.ts';
import type { ActionRun } from '../run-action.ts';
import { startSlackServer, type SlackServer } from '../slack/server.ts';
import { IncidentScenario, sshInputs } from '../scenario.ts';
import { onStack } from '../stack/for-tests.ts';
import {
  BROKEN_RELEASE,
  CURRENT_RELEASE,
  stackUnavailable,
  startStack,
  stopStack,
  type StackState,
} from '../stack/stack.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUT_DIR = join(ROOT, 'demo-output');
/** A step's run may take this long (the workflow's timeout-minutes): /rollback and /resolve take a while. */
const RUN_TIMEOUT_MS = 5 * 60_000;

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The issue as a reader would see it on GitHub: title, labels, then every comment in order. */
function renderThread(emulator: GitHubEmulator, issueNumber: number): string {
  const issue = emulator.getIssue(issueNumber);
  if (!issue) throw new Error('issue vanished');
  const labels = issue.labels
    .map((label) => `\`${typeof label === 'string' ? label : label.name}\``)
    .join(' ');
  const assignees = (issue.assignees ?? []).map((user) => `@${user.login}`).join(', ') || 'nobody';
  const subIssues = emulator.subIssuesOf(issueNumber);
  const summary = issue.sub_issues_summary;
  const parts = [
    `# ${issue.title} #${issue.number}`,
    '',
    `**State:** ${issue.state} · **Labels:** ${labels} · **Assignees:** ${assignees} · opened by @${issue.user?.login} at ${issue.created_at}`,
    ...(subIssues.length > 0
      ? [
          '',
          `**Sub-issues** (${summary?.completed ?? 0} of ${summary?.total ?? subIssues.length} closed):`,
          '',
          ...subIssues.map((sub) => `- [${sub.state === 'closed' ? 'x' : ' '}] #${sub.number} ${sub.title}`),
        ]
      : []),
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

export interface DemoResult {
  issue: number;
  reviewIssue: number | undefined;
  /** the issue thread and the review issue as GitHub shows them, in Markdown */
  thread: string;
  review: string | undefined;
  /** each step as the demo printed it */
  steps: { step: string; status: string; reason: string }[];
  /** the image the host runs at the end */
  runningImage: string;
  requests: number;
  violations: number;
  /** What the stakeholders' Slack channel received, and every request it answered */
  slack: { messages: SlackServer['messages']; requests: SlackServer['requests']; log: string };
}

/** The Slack channel as its log: every request with Slack's answer, and each message as posted. */
export function renderSlackLog(slack: Pick<SlackServer, 'messages' | 'requests'>): string {
  const lines = [
    '# Slack: the stakeholders channel during the demo incident',
    '',
    `${slack.messages.length} messages delivered; ${slack.requests.length} requests answered.`,
    '',
    '| Time (demo clock) | Slack answered |',
    '|---|---|',
    ...slack.requests.map(
      (request) => `| ${request.at} | ${request.status || 'connection dropped'} ${request.answer} |`,
    ),
  ];
  for (const message of slack.messages) {
    const header = (message.body.blocks?.[0] as { text?: { text?: string } } | undefined)?.text?.text ?? '';
    lines.push('', '---', '', `**${header}** (${message.at})`, '', '```', message.body.text ?? '', '```');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Plays the whole P0 incident on a stack that is up (and on its current release): ships the
 * broken release, then runs every step through the bundled action. Leaves the stack running.
 */
export async function playIncident(
  state: StackState,
  print: (text: string) => void = say,
): Promise<DemoResult> {
  // GitHub's side of the incident plays on a clock the demo controls; each step moves it forward.
  // The host and Prometheus run on real time.
  const T0 = new Date('2026-11-26T03:00:00Z');
  let clock = T0;
  const steps: DemoResult['steps'] = [];
  const at = (minutes: number, label: string) => {
    clock = new Date(T0.getTime() + minutes * 60_000);
    return minutes >= 120
      ? `+${Math.floor(minutes / 60)} h  ${label}`
      : `+${String(minutes).padStart(2, '0')} min  ${label}`;
  };
  const report = (step: string, run: ActionRun) => {
    const { status = '?', reason = '?' } = run.outputs;
    steps.push({ step: step.replace(/^\+\d+ (min|h) {2}/, ''), status, reason });
    print(`  ${step.padEnd(46)} → ${status} (${reason}), ${(run.durationMs / 1000).toFixed(1)} s`);
  };
  const emulator = await startEmulator({ now: () => clock });
  // The stakeholders' channel: a local server that answers as Slack's incoming webhooks do.
  const slack = await startSlackServer({ now: () => clock });
  try {
    // No runbook file in the repository: the action uses the built-in runbook.
    emulator.setPermission('alice', 'write');
    emulator.setPermission('dana', 'maintain');
    const scenario = new IncidentScenario({
      emulator,
      clock: () => clock,
      inputs: {
        ...sshInputs(state),
        runbook: 'builtin',
        escalation: 'oncall-lead',
        'initial-assessment': 'true',
        'slack-webhook-url': slack.url,
      },
    });
    const comment = async (issue: number, user: string, body: string) =>
      scenario.postComment(issue, user, body).start({ timeoutMs: RUN_TIMEOUT_MS });

    print(`\nRelease ${BROKEN_RELEASE} is deployed the way the team deploys (.env, then up -d) …`);
    await onStack(
      state,
      `sed -i '/^SLACK_KB_AGENT_TAG=/d' .env && echo SLACK_KB_AGENT_TAG=${BROKEN_RELEASE} >> .env && docker-compose up -d slack-kb-agent 2>&1`,
      300_000,
    );
    const broken = await onStack(
      state,
      'for i in $(seq 30); do code=$(curl -s -o /tmp/health.json -w "%{http_code}" "$SLACK_KB_AGENT_URL/health"); [ "$code" = 503 ] && break; sleep 1; done; cat /tmp/health.json',
    );
    print(`  the agent answers 503: ${broken}`);

    const issue = scenario.openIssue(
      'Slack KB Agent answers 503 to every question',
      'alice',
      'The Slack KB Agent stopped answering after this morning’s deploy; /health says 503.',
    );
    print(`\nP0 incident on issue #${issue} (GitHub's times on the demo clock, from 03:00 UTC):`);
    report(at(0, 'label incident:p0'), await scenario.label(issue, 'incident:p0', 'alice'));
    report(at(6, 'scheduled sweep'), await scenario.sweep());
    report(at(7, '/ack'), await comment(issue, 'alice', 'On it.\n/ack'));
    report(at(8, '/commander @dana'), await comment(issue, 'alice', '/commander @dana'));
    report(at(9, '/diagnose app'), await comment(issue, 'alice', 'Looking.\n\n/diagnose app'));
    report(
      at(11, '/backup'),
      await comment(issue, 'alice', 'Taking a backup before touching anything.\n/backup'),
    );
    report(at(13, '/restart'), await comment(issue, 'alice', '/restart'));
    // Slack answers 500 once: the notifier retries, and the channel gets the update once.
    slack.fail({ kind: 'status', status: 500, body: 'internal_error' });
    report(
      at(15, '/update'),
      await comment(
        issue,
        'dana',
        `/update ${BROKEN_RELEASE} is broken (migration 0042); restart did not help. Rolling back to ${CURRENT_RELEASE}.`,
      ),
    );
    report(
      at(16, `/rollback ${CURRENT_RELEASE}`),
      await comment(issue, 'alice', `Rolling back.\n/rollback ${CURRENT_RELEASE}`),
    );
    const code = /\/confirm ([0-9a-f]{8})/.exec(scenario.actionComments(issue).at(-1) ?? '')?.[1];
    if (!code) throw new Error('the rollback plan carries no confirmation code');
    report(
      at(17, `/confirm ${code} (by dana)`),
      await comment(issue, 'dana', `Plan looks right.\n/confirm ${code}`),
    );
    // Users come back to the agent; Prometheus sees their queries (two scrapes give a rate).
    await onStack(
      state,
      `for i in $(seq 40); do curl -fsS -o /dev/null "$SLACK_KB_AGENT_URL/query?q=how+do+I+deploy"; done
       for i in $(seq 30); do
         curl -fsS --get --data-urlencode 'query=histogram_quantile(0.95, rate(slack_kb_agent_query_duration_seconds_bucket[5m])) >= 0' "$PROMETHEUS_URL/api/v1/query" | grep -q '"value"' && exit 0
         sleep 1
       done`,
    );
    print('  (users ask the agent again: 40 questions, and Prometheus has scraped them)');
    report(at(19, '/health'), await comment(issue, 'alice', '/health'));
    report(at(20, '/status'), await comment(issue, 'alice', '/status'));
    // GitHub answers 502 once on the board's edit: retried, and Slack hears of the mitigation once.
    emulator.inject({ operationId: 'issues/update-comment', kind: 'status', status: 502, times: 1 });
    report(
      at(21, '/mitigated'),
      await comment(issue, 'dana', `/mitigated rolled back to ${CURRENT_RELEASE}`),
    );
    report(at(50, 'scheduled sweep (update overdue)'), await scenario.sweep());
    report(
      at(52, '/update'),
      await comment(issue, 'dana', '/update Error rate back to normal for 30 minutes.'),
    );
    report(
      at(55, '/resolve'),
      await comment(
        issue,
        'dana',
        `/resolve Release ${BROKEN_RELEASE} failed its database migration; rolled back to ${CURRENT_RELEASE}.`,
      ),
    );

    // The review: the sweep reminds its owner a day before it is due, and once it is overdue.
    report(at(55 + 49 * 60, 'scheduled sweep (review due within a day)'), await scenario.sweep());
    report(at(55 + 73 * 60, 'scheduled sweep (review overdue)'), await scenario.sweep());

    const running = await onStack(state, "docker inspect slack-kb-agent --format '{{.Config.Image}}'");
    const followUp = emulator
      .listComments(issue)
      .map((c) => /Post-incident review: #(\d+)/.exec(c.body ?? '')?.[1])
      .find(Boolean);
    print(
      `\nThe host now runs ${running}; issue #${issue} is ${emulator.getIssue(issue)?.state}; review issue #${followUp}.`,
    );
    return {
      issue,
      reviewIssue: followUp ? Number(followUp) : undefined,
      thread: renderThread(emulator, issue),
      review: followUp ? renderThread(emulator, Number(followUp)) : undefined,
      steps,
      runningImage: running,
      requests: emulator.requests.length,
      violations: emulator.violations.length,
      slack: { messages: slack.messages, requests: slack.requests, log: renderSlackLog(slack) },
    };
  } finally {
    await emulator.close();
    await slack.close();
  }
}

async function main(): Promise<void> {
  const missing = stackUnavailable();
  if (missing) throw new Error(`the stack cannot start here: ${missing}`);
  say('Starting the Slack KB Agent stack: dockerd (loopback only), the image registry, the docker-compose');
  say("project (agent, PostgreSQL 15, Redis), Prometheus with the runbook's alert rules, and sshd …");
  say('(the first run on a machine builds the Debian images: several minutes; later runs reuse them)');
  const state = await startStack();
  try {
    say(
      `  stack up in ${(state.timings.total ?? 0) / 1000} s; sshd on 127.0.0.1:${state.sshPort}, the agent on ${state.appUrl}, Prometheus on ${state.prometheusUrl}`,
    );
    const result = await playIncident(state);
    if (result.violations > 0)
      throw new Error(`the emulator recorded ${result.violations} OpenAPI violations`);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const threadFile = join(OUTPUT_DIR, 'issue-thread.md');
    writeFileSync(threadFile, result.thread);
    say(`\nThe issue thread, as Markdown: ${threadFile}`);
    if (result.review) {
      const reviewFile = join(OUTPUT_DIR, 'review-issue.md');
      writeFileSync(reviewFile, result.review);
      say(`The post-incident review issue: ${reviewFile}`);
    }
    const slackFile = join(OUTPUT_DIR, 'slack-log.md');
    writeFileSync(slackFile, result.slack.log);
    say(
      `Slack: ${result.slack.messages.length} messages to the stakeholders' channel (${result.slack.requests.length} requests, one answered 500 and retried): ${slackFile}`,
    );
    say(`API requests: ${result.requests}, all validated against GitHub's OpenAPI description.`);
  } finally {
    const stopped = await stopStack(state);
    say(`Stack stopped in ${(stopped.stoppedMs / 1000).toFixed(1)} s; no process or mount left.`);
  }
}

// Run as a script (not when a test imports playIncident).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
