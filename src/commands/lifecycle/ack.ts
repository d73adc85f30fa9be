import { z } from 'zod';
import { silenceIdSchema, silenceUrl, type SilenceResult } from '../../alerts/silence.ts';
import { defineCommand } from '../define.ts';
import { defineFact } from '../../records/fact.ts';
import { renderAcknowledged, renderSilenced } from '../../report/lifecycle.ts';
import { echo, utc } from '../../report/markdown.ts';
import { INSECURE_WARNING } from '../../report/warnings.ts';
import { done, factBy, LIFECYCLE_PERMISSION, notDone, sinceDeclared } from './common.ts';

export const acknowledged = defineFact(
  'acknowledged',
  {
    /** The Alertmanager silence this acknowledgement created for the alert group. */
    silence: z.object({ id: silenceIdSchema, until: z.iso.datetime() }).optional(),
  },
  (next, fact, { at, log, responder }) => {
    if (!next.acknowledgedAt) {
      next.acknowledgedAt = at;
      next.acknowledgedBy = fact.by;
      log(fact.by, 'Acknowledged');
    }
    if (fact.silence && !next.silence) {
      next.silence = {
        id: fact.silence.id,
        at,
        by: fact.by,
        until: new Date(fact.silence.until),
        url: silenceUrl(next.alert?.externalUrl, fact.silence.id),
        expiredAt: undefined,
        expireError: undefined,
      };
      log(fact.by, `Silenced the alert group in Alertmanager until ${utc(new Date(fact.silence.until))}`);
    }
    responder(fact.by);
  },
);

export const ack = defineCommand({
  name: 'ack',
  reason: '/ack recorded',
  description: 'Acknowledge the incident (and silence its alert group in Alertmanager)',
  permission: LIFECYCLE_PERMISSION,
  facts: [acknowledged],
  handle(input) {
    const { incident, sla } = input.snapshot;
    if (incident.acknowledgedAt)
      return notDone(
        'ack',
        '/ack',
        `Already acknowledged by @${incident.acknowledgedBy} at ${utc(incident.acknowledgedAt)}.`,
      );
    const since = sinceDeclared(input);
    const message = `acknowledged by @${input.actor} after ${since}`;
    const text = renderAcknowledged({ by: input.actor, since, due: sla?.acknowledge.due, now: input.now });
    const reply = (extra?: string, silence?: { id: string; until: string }) => ({
      kind: 'reply' as const,
      text: extra ? `${text}\n\n${extra}` : text,
      record: acknowledged.record({ ...factBy(input), ...(silence ? { silence } : {}) }),
    });
    const alert = incident.alert;
    const config = input.runbook.alerts?.silence;
    // Only an incident an alert group opened, still firing, with silences on in the runbook.
    if (!alert || alert.status !== 'firing' || !config || incident.silence || incident.phase === 'resolved') {
      // Nothing more to say than the board will show: the fact goes on the board, the 👍 answers.
      const { record } = reply();
      return done('ack', message, [{ kind: 'record', record, text }]);
    }
    if (!alert.matchers)
      return done('ack', message, [
        reply(
          '⚠️ The alert group is not silenced: its labels cannot be matched exactly (a label too long, or none). Silence it in Alertmanager by hand if it pages.',
        ),
      ]);
    if (input.settings.dryRun)
      return done('ack', message, [reply('Dry run: the alert group is not silenced in Alertmanager.')]);
    const until = new Date(input.now.getTime() + config.for * 1000);
    return done('ack', message, [
      {
        kind: 'silence',
        target: config.target,
        request: {
          matchers: alert.matchers,
          startsAt: input.now,
          endsAt: until,
          createdBy: `${input.actor} (incident-issueops)`,
          comment: `Acknowledged on ${input.issue.url}; expired when the incident is resolved.`,
        },
        then: (result: SilenceResult) =>
          done('ack', message, [
            result.ok
              ? reply(
                  (input.settings.ssh.insecureSkipHostKeyCheck ? `⚠️ ${INSECURE_WARNING}\n\n` : '') +
                    renderSilenced({
                      id: result.id,
                      until,
                      matchers: alert.matchers ?? {},
                      externalUrl: alert.externalUrl,
                    }),
                  { id: result.id, until: until.toISOString() },
                )
              : reply(
                  `⚠️ **The alert group could not be silenced in Alertmanager** (${echo(result.error, 200)}): it may page again while you work. Silence it by hand, or fix \`ALERTMANAGER_URL\` on the host.`,
                ),
          ]),
      },
    ]);
  },
});
