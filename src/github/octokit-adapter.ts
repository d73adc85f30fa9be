import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import {
  CommentGone,
  FileConflict,
  type GitHubPort,
  type IssueComment,
  type IssueSummary,
  type RepositoryRole,
} from './port.ts';

export interface OctokitAdapterOptions {
  token: string;
  owner: string;
  repo: string;
  baseUrl: string;
  log: (message: string) => void;
  /** How many times a rate-limited request is retried before giving up. */
  rateLimitRetries?: number;
  /**
   * `github` (the default): writes spaced as GitHub asks (about 1 s apart, 3 s for comments) and
   * rate limits waited out. `none`: no spacing and short retry delays, for tests against the
   * emulator, which does not limit.
   */
  pacing?: 'github' | 'none';
}

type Octokit = ReturnType<typeof getOctokit>;

export function createOctokit(options: OctokitAdapterOptions): Octokit {
  const retries = options.rateLimitRetries ?? 3;
  const paced = (options.pacing ?? 'github') === 'github';
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      ...(paced ? {} : { retry: { retryAfterBaseValue: 10 } }),
      throttle: {
        enabled: paced,
        onRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          count: number,
        ) => {
          options.log(
            `GitHub rate limit on ${request.method} ${request.url}; retry ${count + 1} in ${retryAfter}s`,
          );
          return count < retries;
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          count: number,
        ) => {
          options.log(
            `GitHub secondary rate limit on ${request.method} ${request.url}; retry ${count + 1} in ${retryAfter}s`,
          );
          return count < retries;
        },
      },
    },
    retry,
    throttling,
  );
}

