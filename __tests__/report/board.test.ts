// The status board as people read it, whole: every statement on it backed by what the incident
// records. Compared to the exact Markdown so that any change to it shows in review.
import { parseRunbook } from '../../src/config/runbook.ts';
import { assessTargets } from '../../src/incident/sla.ts';
import { emptyIncident, type Incident } from '../../src/incident/state.ts';
import { renderBoard } from '../../src/report/board.ts';
import { BUILTIN_RUNBOOK_YAML } from '../../src/runbook/builtin.ts';

const parsed = parseRunbook(BUILTIN_RUNBOOK_YAML, 'built-in');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const p0 = parsed.runbook.severities.p0!;
const at = (time: string) => new Date(`2026-11-26T${time}:00Z`);
const url = (id: number) => `https://github.com/octo-org/incidents/issues/1#issuecomment-${id}`;

function board(incident: Incident, now: Date): string {
  const sla = assessTargets(incident, p0, now);
  if (!sla) throw new Error('not declared');
  return renderBoard({
    incident,
    severityKey: 'p0',
    severity: p0,
    sla,
    now,
    issueTitle: 'KB agent down',
    tampered: [],
    sealed: true,
  });
}

/** Acknowledged late (03:06 for 03:05), mitigated late, one status update missed, six commands. */
function lateIncident(): Incident {
  return {
    ...emptyIncident(),
    severity: 'p0',
    declaredAt: at('03:00'),
    declaredBy: 'alice',
    acknowledgedAt: at('03:06'),
    acknowledgedBy: 'bob',
    commander: 'dana',
    responders: ['alice', 'bob', 'dana'],
    phase: 'resolved',
    mitigatedAt: at('03:20'),
    resolvedAt: at('03:55'),
    resolvedBy: 'dana',
    updates: [{ at: at('03:52'), by: 'dana', text: 'Rolled back to v1.1.0; errors are gone.' }],
    breaches: [
      { kind: 'acknowledge', at: at('03:06') },
      { kind: 'update', at: at('03:31') },
    ],
    lastReminderAt: at('03:31'),
    commands: ['diagnose', 'backup', 'restart', 'rollback', 'health', 'resolve'].map((command, index) => ({
      command,
      status: command === 'restart' ? 'failure' : 'success',
      by: index === 5 ? 'dana' : 'alice',
      at: at(`03:${String(9 + index * 8).padStart(2, '0')}`),
      url: url(10 + index),
    })),
  };
}

test('a resolved board: how long it lasted, every missed target with its due time, nothing claimed that did not happen', () => {
  expect(board(lateIncident(), at('04:30'))).toBe(`## ✅ P0 — Critical · resolved

> Service completely down or major data loss

Targets: acknowledge within **5 minutes** · respond within **15 minutes** · status update every **30 minutes**

| State | investigating → mitigated → **resolved** |
|---|---|
| Commander | @dana |
| Responders | @alice, @bob, @dana |
| Declared | 2026-11-26 03:00 UTC by @alice (lasted 55 min) |
| Acknowledged | 03:06 UTC by @bob, after 6 min ⚠️ (target 03:05 UTC missed) |
| Mitigated | 03:20 UTC, after 20 min ⚠️ (target 03:15 UTC missed) |
| Resolved | 03:55 UTC by @dana |
| Missed targets | acknowledgement (due 03:05 UTC), response (mitigation) (due 03:15 UTC), status update (due 03:30 UTC) |

#### Initial response

- [x] Acknowledge within 5 minutes (\`/ack\`)
- [x] Assign an incident commander (\`/commander @user\`)
- [x] Tracking ticket: this issue
- [x] Status update posted on this issue (\`/update <text>\`)
- [ ] Notify stakeholders: no channel is set up (\`slack-webhook-url\`), so tell them yourself

#### Recent commands (the last 5 of 6; \`/timeline\` has them all)

| UTC, 2026-11-26 | Command | By | Result |
|---|---|---|---|
| 03:49 | [\`/resolve\`](${url(15)}) | @dana | success |
| 03:41 | [\`/health\`](${url(14)}) | @alice | success |
| 03:33 | [\`/rollback\`](${url(13)}) | @alice | success |
| 03:25 | [\`/restart\`](${url(12)}) | @alice | failure |
| 03:17 | [\`/backup\`](${url(11)}) | @alice | success |

#### Latest update (03:52 UTC, @dana)

\`Rolled back to v1.1.0; errors are gone.\`

<sub>Board updated 2026-11-26 04:30 UTC. Lifecycle: \`/ack\` \`/commander @user\` \`/severity pN\` \`/update <text>\` \`/mitigated\` \`/resolve [summary]\` \`/timeline\` · \`/help\` for runbook commands.</sub>`);
});

