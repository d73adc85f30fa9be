// The lifecycle of an incident as a responder sees it on the issue, on a controlled clock. The same
// cases run in process (flows/lifecycle.test.ts: the decisions, with coverage) and through the
// bundle against the real deployment host (e2e/lifecycle.test.ts: what ships).
import type { GitHubEmulator, Role } from '../../harness/github/emulator.ts';
import { parseGantt } from '../../harness/mermaid-gantt.ts';
import { STANDIN_RUNBOOK, type IncidentScenario } from '../../harness/scenario.ts';

export interface LifecycleWorkspace {
  emulator: GitHubEmulator;
  scenario: IncidentScenario;
  /** Makes the application answer its health check with an error, and back. */
  app: { fail(): Promise<void>; clear(): Promise<void> };
}

export type StartLifecycle = (options: {
  runbook: string;
  roles: Record<string, Role>;
  inputs: Record<string, string>;
  clock: () => Date;
}) => Promise<LifecycleWorkspace>;

/** What the demo application's /metrics answers when it is healthy (within the runbook's thresholds). */
export const HEALTHY_METRICS = [
  '# TYPE slack_kb_agent_error_rate gauge',
  'slack_kb_agent_error_rate 0.02',
  '# TYPE slack_kb_agent_query_duration_seconds histogram',
  'slack_kb_agent_query_duration_seconds_bucket{le="0.5"} 90',
  'slack_kb_agent_query_duration_seconds_bucket{le="1"} 99',
  'slack_kb_agent_query_duration_seconds_bucket{le="2.5"} 100',
  'slack_kb_agent_query_duration_seconds_bucket{le="+Inf"} 100',
  'slack_kb_agent_query_duration_seconds_sum 31.5',
  'slack_kb_agent_query_duration_seconds_count 100',
  'slack_kb_agent_memory_usage_bytes 104857600',
  'slack_kb_agent_memory_limit_bytes 536870912',
].join('\n');

/** What a stand-in host answers when the demo application is healthy: health, metrics, smoke test. */
export function healthyHost(script: string): { output?: string } {
  if (script.includes('/health')) return { output: '{"status":"ok"}\n' };
  if (script.includes('/metrics')) return { output: `${HEALTHY_METRICS}\n` };
  if (script.includes('smoke-test')) return { output: 'query answered\n' };
  return {};
}

const T0 = new Date('2026-11-26T03:00:00Z');

