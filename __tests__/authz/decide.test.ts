import { decide, type AuthorizationFacts } from '../../src/authz/decide.ts';

const base: AuthorizationFacts = {
  user: 'alice',
  role: 'write',
  required: 'write',
  allowedUsers: [],
  teams: { kind: 'not-configured' },
};

describe('decide', () => {
  test('a role at or above the required level is allowed', () => {
    expect(decide(base).allowed).toBe(true);
    expect(decide({ ...base, role: 'maintain' }).allowed).toBe(true);
  });

  test('triage is below write and maintain is above it', () => {
    expect(decide({ ...base, role: 'triage' })).toEqual({
      allowed: false,
      reason: 'permission',
      message: '@alice has triage permission; this command needs write or higher.',
    });
    expect(decide({ ...base, role: 'write', required: 'maintain' }).allowed).toBe(false);
    expect(decide({ ...base, role: 'triage', required: 'triage' }).allowed).toBe(true);
  });

  test('outsiders are told they have no access', () => {
    expect(decide({ ...base, role: 'none', required: 'read' })).toMatchObject({
      allowed: false,
      message: '@alice has no access to this repository; this command needs read or higher.',
    });
  });

  test('with an allowlist, only listed users or team members pass', () => {
    expect(decide({ ...base, allowedUsers: ['bob'] })).toMatchObject({
      allowed: false,
      reason: 'not-allowlisted',
    });
    expect(decide({ ...base, allowedUsers: ['ALICE'] }).allowed).toBe(true);
    expect(decide({ ...base, teams: { kind: 'member', team: 'acme/sre' } }).allowed).toBe(true);
    expect(decide({ ...base, teams: { kind: 'not-member', teams: ['acme/sre'] } })).toMatchObject({
      allowed: false,
    });
  });

  test('unreadable team membership refuses (fail closed)', () => {
    expect(
      decide({
        ...base,
        teams: { kind: 'unknown', team: 'acme/sre', error: 'Resource not accessible by integration' },
      }),
    ).toMatchObject({
      allowed: false,
      reason: 'team-unknown',
    });
  });

  test('an allowlisted user still needs the permission level', () => {
    expect(decide({ ...base, role: 'read', allowedUsers: ['alice'] }).allowed).toBe(false);
  });
});
