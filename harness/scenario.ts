import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startEmulator, type GitHubEmulator, type Role } from './github/emulator.ts';
import {
  issueCommentCreated,
  issueCommentEdited,
  issuesClosed,
  issuesLabeled,
  issuesUnlabeled,
  issuesReopened,
  matchEmulatorIssue,
  repositoryDispatch,
  schedule,
} from './github/fixtures.ts';
import type { DeployHostState } from './deploy/host.ts';
import { runAction, type ActionRun } from './run-action.ts';

/** The stand-in host's runbook (supervisor instead of docker-compose): see harness/deploy/host.ts for why it stays. */
export const STANDIN_RUNBOOK = readFileSync(
  new URL('./deploy/incident-runbook.yml', import.meta.url),
  'utf8',
);

export interface IncidentWorkspace {
  emulator: GitHubEmulator;
  scenario: IncidentScenario;
}

/**
 * A fresh emulated repository with the runbook file in place and people in their roles, and a
 * scenario that runs the bundle against it.
 */
export async function startIncidentWorkspace(options: {
  /** the repository's runbook file; without it, pass the input `runbook: builtin` */
  runbook?: string;
  roles: Record<string, Role>;
  inputs: Record<string, string>;
  clock?: () => Date;
  pacing?: 'none' | 'github';
}): Promise<IncidentWorkspace> {
  const emulator = await startEmulator(options.clock ? { now: options.clock } : {});
  if (options.runbook !== undefined) emulator.putFile('.github/incident-runbook.yml', options.runbook);
  for (const [user, role] of Object.entries(options.roles)) emulator.setPermission(user, role);
  const scenario = new IncidentScenario({
    emulator,
    inputs: options.inputs,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.pacing ? { pacing: options.pacing } : {}),
  });
  return { emulator, scenario };
}

/** The action's ssh inputs for the test deployment host. */
export function sshInputs(
  state: Pick<DeployHostState, 'sshHost' | 'sshPort' | 'sshUser' | 'privateKey' | 'knownHostsLine'>,
): Record<string, string> {
  return {
    'ssh-host': state.sshHost,
    'ssh-port': String(state.sshPort),
    'ssh-user': state.sshUser,
    'ssh-private-key': state.privateKey,
    'ssh-known-hosts': state.knownHostsLine,
  };
}

/** How one workflow run starts: extra inputs or environment, and a hold on its process. */
export interface StartOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  onSpawn?: (child: ChildProcess) => void;
  /** How long the run may take before it is killed (the job's timeout-minutes); 2 minutes by default. */
  timeoutMs?: number;
}

export interface ScenarioOptions {
  emulator: GitHubEmulator;
  /** Inputs every run gets (ssh settings, runbook path …). */
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** A controlled clock: each run of the action gets its time (the emulator should share it). */
  clock?: () => Date;
  /**
   * `none` (the default here): the action spaces no writes, as the emulator does not limit.
   * `github`: writes spaced as GitHub asks, to measure or prove behaviour at its real pace.
   */
  pacing?: 'none' | 'github';
  /**
   * Runs the action on one event: the bundle as the runner runs it (the default), or another way
   * (harness/in-process.ts runs it in this process with a fake host).
   */
  runner?: (run: {
    eventName: string;
    payload: unknown;
    inputs: Record<string, string>;
    env: Record<string, string>;
    runId: number;
  }) => Promise<ActionRun>;
}

/**
 * Plays what people do on an incident issue, through the emulator, and runs the bundled action
 * on each resulting webhook event, as a workflow run would.
 */
export class IncidentScenario {
  readonly runs: ActionRun[] = [];
  private readonly options: ScenarioOptions;
  private runCounter = 0;
  private dispatched = 0;

  constructor(options: ScenarioOptions) {
    this.options = options;
  }

  get emulator(): GitHubEmulator {
    return this.options.emulator;
  }

  openIssue(title: string, author = 'alice', body = 'The KB agent answers 503.'): number {
    return this.emulator.createIssue({ title, user: author, body }).number;
  }

  /** An open issue that already carries `label`, added by `user` without running the action. */
  openIncident(title: string, label: string, user = 'alice'): number {
    const issue = this.openIssue(title, user);
    this.emulator.repo().addLabels(issue, [label], user);
    return issue;
  }

  /** `user` adds `label` to the issue; the action runs on `issues.labeled`. */
  async label(
    issueNumber: number,
    label: string,
    user: string,
    inputs: Record<string, string> = {},
  ): Promise<ActionRun> {
    this.emulator.repo().addLabels(issueNumber, [label], user);
    const issue = this.issue(issueNumber);
    const fixture = issuesLabeled({
      ...matchEmulatorIssue(issue, this.emulator.repo().id),
      label,
      sender: user,
    });
    return this.run(fixture.eventName, fixture.payload, inputs);
  }

