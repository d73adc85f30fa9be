import type { CommentReaction, GitHubPort, IssueComment, IssueEventRecord, RepositoryRole } from './port.ts';

/**
 * One read per run: the first look at an issue's comments, events or a comment's reactions is
 * fetched (paginated) and kept; what the action itself writes during the run is applied to that
 * copy instead of being read back. `refresh` drops an issue's copy where correctness needs what
 * others did since (a command held by another run, a comment not listed yet).
 */
export interface CachedGitHub extends GitHubPort {
  refresh(issueNumber: number): void;
  /** Requests this run made, by port method: for the log and the bench. */
  requestCounts(): Record<string, number>;
}

export function cacheIssueReads(
  port: GitHubPort,
  options: { selfLogin: string; now: () => Date },
): CachedGitHub {
  const comments = new Map<number, Promise<IssueComment[]>>();
  const events = new Map<number, Promise<IssueEventRecord[]>>();
  const reactions = new Map<number, Promise<CommentReaction[]>>();
  const roles = new Map<string, Promise<RepositoryRole>>();
  const teams = new Map<string, Promise<boolean>>();
  const files = new Map<string, Promise<string | undefined>>();
  /** Which issue each cached comment belongs to, so writes land in the right copy. */
  const issueOf = new Map<number, number>();
  const counts: Record<string, number> = {};
  const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  /**
   * Keeps `value` under `key`. A read that fails is forgotten (the next look asks again), but only
   * if nothing newer took its place, and its failure is never left unhandled: whoever awaits the
   * value sees it.
   */
  const keep = <K, V>(map: Map<K, Promise<V>>, key: K, value: Promise<V>): Promise<V> => {
    map.set(key, value);
    value.catch(() => {
      if (map.get(key) === value) map.delete(key);
    });
    return value;
  };
  const memo = <K, V>(map: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> =>
    map.get(key) ?? keep(map, key, load());
  const editComments = async (issueNumber: number, edit: (list: IssueComment[]) => IssueComment[]) => {
    const cached = comments.get(issueNumber);
    if (cached) keep(comments, issueNumber, cached.then(edit));
  };
  const addEvent = (issueNumber: number, event: IssueEventRecord) => {
    const cached = events.get(issueNumber);
    if (cached)
      keep(
        events,
        issueNumber,
        cached.then((list) => [...list, event]),
      );
  };
  const own = (event: string, label?: string): IssueEventRecord => ({
    event,
    actor: options.selfLogin,
    createdAt: options.now().toISOString(),
    ...(label ? { label } : {}),
  });

  return {
    refresh(issueNumber) {
      comments.delete(issueNumber);
      events.delete(issueNumber);
      for (const [commentId, issue] of issueOf) if (issue === issueNumber) reactions.delete(commentId);
    },
    requestCounts: () => ({ ...counts }),
    getIssue: (issueNumber) => (count('getIssue'), port.getIssue(issueNumber)),
    listOpenIssues: (label) => (count('listOpenIssues'), port.listOpenIssues(label)),
    listClosedIssuesSince: (label, since) => (
      count('listClosedIssuesSince'),
      port.listClosedIssuesSince(label, since)
    ),
    createIssue: (issue) => (count('createIssue'), port.createIssue(issue)),
    async reopenIssue(issueNumber) {
      count('reopenIssue');
      await port.reopenIssue(issueNumber);
      addEvent(issueNumber, own('reopened'));
    },
    async closeIssue(issueNumber) {
      count('closeIssue');
      await port.closeIssue(issueNumber);
      addEvent(issueNumber, own('closed'));
    },
    listEvents: (issueNumber) =>
      memo(events, issueNumber, () => (count('listEvents'), port.listEvents(issueNumber))).then((list) => [
        ...list,
      ]),
    async addLabels(issueNumber, labels) {
      count('addLabels');
      await port.addLabels(issueNumber, labels);
      for (const label of labels) addEvent(issueNumber, own('labeled', label));
    },
    async removeLabel(issueNumber, label) {
      count('removeLabel');
      await port.removeLabel(issueNumber, label);
      addEvent(issueNumber, own('unlabeled', label));
    },
    addSubIssue: (parentNumber, childId) => (count('addSubIssue'), port.addSubIssue(parentNumber, childId)),
    listSubIssues: (parentNumber) => (count('listSubIssues'), port.listSubIssues(parentNumber)),
    updateIssueBody: (issueNumber, body) => (
      count('updateIssueBody'),
      port.updateIssueBody(issueNumber, body)
    ),
    addAssignees: (issueNumber, assignees) => (
      count('addAssignees'),
      port.addAssignees(issueNumber, assignees)
    ),
    async listComments(issueNumber) {
      const list = await memo(comments, issueNumber, async () => {
        count('listComments');
        const listed = await port.listComments(issueNumber);
        for (const comment of listed) issueOf.set(comment.id, issueNumber);
        return listed;
      });
      return [...list];
    },
    async getComment(commentId) {
      count('getComment');
      const fresh = await port.getComment(commentId);
      // What GitHub holds now replaces what this run read earlier (another run may have edited it).
      const issueNumber = issueOf.get(commentId);
      if (fresh && issueNumber !== undefined && comments.has(issueNumber))
        await editComments(issueNumber, (list) =>
          list.map((comment) => (comment.id === commentId ? fresh : comment)),
        );
      return fresh;
    },
    async createComment(issueNumber, body) {
      count('createComment');
      const posted = await port.createComment(issueNumber, body);
      issueOf.set(posted.id, issueNumber);
      const at = posted.createdAt ?? options.now().toISOString();
      await editComments(issueNumber, (list) => [
        ...list,
        {
          id: posted.id,
          body,
          author: options.selfLogin,
          authorType: 'Bot',
          authorAssociation: 'NONE',
          createdAt: at,
          updatedAt: at,
          htmlUrl: posted.htmlUrl,
          reactions: {},
        },
      ]);
      return posted;
    },
    async updateComment(commentId, body) {
      count('updateComment');
      await port.updateComment(commentId, body);
      const issueNumber = issueOf.get(commentId);
      if (issueNumber === undefined) return;
      const at = options.now().toISOString();
      await editComments(issueNumber, (list) =>
        list.map((comment) => (comment.id === commentId ? { ...comment, body, updatedAt: at } : comment)),
      );
    },
    async reactToComment(commentId, content) {
      count('reactToComment');
      const created = await port.reactToComment(commentId, content);
      if (!created) {
        // Someone else's run left it: what we hold of this comment's reactions is out of date.
        reactions.delete(commentId);
        return created;
      }
      const cached = reactions.get(commentId);
      if (cached) {
        const reaction = { id: 0, content, user: options.selfLogin, createdAt: options.now().toISOString() };
        keep(
          reactions,
          commentId,
          cached.then((list) => [...list, reaction]),
        );
      }
      const issueNumber = issueOf.get(commentId);
      if (issueNumber !== undefined) {
        await editComments(issueNumber, (list) =>
          list.map((comment) =>
            comment.id === commentId
              ? {
                  ...comment,
                  reactions: { ...comment.reactions, [content]: (comment.reactions[content] ?? 0) + 1 },
                }
              : comment,
          ),
        );
      }
      return created;
    },
    // The board's write lock (flows/board-lock.ts): nothing this run reads back depends on it.
    async addReaction(commentId, content) {
      count('addReaction');
      reactions.delete(commentId);
      return port.addReaction(commentId, content);
    },
    async deleteReaction(commentId, reactionId) {
      count('deleteReaction');
      reactions.delete(commentId);
      await port.deleteReaction(commentId, reactionId);
    },
    listCommentReactions: (commentId) =>
      memo(
        reactions,
        commentId,
        () => (count('listCommentReactions'), port.listCommentReactions(commentId)),
      ).then((list) => [...list]),
    repositoryRole: (username) =>
      memo(roles, username.toLowerCase(), () => (count('repositoryRole'), port.repositoryRole(username))),
    isTeamMember: (org, team, username) =>
      memo(
        teams,
        `${org}/${team}/${username.toLowerCase()}`,
        () => (count('isTeamMember'), port.isTeamMember(org, team, username)),
      ),
    readFile: (path) => memo(files, path, () => (count('readFile'), port.readFile(path))),
    // The status page is read just before it is written: never from the cache.
    readBranchFile: (path, branch) => (count('readBranchFile'), port.readBranchFile(path, branch)),
    writeBranchFile: (file) => (count('writeBranchFile'), port.writeBranchFile(file)),
  };
}
