import type { Permission } from '../config/runbook.schema.ts';
import type { RepositoryRole } from '../github/port.ts';
import { atLeast } from './permission.ts';

export type TeamCheck =
  | { kind: 'not-configured' }
  | { kind: 'member'; team: string }
  | { kind: 'not-member'; teams: string[] }
  | { kind: 'unknown'; team: string; error: string };

export interface AuthorizationFacts {
  user: string;
  role: RepositoryRole;
  required: Permission;
  allowedUsers: string[];
  teams: TeamCheck;
}

export type Decision =
  | { allowed: true; because: string }
  | { allowed: false; reason: 'permission' | 'not-allowlisted' | 'team-unknown'; message: string };

/**
 * Who may run a command: the repository role must reach the required level, and when an
 * allowlist is configured the user must be on it or in one of its teams. A team membership
 * that cannot be read refuses (fail closed).
 */
export function decide(facts: AuthorizationFacts): Decision {
  if (!atLeast(facts.role, facts.required)) {
    const has = facts.role === 'none' ? 'no access to this repository' : `${facts.role} permission`;
    return {
      allowed: false,
      reason: 'permission',
      message: `@${facts.user} has ${has}; this command needs ${facts.required} or higher.`,
    };
  }
  const allowlisted = facts.allowedUsers.some((user) => user.toLowerCase() === facts.user.toLowerCase());
  if (allowlisted) return { allowed: true, because: `${facts.role} permission and on allowed-users` };
  switch (facts.teams.kind) {
    case 'not-configured':
      if (facts.allowedUsers.length > 0) {
        return {
          allowed: false,
          reason: 'not-allowlisted',
          message: `@${facts.user} is not on this workflow's allowed-users list.`,
        };
      }
      return { allowed: true, because: `${facts.role} permission` };
    case 'member':
      return { allowed: true, because: `${facts.role} permission and member of ${facts.teams.team}` };
    case 'not-member':
      return {
        allowed: false,
        reason: 'not-allowlisted',
        message: `@${facts.user} is not on allowed-users and not a member of ${facts.teams.teams.join(', ')}.`,
      };
    case 'unknown':
      return {
        allowed: false,
        reason: 'team-unknown',
        message: `membership of ${facts.teams.team} could not be read (${facts.teams.error}), so the command is refused. The workflow's token needs read access to the organization's teams.`,
      };
  }
}