  /** `user` takes `label` off the issue; the action runs on `issues.unlabeled`. */
  async unlabel(issueNumber: number, label: string, user: string): Promise<ActionRun> {
    const current = this.emulator
      .repo()
      .labelsOn(issueNumber)
      .filter((name) => name !== label);
    this.emulator.repo().updateIssue(issueNumber, { labels: current }, user);
    const fixture = issuesUnlabeled({
      ...matchEmulatorIssue(this.issue(issueNumber), this.emulator.repo().id),
      label,
      sender: user,
    });
    return this.run(fixture.eventName, fixture.payload, {});
  }

  /** `user` comments `body`; the action runs on `issue_comment.created`. */
  async comment(
    issueNumber: number,
    user: string,
    body: string,
    inputs: Record<string, string> = {},
  ): Promise<{ commentId: number; run: ActionRun }> {
    const posted = this.postComment(issueNumber, user, body);
    return { commentId: posted.commentId, run: await posted.start({ inputs }) };
  }

  /**
   * `user` comments `body`; the workflow run for it starts only when the test calls `start` (or
   * never, as when GitHub cancels a pending run).
   */
  postComment(
    issueNumber: number,
    user: string,
    body: string,
  ): { commentId: number; start: (options?: StartOptions) => Promise<ActionRun> } {
    const comment = this.emulator.addComment(issueNumber, { user, body });
    // The event carries the comment as it was posted, even if it is edited or deleted before the run.
    const fixture = this.commentCreated(issueNumber, comment);
    return {
      commentId: comment.id,
      start: (options = {}) => this.run(fixture.eventName, fixture.payload, options.inputs ?? {}, options),
    };
  }

  /**
   * The workflow run for a comment that is already on the issue, posted through the API (by the
   * terminal client's replay, say): `issue_comment.created` with the comment as GitHub stored it.
   */
  runForComment(issueNumber: number, commentId: number, options: StartOptions = {}): Promise<ActionRun> {
    const comment = this.emulator.listComments(issueNumber).find((candidate) => candidate.id === commentId);
    if (!comment) throw new Error(`no comment ${commentId} on issue #${issueNumber}`);
    const fixture = this.commentCreated(issueNumber, comment);
    return this.run(fixture.eventName, fixture.payload, options.inputs ?? {}, options);
  }

  private commentCreated(
    issueNumber: number,
    comment: ReturnType<GitHubEmulator['addComment']>,
  ): ReturnType<typeof issueCommentCreated> {
    return issueCommentCreated({
      ...matchEmulatorIssue(this.issue(issueNumber), this.emulator.repo().id),
      comment: {
        id: comment.id,
        body: comment.body ?? '',
        user: { login: comment.user?.login ?? 'ghost', id: comment.user?.id ?? 1, type: 'User' },
        createdAt: comment.created_at,
        updatedAt: comment.updated_at,
      },
    });
  }

  /** `user` edits an existing comment to `body`; the action runs on `issue_comment.edited`. */
  async editComment(issueNumber: number, commentId: number, user: string, body: string): Promise<ActionRun> {
    const previous = this.emulator.repo().getComment(commentId);
    const edited = this.emulator.repo().editComment(commentId, body);
    const fixture = issueCommentEdited({
      ...matchEmulatorIssue(this.issue(issueNumber), this.emulator.repo().id),
      comment: {
        id: commentId,
        body,
        user: { login: user, id: previous?.user?.id ?? 1, type: 'User' },
        createdAt: edited.created_at,
        updatedAt: edited.updated_at,
      },
      previousBody: previous?.body ?? '',
    });
    return this.run(fixture.eventName, fixture.payload, {});
  }

  /** A bot (`login` ending in [bot]) comments `body`; the action runs on `issue_comment.created`. */
  async botComment(issueNumber: number, login: string, body: string): Promise<ActionRun> {
    const comment = this.emulator.addComment(issueNumber, { user: login, body });
    const fixture = issueCommentCreated({
      ...matchEmulatorIssue(this.issue(issueNumber), this.emulator.repo().id),
      comment: { id: comment.id, body, user: { login, id: comment.user?.id ?? 2, type: 'Bot' } },
    });
    return this.run(fixture.eventName, fixture.payload, {});
  }

