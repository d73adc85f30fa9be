import type { Permission } from '../config/runbook.schema.ts';

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

export interface PostedComment {
  id: number;
  htmlUrl: string;
  createdAt?: string;
}

/** Repository role of a user; `none` when they are not a collaborator. */
export type RepositoryRole = Permission | 'none';

/**
 * Everything the action needs from GitHub, for one repository. The Octokit adapter implements it;
 * pure code never sees Octokit.
 */
export interface IssueComment {
  id: number;
  body: string;
  author: string;
  authorType: string;
  /** GitHub's `author_association`: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE … */
  authorAssociation: string;
  createdAt: string;
  /** Differs from createdAt once someone edited the text (reactions do not change it). */
  updatedAt: string;
  htmlUrl: string;
  /** GitHub's reaction roll-up: how many reactions of each kind, from anyone. */
  reactions: Partial<Record<ReactionContent, number>>;
}

/** One reaction on a comment, with who left it and when. */
export interface CommentReaction {
  id: number;
  content: string;
  user: string;
  createdAt: string;
}

/** An entry of the issue's event log, as GitHub records it. */
export interface IssueEventRecord {
  event: string;
  actor: string;
  createdAt: string;
  label?: string;
}

export interface IssueSummary {
  /** GitHub's database id (the sub-issues API names an issue by it), 0 where it was not read. */
  id: number;
  number: number;
  title: string;
  state: 'open' | 'closed';
  labels: string[];
  htmlUrl: string;
  author: string;
  createdAt: string;
  /** the issue's text ('' when it has none) */
  body: string;
  closedAt: string | undefined;
}

/** The comment is gone (deleted meanwhile): whatever was to be done with it cannot be. */
export class CommentGone extends Error {
  readonly commentId: number;
  constructor(commentId: number) {
    super(`comment ${commentId} no longer exists`);
    this.commentId = commentId;
  }
}

export interface GitHubPort {
  getIssue(issueNumber: number): Promise<IssueSummary>;
  /** Open issues carrying `label` (paginated underneath). */
  listOpenIssues(label: string): Promise<IssueSummary[]>;
  /** Closed issues carrying `label`, updated since `since` (paginated underneath). */
  listClosedIssuesSince(label: string, since: Date): Promise<IssueSummary[]>;
  createIssue(issue: { title: string; body: string; labels: string[] }): Promise<IssueSummary>;
  closeIssue(issueNumber: number): Promise<void>;
  reopenIssue(issueNumber: number): Promise<void>;
  /** Label changes, closes and reopens, oldest first (paginated underneath). */
  listEvents(issueNumber: number): Promise<IssueEventRecord[]>;
  addLabels(issueNumber: number, labels: string[]): Promise<void>;
  removeLabel(issueNumber: number, label: string): Promise<void>;
  addAssignees(issueNumber: number, assignees: string[]): Promise<void>;
  /** Makes `child` (by its id) a sub-issue of `parentNumber`, so its closing is tracked there. */
  addSubIssue(parentNumber: number, childId: number): Promise<void>;
  /** The sub-issues of an issue, in order (paginated underneath). */
  listSubIssues(parentNumber: number): Promise<IssueSummary[]>;
  /** Rewrites an issue's body. */
  updateIssueBody(issueNumber: number, body: string): Promise<void>;
  /** Every comment of the issue, oldest first (paginated underneath). */
  listComments(issueNumber: number): Promise<IssueComment[]>;
  /** One comment as it is now; undefined when it was deleted. */
  getComment(commentId: number): Promise<IssueComment | undefined>;
  createComment(issueNumber: number, body: string): Promise<PostedComment>;
  updateComment(commentId: number, body: string): Promise<void>;
  /**
   * Adds the action's reaction. true when this call created it, false when the action had already
   * left it (GitHub answers 200 instead of 201): the claim on a command rests on this. Throws
   * CommentGone when the comment was deleted.
   */
  reactToComment(commentId: number, content: ReactionContent): Promise<boolean>;
  /**
   * Adds the action's reaction and returns it: `created` when this call made it (201), otherwise
   * the one the action had already left (200), with its id and time. Throws CommentGone when the
   * comment was deleted.
   */
  addReaction(
    commentId: number,
    content: ReactionContent,
  ): Promise<{ created: boolean; reaction: CommentReaction }>;
  /** Removes one of the action's own reactions; one already gone is no error. */
  deleteReaction(commentId: number, reactionId: number): Promise<void>;
  /** Every reaction on a comment, with its author and time (paginated underneath). */
  listCommentReactions(commentId: number): Promise<CommentReaction[]>;
  repositoryRole(username: string): Promise<RepositoryRole>;
  /** true/false from the API; throws when membership cannot be read (callers fail closed). */
  isTeamMember(org: string, teamSlug: string, username: string): Promise<boolean>;
  /** The file's text, or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** A file on a branch with its blob sha (to replace it), or undefined when it does not exist. */
  readBranchFile(path: string, branch: string): Promise<{ text: string; sha: string } | undefined>;
  /**
   * Creates or replaces a file on a branch in one commit. `sha` is the blob it replaces (none for
   * a new file); throws FileConflict when the file changed meanwhile.
   */
  writeBranchFile(file: {
    path: string;
    branch: string;
    text: string;
    message: string;
    sha?: string;
  }): Promise<void>;
}

/** The file changed since it was read (409): read it again, then write. */
export class FileConflict extends Error {}
