import { decide, type Decision, type TeamCheck } from '../authz/decide.ts';
import type { Settings } from '../config/inputs.ts';
import type { Permission } from '../config/runbook.schema.ts';
import type { GitHubPort, RepositoryRole } from '../github/port.ts';

/**
 * Looks up what a user may do, once per run: their repository role and, when allowed-teams is
 * set, their team membership. The decision itself is pure (authz/decide.ts).
 */
export function createAuthorizer(github: GitHubPort, settings: Settings) {
  const roles = new Map<string, Promise<RepositoryRole>>();
  const teams = new Map<string, Promise<TeamCheck>>();

  const roleOf = (user: string) => {
    if (!roles.has(user)) roles.set(user, github.repositoryRole(user));
    return roles.get(user) as Promise<RepositoryRole>;
  };
  const teamsOf = (user: string) => {
    if (!teams.has(user)) teams.set(user, checkTeams(github, settings, user));
    return teams.get(user) as Promise<TeamCheck>;
  };

  return {
    roleOf,
    async authorize(user: string, required: Permission): Promise<Decision> {
      const role = await roleOf(user);
      const onList = settings.allowedUsers.some((allowed) => allowed.toLowerCase() === user.toLowerCase());
      const teamCheck: TeamCheck =
        onList || settings.allowedTeams.length === 0 ? { kind: 'not-configured' } : await teamsOf(user);
      return decide({ user, role, required, allowedUsers: settings.allowedUsers, teams: teamCheck });
    },
  };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;

async function checkTeams(github: GitHubPort, settings: Settings, user: string): Promise<TeamCheck> {
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
