import { PERMISSION_LEVELS, type Permission } from '../config/runbook.schema.ts';
import type { RepositoryRole } from '../github/port.ts';

export function rank(role: RepositoryRole): number {
  return role === 'none' ? -1 : PERMISSION_LEVELS.indexOf(role);
}

export function atLeast(role: RepositoryRole, required: Permission): boolean {
  return rank(role) >= rank(required);
}

export function higherOf(a: Permission, b: Permission): Permission {
  return rank(a) >= rank(b) ? a : b;
}
