// The hostile corpus and the treatment each entry must get, shared by the in-process run of the
// whole corpus (flows/hostile-corpus.test.ts) and the bundle run of one per category
// (e2e/hostile-corpus.test.ts).
import { readFileSync } from 'node:fs';
import type { GitHubEmulator } from '../../harness/github/emulator.ts';
import type { IncidentScenario } from '../../harness/scenario.ts';

export interface Entry {
  category: string;
  body: string;
  expect: 'ignored' | 'refused';
  user?: string;
}

export const CORPUS = JSON.parse(
  readFileSync(new URL('../corpus/hostile-comments.json', import.meta.url), 'utf8'),
) as Entry[];

/** Tallies per category, and a line for each entry not handled as specified. */
export class CorpusTally {
  readonly mismatches: string[] = [];
  readonly handled = new Map<string, { tried: number; asSpecified: number }>();

  /** Posts the entry on a fresh incident and checks its treatment. */
  async check(
    scenario: IncidentScenario,
    emulator: GitHubEmulator,
    entry: Entry,
    index: number,
  ): Promise<void> {
    const issue = scenario.openIncident(`Corpus ${index}`, 'incident:p1');
    const { commentId, run } = await scenario.comment(issue, entry.user ?? 'alice', entry.body);
    const replies = scenario.actionComments(issue);
    const reactions = emulator.reactionsFor(commentId).map((reaction) => reaction.content);
    const asSpecified =
      entry.expect === 'ignored'
        ? run.outputs.status === 'ignored' && replies.length === 0 && reactions.length === 0
        : run.outputs.status === 'refused' &&
          // One reply for the whole comment, saying what was wrong.
          replies.length === 1 &&
          replies.every((reply) => /^(❓|🚫|⚠️ \*\*Not run:\*\*|⏳)/u.test(reply)) &&
          // Claimed, then refused; or refused whole before any claim (no access, too many commands).
          ['eyes,confused', 'confused'].includes(reactions.join(','));
    const tally = this.handled.get(entry.category) ?? { tried: 0, asSpecified: 0 };
    this.handled.set(entry.category, {
      tried: tally.tried + 1,
      asSpecified: tally.asSpecified + (asSpecified ? 1 : 0),
    });
    if (!asSpecified || run.exitCode !== 0) {
      this.mismatches.push(
        `#${index} ${entry.category} ${JSON.stringify(entry.body.slice(0, 80))}: ${run.outputs.status}/${run.outputs.reason} exit ${run.exitCode}, ${replies.length} replies, reactions ${reactions.join(',')}`,
      );
    }
  }
}
