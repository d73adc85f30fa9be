import type { Settings } from '../config/inputs.ts';
import { NO_NOTIFIER, type NotifierPort } from './port.ts';
import { createSlackNotifier } from './slack.ts';

/** The stakeholder channel the inputs set up: Slack when `slack-webhook-url` is set, else none. */
export function notifierFor(
  settings: Pick<Settings, 'slackWebhookUrl'>,
  io: { sleep: (ms: number) => Promise<void>; log: (message: string) => void; baseDelayMs?: number },
): NotifierPort {
  if (!settings.slackWebhookUrl) return NO_NOTIFIER;
  return createSlackNotifier({
    url: settings.slackWebhookUrl,
    sleep: io.sleep,
    log: io.log,
    ...(io.baseDelayMs !== undefined ? { baseDelayMs: io.baseDelayMs } : {}),
  });
}
