import { higherOf } from '../authz/permission.ts';
import { decide, type Decision, type TeamCheck } from '../authz/decide.ts';
import type { Settings } from '../config/inputs.ts';
import type { Permission } from '../config/runbook.schema.ts';
import type { CommandSpec } from '../commands/registry.ts';
import type { GitHubPort, RepositoryRole } from '../github/port.ts';

/**
 * Looks up what a user may do: their repository role and, when allowed-teams is set, their team
 * membership (each once per run: the port caches them). The decision itself is pure (authz/decide.ts).
 */
export function createAuthorizer(
  github: Pick<GitHubPort, 'repositoryRole' | 'isTeamMember'>,
  settings: Settings,
) {
  return {
    roleOf: (user: string): Promise<RepositoryRole> => github.repositoryRole(user),
    async authorize(user: string, required: Permission): Promise<Decision> {
      const role = await github.repositoryRole(user);
      const onList = settings.allowedUsers.some((allowed) => allowed.toLowerCase() === user.toLowerCase());
      const teamCheck: TeamCheck =
        onList || settings.allowedTeams.length === 0
          ? { kind: 'not-configured' }
          : await checkTeams(github, settings, user);
      return decide({ user, role, required, allowedUsers: settings.allowedUsers, teams: teamCheck });
    },
  };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;

/** Read-only commands need only their own level; every other one also the `permission` input's floor. */
export function requiredPermission(
  spec: Pick<CommandSpec, 'readOnly' | 'permission'>,
  settings: Settings,
): Permission {
  return spec.readOnly ? spec.permission : higherOf(settings.permission, spec.permission);
}

async function checkTeams(
  github: Pick<GitHubPort, 'isTeamMember'>,
  settings: Settings,
  user: string,
): Promise<TeamCheck> {
  for (const { org, team } of settings.allowedTeams) {
    try {
      if (await github.isTeamMember(org, team, user)) return { kind: 'member', team: `${org}/${team}` };
    } catch (error) {
      return {
        kind: 'unknown',
        team: `${org}/${team}`,
        error: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
      };
    }
  }
  return { kind: 'not-member', teams: settings.allowedTeams.map(({ org, team }) => `${org}/${team}`) };
}