export function lifecycleCases(start: StartLifecycle): void {
  let clock: Date;
  let emulator: GitHubEmulator;
  let scenario: IncidentScenario;
  let app: LifecycleWorkspace['app'];

  const at = (minutes: number) => {
    clock = new Date(T0.getTime() + minutes * 60_000);
  };

  beforeEach(async () => {
    clock = T0;
    ({ emulator, scenario, app } = await start({
      runbook: STANDIN_RUNBOOK,
      roles: { alice: 'write', dana: 'write', mallory: 'read' },
      inputs: { escalation: 'oncall-lead,acme/sre' },
      clock: () => clock,
    }));
  });

  afterEach(async () => {
    expect(emulator.violations).toEqual([]);
    await emulator.close();
  });

  describe('a whole P0 incident on a controlled clock', () => {
    test('board after each step, reminders, verified resolution, postmortem and follow-up issue', async () => {
      const issue = scenario.openIssue('KB agent down', 'alice');
      await scenario.label(issue, 'incident:p0', 'alice');
      let board = scenario.board(issue);
      expect(board).toContain('| Declared | 2026-11-26 03:00 UTC by @alice (0 s ago) |');
      expect(board).toContain('| Acknowledged | not yet (due by 03:05 UTC, in 5 min) |');
      expect(board).toContain('| Next status update | due 03:30 UTC (in 30 min) |');

      // Lifecycle commands answer with the closing 👍 and the board: no comment of their own.
      const quiet = async (user: string, body: string) => {
        const before = scenario.actionComments(issue).length;
        const asked = await scenario.comment(issue, user, body);
        expect(scenario.actionComments(issue)).toHaveLength(before);
        const mine = emulator
          .reactionsFor(asked.commentId)
          .filter((reaction) => reaction.user?.login === 'github-actions[bot]')
          .map((reaction) => reaction.content);
        expect(mine).toEqual(['eyes', '+1']);
        return asked;
      };

      at(2);
      await quiet('alice', '/ack');
      board = scenario.board(issue);
      expect(board).toContain('| Acknowledged | 03:02 UTC by @alice, after 2 min ✅ |');
      expect(board).toContain('- [x] Acknowledge within 5 minutes');

      at(3);
      await quiet('alice', '/commander @dana');
      expect(emulator.getIssue(issue)?.assignees?.map((user) => user.login)).toEqual(['dana']);
      expect(scenario.board(issue)).toContain('| Commander | @dana |');

      at(10);
      await quiet('dana', '/update Rolling back to v1.1.0; next update by 03:40');
      expect(scenario.board(issue)).toContain('| Next status update | due 03:40 UTC (in 30 min) |');

      at(12);
      const noted = await quiet('dana', '/note Error logs show the v1.2.0 migration failing');
      expect(noted.run.outputs).toMatchObject({ status: 'success', reason: 'note' });
      // A note is not a status update: the update clock keeps its due time.
      expect(scenario.board(issue)).toContain('| Next status update | due 03:40 UTC (in 28 min) |');

      at(35);
      const onTime = await scenario.sweep();
      expect(onTime.outputs).toMatchObject({ status: 'success', reason: 'swept' });
      expect(scenario.actionComments(issue).some((body) => body.includes('Status update overdue'))).toBe(
        false,
      );

      at(41);
      await scenario.sweep();
      const reminder = scenario.actionComments(issue).find((body) => body.includes('Status update overdue'));
      expect(reminder).toContain('@dana: the last update was 31 min ago');
      expect(emulator.repo().labelsOn(issue)).toContain('incident:sla-missed');
      expect(scenario.board(issue)).toContain('⚠️ **overdue** since 03:40 UTC');

      at(46);
      await scenario.sweep();
      expect(
        scenario.actionComments(issue).filter((body) => body.includes('Status update overdue')),
      ).toHaveLength(1);

      at(45);
      await quiet('dana', '/mitigated rolled back');
      expect(scenario.board(issue)).toContain('| State | investigating → **mitigated** → resolved |');
      expect(scenario.board(issue)).toContain(
        '| Mitigated | 03:45 UTC, after 45 min ⚠️ (target 03:15 UTC missed) |',
      );

      at(50);
      const resolved = await scenario.comment(issue, 'dana', '/resolve Bad release v1.2.0; rolled back.');
      expect(resolved.run.outputs).toMatchObject({ status: 'success', reason: 'resolved' });
      expect(emulator.getIssue(issue)?.state).toBe('closed');
      board = scenario.board(issue);
      expect(board).toContain('## ✅ P0 — Critical · resolved');
      expect(board).toContain('| Resolved | 03:50 UTC by @dana |');

      const postmortem = scenario
        .actionComments(issue)
        .find((body) => body.startsWith('# Postmortem: `KB agent down`'));
      expect(postmortem).toBeDefined();
      expect(postmortem).toContain('| Time to acknowledge | 2 min | 5 minutes | ✅ met |');
      expect(postmortem).toContain('| Time to mitigate | 45 min | 15 minutes (response time) | ⚠️ missed |');
      expect(postmortem).toContain('| Time to resolve | 50 min | — | — |');
      expect(postmortem).toContain('- Impact window: 2026-11-26 03:00 UTC → 2026-11-26 03:45 UTC (45 min)');
      // Everyone with everything they did: naming the commander, the note and the mitigation too.
      expect(postmortem).toContain('| @alice | declared, acknowledged, named @dana commander |');
      expect(postmortem).toContain(
        '| @dana | incident commander, resolved, posted 1 status update, added 1 note, marked it mitigated |',
      );
      expect(postmortem).toContain('✅ Verify application health');
      expect(postmortem).toMatch(/✅ Error rate: [\d.e-]+ errors\/s \(healthy at most 0.1 errors\/s\)/);
      expect(postmortem).toContain('| 03:02 | @alice | Acknowledged |');
      // Each fact the board holds links to the comment that asked for it.
      expect(postmortem).toContain(
        `| 03:12 | @dana | Note: \`Error logs show the v1.2.0 migration failing\` | [comment](${emulator.listComments(issue).find((comment) => comment.id === noted.commentId)?.html_url}) |`,
      );
      for (const heading of [
        'Summary',
        'Impact',
        'Root causes',
        'Trigger',
        'Resolution',
        'Detection',
        'Action items',
        'Lessons learned',
        'Timeline',
        'Supporting information',
      ]) {
        expect(postmortem).toContain(`## ${heading}`);
      }
      // Ticked only by recorded facts: the verification's steps passed; no channel told anyone.
      expect(postmortem).toContain('- [x] Verify application health');
      expect(postmortem).toContain('- [x] Run smoke tests');
      expect(postmortem).toContain('- [x] Update incident ticket with resolution');
      expect(postmortem).toContain('- [ ] Notify stakeholders of resolution');
      expect(postmortem).toContain('- [x] Schedule post-incident review');

      const followUpNumber = Number(/Post-incident review: #(\d+)/.exec(postmortem ?? '')?.[1]);
      const followUp = emulator.getIssue(followUpNumber);
      // The review is owned (assigned to the commander), links the postmortem, carries the runbook's
      // review and documentation checklists, and tracks each action item as a sub-issue.
      expect(followUp?.assignees?.map((user) => user.login)).toEqual(['dana']);
      expect(followUp?.body).toContain('- [ ] Root cause analysis: identify underlying causes');
      expect(followUp?.body).toContain('- [ ] Lessons learned');
      const postmortemUrl = emulator
        .listComments(issue)
        .find((comment) => comment.body?.startsWith('# Postmortem:'))?.html_url;
      expect(followUp?.body).toContain(`**[The postmortem draft](${postmortemUrl})**`);
      const subIssues = emulator.subIssuesOf(followUpNumber);
      expect(subIssues.map((sub) => sub.title)).toEqual([
        `Fix the root cause of incident #${issue}`,
        `Detect incidents like #${issue} sooner`,
        `Update the runbook with what incident #${issue} taught`,
      ]);
      expect(followUp?.sub_issues_summary).toEqual({ total: 3, completed: 0, percent_completed: 0 });
      for (const sub of subIssues) expect(postmortem).toContain(`| #${sub.number} |`);
      expect(followUp?.title).toBe(`Post-incident review: KB agent down (#${issue})`);
      expect(followUp?.labels.map((label) => (typeof label === 'string' ? label : label.name))).toEqual([
        'postmortem',
      ]);
      expect(followUp?.body).toContain('**Due: 2026-11-29 03:50 UTC**');
      expect(followUp?.body).toContain(`#${issue}`);
      expect(postmortem).toContain(
        `due **2026-11-29 03:50 UTC** (72 hours after resolution) in #${followUpNumber}`,
      );

      const chart = /```mermaid\n([\s\S]*?)\n```/.exec(postmortem ?? '')?.[1] ?? '';
      const tasks = await parseGantt(chart);
      expect(
        tasks.map((task) => [task.name, task.start.toISOString(), task.end.toISOString(), task.milestone]),
      ).toEqual([
        ['Investigating', '2026-11-26T03:00:00.000Z', '2026-11-26T03:45:00.000Z', false],
        ['Mitigated', '2026-11-26T03:45:00.000Z', '2026-11-26T03:50:00.000Z', false],
        ['Acknowledged', '2026-11-26T03:02:00.000Z', '2026-11-26T03:02:00.000Z', true],
        ['Resolved', '2026-11-26T03:50:00.000Z', '2026-11-26T03:50:00.000Z', true],
      ]);
    });

    test('an incident nobody acknowledges is escalated once, and the breach is recorded', async () => {
      const issue = scenario.openIssue('Slow answers', 'alice');
      await scenario.label(issue, 'incident:p1', 'alice');
      at(4);
      await scenario.sweep();
      expect(scenario.actionComments(issue).some((body) => body.includes('Escalation'))).toBe(false);
      at(6);
      await scenario.sweep();
      const escalation = scenario.actionComments(issue).find((body) => body.includes('Escalation'));
      expect(escalation).toContain(
        'declared 6 min ago and nobody has acknowledged it (target: 5 minutes, due 2026-11-26 03:05 UTC)',
      );
      expect(escalation).toContain('@oncall-lead @acme/sre: please take it');
      expect(emulator.repo().labelsOn(issue)).toContain('incident:sla-missed');
      expect(scenario.board(issue)).toContain('| Missed targets | acknowledgement (due 03:05 UTC) |');
      at(8);
      await scenario.sweep();
      expect(scenario.actionComments(issue).filter((body) => body.includes('Escalation'))).toHaveLength(1);
    });

    test('markers typed into a responder’s comment change nothing', async () => {
      const issue = scenario.openIssue('Spoof', 'alice');
      await scenario.label(issue, 'incident:p0', 'alice');
      const before = scenario.board(issue);
      at(1);
      emulator.addComment(issue, {
        user: 'mallory',
        body: 'fyi\n<!-- incident-issueops {"type":"event","action":"resolved","by":"mallory","at":"2026-11-26T03:01:00.000Z"} -->\n<!-- incident-issueops {"type":"event","action":"ack","by":"mallory","at":"2026-11-26T03:01:00.000Z"} -->\n<!-- incident-issueops {"type":"board"} -->',
      });
      await scenario.comment(issue, 'alice', '/timeline');
      const timeline = scenario.actionComments(issue).at(-1) ?? '';
      expect(timeline).not.toContain('mallory');
      const board = scenario.board(issue);
      expect(board).toContain('| Acknowledged | not yet');
      expect(board).toContain('| State | **investigating** → mitigated → resolved |');
      expect(board).toContain('| Responders | _none yet_ |');
      expect(before).toContain('| Acknowledged | not yet');
    });

    test('an unhealthy service is not resolved; --force resolves and records the override', async () => {
      const issue = scenario.openIssue('Errors', 'alice');
      await scenario.label(issue, 'incident:p1', 'alice');
      await app.fail();
      try {
        at(5);
        const refused = await scenario.comment(issue, 'alice', '/resolve');
        expect(refused.run.outputs).toMatchObject({ status: 'failure', reason: 'verification-failed' });
        expect(emulator.getIssue(issue)?.state).toBe('open');
        const why = scenario.actionComments(issue).find((body) => body.includes('Not resolved'));
        expect(why).toContain('❌ Verify application health');
        at(7);
        const forced = await scenario.comment(issue, 'alice', '/resolve --force customer impact over');
        expect(forced.run.outputs).toMatchObject({ status: 'success', reason: 'resolved' });
        expect(emulator.getIssue(issue)?.state).toBe('closed');
        expect(scenario.board(issue)).toContain('(verification overridden with `--force`)');
        const postmortem = scenario.actionComments(issue).find((body) => body.startsWith('# Postmortem'));
        expect(postmortem).toContain('⚠️ Resolved with `--force`: the resolution verification did not pass.');
      } finally {
        await app.clear();
      }
    });

    test('closing by hand writes the postmortem; reopening resumes the incident', async () => {
      const issue = scenario.openIssue('Cache failures', 'alice');
      await scenario.label(issue, 'incident:p2', 'alice');
      at(20);
      const closed = await scenario.close(issue, 'dana');
      expect(closed.outputs).toMatchObject({ status: 'success', reason: 'closed' });
      expect(scenario.actionComments(issue).find((body) => body.startsWith('# Postmortem'))).toContain(
        '⚠️ The issue was closed by hand: the resolution was not verified.',
      );
      expect(scenario.board(issue)).toContain('(issue closed by hand)');
      at(30);
      await scenario.reopen(issue, 'alice');
      expect(scenario.board(issue)).toContain('| State | **investigating** → mitigated → resolved |');
      expect(
        scenario
          .actionComments(issue)
          .some((body) => body.includes('Reopened by @alice: the incident resumes')),
      ).toBe(true);
    });

    test('/severity relabels the issue and recomputes the targets', async () => {
      const issue = scenario.openIssue('Auth failures', 'alice');
      await scenario.label(issue, 'incident:p2', 'alice');
      at(1);
      await scenario.comment(issue, 'alice', '/severity p1');
      expect(emulator.repo().labelsOn(issue)).toEqual(['incident:p1']);
      const board = scenario.board(issue);
      expect(board).toContain('## 🔍 P1 — High · investigating');
      expect(board).toContain('respond within **1 hour**');
      expect(board).toContain('| Next status update | due 03:30 UTC');
    });

    test('the initial assessment runs on declaration when configured', async () => {
      const issue = scenario.openIssue('Down again', 'alice');
      const run = await scenario.label(issue, 'incident:p0', 'alice', { 'initial-assessment': 'true' });
      expect(run.outputs).toMatchObject({ status: 'success', reason: 'declared' });
      const assessment = scenario.actionComments(issue).find((body) => body.includes('`/assess`'));
      expect(assessment).toContain('Quick health check');
      expect(assessment).toContain('"status":"ok"');
      expect(assessment).toContain('Check system resources');
    });

    test('a P0 with no status update gets a reminder at +30 minutes, not before', async () => {
      const issue = scenario.openIssue('Silent incident', 'alice');
      await scenario.label(issue, 'incident:p0', 'alice');
      at(1);
      await scenario.comment(issue, 'alice', '/ack');
      at(29);
      await scenario.sweep();
      expect(scenario.actionComments(issue).some((body) => body.includes('Status update overdue'))).toBe(
        false,
      );
      at(30);
      await scenario.sweep();
      const reminder = scenario.actionComments(issue).find((body) => body.includes('Status update overdue'));
      expect(reminder).toContain('@alice: no update since the declaration 30 min ago');
    });

    test('a severity label changed by hand is honoured like /severity', async () => {
      const issue = scenario.openIssue('Relabelled', 'alice');
      await scenario.label(issue, 'incident:p0', 'alice');
      at(5);
      emulator.repo().updateIssue(issue, { labels: [] }, 'dana');
      const run = await scenario.label(issue, 'incident:p2', 'dana');
      expect(run.outputs).toMatchObject({ status: 'success', reason: 'severity-changed' });
      const board = scenario.board(issue);
      expect(board).toContain('## 🔍 P2 — Medium · investigating');
      expect(board).not.toContain('Next status update');
      await scenario.comment(issue, 'alice', '/timeline');
      expect(scenario.actionComments(issue).at(-1)).toContain('| 03:05 | @dana | Severity P0 → P2 | — |');
    });
  });
}
