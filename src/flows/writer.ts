import type { GitHubPort, PostedComment } from '../github/port.ts';
import { composeBody, recordOverhead, type RecordContent } from '../records/codec.ts';
import type { RecordSealer } from '../records/seal.ts';
import { BODY_LIMIT, boundMarkdown } from '../report/bound.ts';
import { redact } from '../report/redact.ts';

/**
 * The one way the action writes a comment. Every body is bounded to GitHub's limit (with a link to
 * where the rest is), cleared of the run's known secrets, and ends with its sealed record, so that
 * what later runs read back is exactly what this run wrote.
 */
export interface IssueWriter {
  post(issueNumber: number, text: string, record: RecordContent): Promise<PostedComment>;
  edit(commentId: number, issueNumber: number, text: string, record: RecordContent): Promise<void>;
  /** The body `post` would write (for renderers that must know their final size). */
  body(issueNumber: number, text: string, record: RecordContent): string;
}

export interface WriterOptions {
  github: Pick<GitHubPort, 'createComment' | 'updateComment'>;
  sealer: RecordSealer;
  knownSecrets: readonly string[];
  /** Where the whole text can be read when a body is cut: the workflow run. */
  runUrl: string;
  /** Receives every text that had to be cut, whole; the composition root puts it in the job summary. */
  onOverflow: (text: string) => void;
}

export function createIssueWriter(options: WriterOptions): IssueWriter {
  const body = (issueNumber: number, text: string, record: RecordContent) => {
    // A cut by UTF-16 index can leave half a character; GitHub gets well-formed text only.
    const safe = redact(text, options.knownSecrets).text.toWellFormed();
    const limit = BODY_LIMIT - recordOverhead(record);
    if (safe.length > limit) options.onOverflow(safe);
    const bounded = boundMarkdown(
      safe,
      limit,
      (omitted) =>
        `> [!NOTE]\n> ${omitted.toLocaleString('en-US')} characters are cut here to stay within GitHub's comment limit; the [workflow run](${options.runUrl}) has the whole text in its log and job summary.`,
    );
    return composeBody(bounded, record, { sealer: options.sealer, issueNumber });
  };
  return {
    body,
    post: (issueNumber, text, record) =>
      options.github.createComment(issueNumber, body(issueNumber, text, record)),
    edit: (commentId, issueNumber, text, record) =>
      options.github.updateComment(commentId, body(issueNumber, text, record)),
  };
}