export function createGitHubAdapter(
  options: OctokitAdapterOptions,
  octokit = createOctokit(options),
): GitHubPort {
  const repo = { owner: options.owner, repo: options.repo };
  const summary = (issue: {
    id?: number;
    number: number;
    title: string;
    state: string;
    labels: (string | { name?: string })[];
    html_url: string;
    user: { login: string } | null;
    created_at: string;
    closed_at?: string | null;
    body?: string | null;
  }): IssueSummary => ({
    id: issue.id ?? 0,
    number: issue.number,
    title: issue.title,
    state: issue.state === 'closed' ? 'closed' : 'open',
    labels: issue.labels.map((label) => (typeof label === 'string' ? label : (label.name ?? ''))),
    htmlUrl: issue.html_url,
    author: issue.user?.login ?? '',
    body: issue.body ?? '',
    closedAt: issue.closed_at ?? undefined,
    createdAt: issue.created_at,
  });
  return {
    async getIssue(issueNumber) {
      const { data } = await octokit.rest.issues.get({ ...repo, issue_number: issueNumber });
      return summary(data);
    },
    async listOpenIssues(label) {
      const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
        ...repo,
        state: 'open',
        labels: label,
        per_page: 100,
      });
      return issues.filter((issue) => !issue.pull_request).map(summary);
    },
    async listClosedIssuesSince(label, since) {
      const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
        ...repo,
        state: 'closed',
        labels: label,
        since: since.toISOString(),
        sort: 'updated',
        direction: 'desc',
        per_page: 100,
      });
      return issues.filter((issue) => !issue.pull_request).map(summary);
    },
    async reopenIssue(issueNumber) {
      await octokit.rest.issues.update({ ...repo, issue_number: issueNumber, state: 'open' });
    },
    async createIssue(issue) {
      const { data } = await octokit.rest.issues.create({ ...repo, ...issue });
      return summary(data);
    },
    async closeIssue(issueNumber) {
      await octokit.rest.issues.update({
        ...repo,
        issue_number: issueNumber,
        state: 'closed',
        state_reason: 'completed',
      });
    },
    async listEvents(issueNumber) {
      const events = await octokit.paginate(octokit.rest.issues.listEvents, {
        ...repo,
        issue_number: issueNumber,
        per_page: 100,
      });
      return events.map((event) => ({
        event: event.event,
        actor: event.actor?.login ?? '',
        createdAt: event.created_at,
        ...('label' in event && event.label ? { label: event.label.name } : {}),
      }));
    },
    async addLabels(issueNumber, labels) {
      await octokit.rest.issues.addLabels({ ...repo, issue_number: issueNumber, labels });
    },
    async removeLabel(issueNumber, label) {
      try {
        await octokit.rest.issues.removeLabel({ ...repo, issue_number: issueNumber, name: label });
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    },
    async addAssignees(issueNumber, assignees) {
      await octokit.rest.issues.addAssignees({ ...repo, issue_number: issueNumber, assignees });
    },
    async addSubIssue(parentNumber, childId) {
      await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parentNumber, sub_issue_id: childId });
    },
    async listSubIssues(parentNumber) {
      const issues = await octokit.paginate(octokit.rest.issues.listSubIssues, {
        ...repo,
        issue_number: parentNumber,
        per_page: 100,
      });
      return issues.map(summary);
    },
    async updateIssueBody(issueNumber, body) {
      await octokit.rest.issues.update({ ...repo, issue_number: issueNumber, body });
    },
    async listComments(issueNumber) {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        ...repo,
        issue_number: issueNumber,
        per_page: 100,
      });
      return comments.map(commentOf);
    },
    async getComment(commentId) {
      try {
        const { data } = await octokit.rest.issues.getComment({ ...repo, comment_id: commentId });
        return commentOf(data);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async createComment(issueNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
      return { id: data.id, htmlUrl: data.html_url, createdAt: data.created_at };
    },
    async updateComment(commentId, body) {
      await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body });
    },
    async reactToComment(commentId, content) {
      try {
        const { status } = await octokit.rest.reactions.createForIssueComment({
          ...repo,
          comment_id: commentId,
          content,
        });
        return status === 201;
      } catch (error) {
        if (statusOf(error) === 404) throw new CommentGone(commentId);
        throw error;
      }
    },
    async addReaction(commentId, content) {
      try {
        const { status, data } = await octokit.rest.reactions.createForIssueComment({
          ...repo,
          comment_id: commentId,
          content,
        });
        return {
          created: status === 201,
          reaction: {
            id: data.id,
            content: data.content,
            user: data.user?.login ?? '',
            createdAt: data.created_at,
          },
        };
      } catch (error) {
        if (statusOf(error) === 404) throw new CommentGone(commentId);
        throw error;
      }
    },
    async deleteReaction(commentId, reactionId) {
      try {
        await octokit.rest.reactions.deleteForIssueComment({
          ...repo,
          comment_id: commentId,
          reaction_id: reactionId,
        });
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    },
    async listCommentReactions(commentId) {
      const reactions = await octokit.paginate(octokit.rest.reactions.listForIssueComment, {
        ...repo,
        comment_id: commentId,
        per_page: 100,
      });
      return reactions.map((reaction) => ({
        id: reaction.id,
        content: reaction.content,
        user: reaction.user?.login ?? '',
        createdAt: reaction.created_at,
      }));
    },
    async repositoryRole(username) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
        return roleFrom(data.role_name, data.permission);
      } catch (error) {
        if (statusOf(error) === 404) return 'none';
        throw error;
      }
    },
    async isTeamMember(org, teamSlug, username) {
      try {
        const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
          org,
          team_slug: teamSlug,
          username,
        });
        return data.state === 'active';
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    },
    async readFile(path) {
      try {
        const { data } = await octokit.rest.repos.getContent({ ...repo, path });
        if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
          throw new Error(`${path} in ${options.owner}/${options.repo} is not a file`);
        }
        return Buffer.from(data.content, 'base64').toString('utf8');
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async readBranchFile(path, branch) {
      try {
        const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref: branch });
        if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
          throw new Error(`${path} on ${branch} is not a file`);
        }
        return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
      } catch (error) {
        // A missing file; also a missing branch, which the write then names.
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async writeBranchFile(file) {
      try {
        await octokit.rest.repos.createOrUpdateFileContents({
          ...repo,
          path: file.path,
          branch: file.branch,
          message: file.message,
          content: Buffer.from(file.text, 'utf8').toString('base64'),
          ...(file.sha ? { sha: file.sha } : {}),
        });
      } catch (error) {
        if (statusOf(error) === 409 || (statusOf(error) === 422 && /sha/.test(String(error))))
          throw new FileConflict(file.path);
        throw error;
      }
    },
  };
}

function commentOf(comment: {
  id: number;
  body?: string | undefined;
  user: { login: string; type: string } | null;
  author_association: string;
  created_at: string;
  updated_at: string;
  html_url: string;
  reactions?: Record<string, unknown> | undefined;
}): IssueComment {
  return {
    id: comment.id,
    body: comment.body ?? '',
    author: comment.user?.login ?? '',
    authorType: comment.user?.type ?? '',
    authorAssociation: comment.author_association,
    createdAt: comment.created_at,
    updatedAt: comment.updated_at,
    htmlUrl: comment.html_url,
    reactions: rollupOf(comment.reactions),
  };
}

/**
 * `role_name` tells maintain from write and triage from read; the older `permission` field folds
 * maintain into write and triage into read, so it is only the fallback.
 */
function roleFrom(roleName: string | undefined, permission: string): RepositoryRole {
  const known = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
  const match = known.find((role) => role === roleName) ?? known.find((role) => role === permission);
  return match ?? 'none';
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
    ? error.status
    : undefined;
}

const REACTION_CONTENTS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;

/** The counts of GitHub's reaction roll-up, by reaction. */
function rollupOf(rollup: Record<string, unknown> | undefined): IssueComment['reactions'] {
  const counts: IssueComment['reactions'] = {};
  for (const content of REACTION_CONTENTS) {
    const count = rollup?.[content];
    if (typeof count === 'number' && count > 0) counts[content] = count;
  }
  return counts;
}
