import { z } from 'zod';
import { defineCommand, positional } from '../define.ts';
import { defineFact } from '../../records/fact.ts';
import { renderCommander } from '../../report/lifecycle.ts';
import { done, factBy, LIFECYCLE_PERMISSION } from './common.ts';

const LOGIN = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/);

export const commanderSet = defineFact(
  'commander',
  { commander: LOGIN },
  (next, fact, { log, responder, announce }) => {
    if (next.commander !== fact.commander) announce('commander', fact.by, fact.commander);
    next.commander = fact.commander;
    responder(fact.by);
    responder(fact.commander);
    log(fact.by, `Incident commander: @${fact.commander}`);
  },
);

export const commander = defineCommand({
  name: 'commander',
  reason: '/commander recorded',
  description: 'Assign the incident commander (and the issue)',
  permission: LIFECYCLE_PERMISSION,
  args: {
    user: positional({
      description: 'GitHub login, e.g. @dana',
      pattern: '^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$',
      maxLength: 40,
      required: true,
      as: z.string().transform((login) => login.replace(/^@/, '')),
    }),
  },
  facts: [commanderSet],
  handle(input) {
    const login = input.args.user;
    return done('commander', `@${login} is the incident commander`, [
      { kind: 'assign', logins: [login] },
      {
        kind: 'record',
        text: renderCommander({ commander: login, by: input.actor }),
        record: commanderSet.record({ ...factBy(input), commander: login }),
      },
    ]);
  },
});
