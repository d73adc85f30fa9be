import type { Notification } from '../commands/effects.ts';

/**
 * Where people hear about the incident outside GitHub (Slack, a status page …). Handlers only
 * return `notify` effects; the composition root picks the notifiers. A notifier that fails is
 * reported in the log and never blocks the incident.
 */
export interface NotifierPort {
  notify(
    notification: Notification,
    context: { issue: { number: number; title: string; url: string } },
  ): Promise<void>;
}

/** No channel configured: nothing leaves GitHub. */
export const NO_NOTIFIER: NotifierPort = { notify: async () => undefined };