  /** `user` closes the issue by hand; the action runs on `issues.closed`. */
  async close(issueNumber: number, user: string): Promise<ActionRun> {
    this.emulator.repo().updateIssue(issueNumber, { state: 'closed', stateReason: 'completed' }, user);
    const fixture = issuesClosed({
      ...matchEmulatorIssue(this.issue(issueNumber), this.emulator.repo().id),
      sender: user,
    });
    return this.run(fixture.eventName, fixture.payload, {});
  }

  /** `user` reopens the issue; the action runs on `issues.reopened`. */
  async reopen(issueNumber: number, user: string): Promise<ActionRun> {
    this.emulator.repo().updateIssue(issueNumber, { state: 'open' }, user);
    const fixture = issuesReopened({
      ...matchEmulatorIssue(this.issue(issueNumber), this.emulator.repo().id),
      sender: user,
    });
    return this.run(fixture.eventName, fixture.payload, {});
  }

  /**
   * GitHub starts the workflow for each `repository_dispatch` created through the API since the
   * last call (the relay's, say), in order; returns their runs.
   */
  async runDispatches(inputs: Record<string, string> = {}): Promise<ActionRun[]> {
    const runs: ActionRun[] = [];
    const [owner = '', name = ''] = this.emulator.repo().fullName.split('/');
    while (this.dispatched < this.emulator.dispatches.length) {
      const dispatch = this.emulator.dispatches[this.dispatched++];
      if (!dispatch) break;
      const fixture = repositoryDispatch({
        eventType: dispatch.eventType,
        clientPayload: dispatch.clientPayload,
        sender: dispatch.actor,
        repository: { owner, name },
      });
      runs.push(await this.run(fixture.eventName, fixture.payload, inputs));
    }
    return runs;
  }

  /** A `repository_dispatch` delivered as GitHub delivers it (no API call before it). */
  async dispatch(
    eventType: string,
    clientPayload: unknown,
    sender = 'relay-bot',
    inputs: Record<string, string> = {},
  ) {
    const [owner = '', name = ''] = this.emulator.repo().fullName.split('/');
    const fixture = repositoryDispatch({ eventType, clientPayload, sender, repository: { owner, name } });
    return this.run(fixture.eventName, fixture.payload, inputs);
  }

  /** The workflow's schedule fires. */
  async sweep(inputs: Record<string, string> = {}): Promise<ActionRun> {
    const fixture = schedule({
      cron: '*/5 * * * *',
      repository: {
        owner: this.emulator.repo().fullName.split('/')[0] ?? '',
        name: this.emulator.repo().fullName.split('/')[1] ?? '',
      },
    });
    return this.run(fixture.eventName, fixture.payload, inputs);
  }

  /** The action's status board on the issue (edited in place, so always the same comment). */
  board(issueNumber: number): string {
    return this.ownComments(issueNumber).find((body) => body.includes('"kind":"board"')) ?? '';
  }

  /** Bodies of the comments the action posted on the issue, oldest first, without the status board. */
  actionComments(issueNumber: number): string[] {
    return this.ownComments(issueNumber).filter((body) => !body.includes('"kind":"board"'));
  }

  private ownComments(issueNumber: number): string[] {
    return this.emulator
      .listComments(issueNumber)
      .filter((comment) => comment.user?.login === 'github-actions[bot]')
      .map((comment) => comment.body ?? '');
  }

  private issue(issueNumber: number) {
    const issue = this.emulator.getIssue(issueNumber);
    if (!issue) throw new Error(`no issue #${issueNumber} in the emulator`);
    return issue;
  }

  private async run(
    eventName: string,
    payload: unknown,
    inputs: Record<string, string>,
    options: StartOptions = {},
  ): Promise<ActionRun> {
    this.runCounter += 1;
    if (this.options.runner) {
      const run = await this.options.runner({
        eventName,
        payload,
        inputs: { ...this.options.inputs, ...inputs },
        env: { ...this.options.env, ...options.env },
        runId: 7_000_000_000 + this.runCounter,
      });
      this.runs.push(run);
      return run;
    }
    const run = await runAction({
      eventName,
      payload,
      apiUrl: this.emulator.url,
      repository: this.emulator.repo().fullName,
      runId: 7_000_000_000 + this.runCounter,
      inputs: { ...this.options.inputs, ...inputs },
      env: {
        ...((this.options.pacing ?? 'none') === 'none' ? { INCIDENT_ISSUEOPS_PACING: 'none' } : {}),
        ...this.options.env,
        ...(this.options.clock ? { INCIDENT_ISSUEOPS_NOW: this.options.clock().toISOString() } : {}),
        ...options.env,
      },
      ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    this.runs.push(run);
    return run;
  }
}