test('a second missed update is due one cadence after the first reminder, not after the declaration', () => {
  const incident: Incident = {
    ...lateIncident(),
    phase: 'investigating',
    mitigatedAt: undefined,
    resolvedAt: undefined,
    resolvedBy: undefined,
    updates: [],
    breaches: [
      { kind: 'update', at: at('03:31') },
      { kind: 'update', at: at('04:02') },
    ],
  };
  expect(board(incident, at('04:10'))).toContain(
    '| Missed targets | acknowledgement (due 03:05 UTC), response (mitigation) (due 03:15 UTC), status update (due 03:30 UTC), status update (due 04:01 UTC) |',
  );
  expect(board(incident, at('04:10'))).toContain(
    '| Declared | 2026-11-26 03:00 UTC by @alice (1 h 10 min ago) |',
  );
});

describe('the stakeholders line says what reached the channel, never more', () => {
  const line = (delivery: Parameters<typeof renderBoard>[0]['delivery']) =>
    renderBoard({
      incident: lateIncident(),
      severityKey: 'p0',
      severity: p0,
      sla: assessTargets(lateIncident(), p0, at('04:30'))!,
      now: at('04:30'),
      issueTitle: 'KB agent down',
      tampered: [],
      sealed: true,
      delivery,
    })
      .split('\n')
      .find((text) => text.includes('Notify stakeholders'));

  test('ticked when every change owed went out', () => {
    expect(
      line({ channel: 'Slack', delivered: 6, owed: 0, deliveredAt: at('03:55'), failure: undefined }),
    ).toBe('- [x] Notify stakeholders: Slack told of 6 changes, last at 2026-11-26 03:55 UTC');
  });

  test("a failure shows Slack's answer, how often it was tried, and that the next run tries again", () => {
    expect(
      line({
        channel: 'Slack',
        delivered: 2,
        owed: 3,
        deliveredAt: at('03:10'),
        failure: { at: at('03:20'), error: 'HTTP 503 service_unavailable', attempts: 4 },
      }),
    ).toBe(
      '- [ ] Notify stakeholders: ⚠️ **3 changes not delivered to Slack** (`HTTP 503 service_unavailable`, 4 attempts at 2026-11-26 03:20 UTC); the next run tries again · Slack told of 2 changes, last at 2026-11-26 03:10 UTC',
    );
  });

  test('nothing delivered yet is not ticked, owed or not', () => {
    expect(
      line({ channel: 'Slack', delivered: 0, owed: 0, deliveredAt: undefined, failure: undefined }),
    ).toBe('- [ ] Notify stakeholders: nothing sent to Slack yet');
    expect(
      line({ channel: 'Slack', delivered: 1, owed: 1, deliveredAt: at('03:01'), failure: undefined }),
    ).toBe('- [ ] Notify stakeholders: 1 change(s) owed to Slack');
  });

  test('an error from Slack cannot inject Markdown into the board', () => {
    const text = line({
      channel: 'Slack',
      delivered: 0,
      owed: 1,
      deliveredAt: undefined,
      failure: { at: at('03:20'), error: 'HTTP 400 ](https://evil.example) @everyone\n# big', attempts: 1 },
    });
    // One line, and in a code span: GitHub renders neither a link nor a mention inside it.
    expect(text).toContain('(`HTTP 400 ](https://evil.example) @everyone # big`, 1 attempt');
  });
});
