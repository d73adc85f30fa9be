import type { Change, Phase } from '../incident/state.ts';
import type { Delivery } from './ledger.ts';

/** One message for stakeholders: what changed, and where the incident stands now. */
export interface Announcement {
  /** One change, or several when a digest catches up (oldest first). */
  changes: Change[];
  issue: { number: number; title: string; url: string };
  severity: { key: string; name: string };
  phase: Phase;
  commander: string | undefined;
  /** When the next status update is due, while the incident is open. */
  nextUpdateDue: Date | undefined;
  declaredAt: Date | undefined;
  now: Date;
}

/**
 * Where people hear about the incident outside GitHub. Flows never call it directly: the board's
 * publication asks it to deliver what the recorded facts say is owed (notify/ledger.ts). A
 * notifier never throws: it reports what happened, and a failure never blocks the incident.
 */
export interface NotifierPort {
  /** The channel's name as the board shows it; undefined when none is set up. */
  readonly channel: string | undefined;
  deliver(announcement: Announcement): Promise<Delivery>;
}

/** No channel configured: nothing leaves GitHub, and the board says so. */
export const NO_NOTIFIER: NotifierPort = {
  channel: undefined,
  deliver: async () => ({ delivered: false, attempts: 0, error: 'no channel is set up' }),
};
