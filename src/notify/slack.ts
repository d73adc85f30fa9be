import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import type { Delivery } from './ledger.ts';
import type { Announcement, NotifierPort } from './port.ts';
import { renderSlackMessage } from './slack-message.ts';

export interface SlackOptions {
  /** The incoming webhook's URL: a secret (whoever has it can post to the channel). */
  url: string;
  /** Waits between attempts; ends early when the run is asked to stop. */
  sleep: (ms: number) => Promise<void>;
  /** Attempts per message, the first included. */
  attempts?: number;
  /** The first backoff; it doubles each attempt (1 s, 2 s, 4 s by default). */
  baseDelayMs?: number;
  /** A `Retry-After` longer than this is not waited out in this run: the next run delivers. */
  maxRetryAfterMs?: number;
  /** Per request. */
  timeoutMs?: number;
  log: (message: string) => void;
}

/** Slack's answers that no retry changes, with what the person setting it up should do. */
const PERMANENT: Record<string, string> = {
  invalid_payload: 'Slack refused the message as malformed',
  no_service: 'the webhook no longer exists: create a new one and update the secret',
  no_team: 'the webhook no longer exists: create a new one and update the secret',
  team_disabled: 'the Slack workspace is disabled',
  channel_not_found: "the webhook's channel is gone: create a new webhook",
  channel_is_archived: "the webhook's channel is archived: unarchive it or create a new webhook",
  action_prohibited: "a Slack admin restricts this webhook's channel",
  posting_to_general_channel_denied: 'only admins may post to that channel',
  invalid_token: 'the webhook URL is not valid: copy it again from Slack',
};

/**
 * Stakeholder messages through a Slack incoming webhook (`@slack/webhook`), with the retries Slack
 * asks for: a 429 waits its `Retry-After`, a 5xx or a lost connection backs off and tries again, a
 * 4xx stops at once (no retry changes it). The URL never appears in what this reports.
 */
export function createSlackNotifier(options: SlackOptions): NotifierPort {
  const attempts = options.attempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  let retryAfter: string | null = null;
  let networkCode: string | undefined;
  const webhook = new IncomingWebhook(options.url, {
    timeout: options.timeoutMs ?? 10_000,
    retryConfig: { retries: 0 },
    // Slack's 429 says when to come back in a header the library does not surface.
    // A lost connection's cause (ECONNREFUSED, ECONNRESET …) is read here too: the library wraps
    // the error in a way that drops it when the error comes from another realm.
    fetch: async (url, init) => {
      let response: Response;
      try {
        response = await fetch(url, init);
      } catch (error) {
        networkCode = causeCode(error);
        throw error;
      }
      retryAfter = response.headers.get('retry-after');
      return response;
    },
  });
  return {
    channel: 'Slack',
    async deliver(announcement: Announcement): Promise<Delivery> {
      const message = renderSlackMessage(announcement);
      let lastError = 'not attempted';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        retryAfter = null;
        networkCode = undefined;
        try {
          await webhook.send(message);
          if (attempt > 1) options.log(`Slack took the message on attempt ${attempt}`);
          return { delivered: true, attempts: attempt };
        } catch (error) {
          const failure = classify(error, retryAfter, networkCode);
          lastError = failure.error;
          if (!failure.retry || attempt === attempts)
            return {
              delivered: false,
              attempts: attempt,
              error: lastError,
              ...(failure.refused ? { refused: true } : {}),
            };
          const wait = failure.waitMs ?? baseDelayMs * 2 ** (attempt - 1);
          if (wait > maxRetryAfterMs)
            return {
              delivered: false,
              attempts: attempt,
              error: `${lastError}; Slack asked to wait ${Math.ceil(wait / 1000)} s, so the next run delivers`,
            };
          options.log(`Slack: ${lastError}; attempt ${attempt + 1} of ${attempts} in ${Math.round(wait)} ms`);
          await options.sleep(wait);
        }
      }
      return { delivered: false, attempts, error: lastError };
    },
  };
}

interface Failure {
  error: string;
  retry: boolean;
  waitMs?: number;
  /** Slack refused this message (400): no retry, in this run or a later one, changes it. */
  refused?: boolean;
}

/** What went wrong, in words that never include the URL, and whether trying again can help. */
function classify(error: unknown, retryAfter: string | null, networkCode: string | undefined): Failure {
  if (error instanceof IncomingWebhookHTTPError) {
    const code = /^[a-z_]{1,60}$/.test(error.body.trim()) ? error.body.trim() : undefined;
    const said = `HTTP ${error.statusCode}${code ? ` ${code}` : ''}`;
    if (error.statusCode === 429) {
      const seconds = Number(retryAfter);
      return {
        error: `${said} (rate limited)`,
        retry: true,
        ...(Number.isFinite(seconds) && seconds >= 0 ? { waitMs: seconds * 1000 } : {}),
      };
    }
    if (error.statusCode >= 500) return { error: said, retry: true };
    const advice = code ? PERMANENT[code] : undefined;
    return {
      error: advice ? `${said}: ${advice}` : said,
      retry: false,
      ...(error.statusCode === 400 ? { refused: true } : {}),
    };
  }
  if (error instanceof IncomingWebhookRequestError) {
    const original = error.original as Error;
    const cause = networkCode ?? causeCode(original);
    const named =
      original.name === 'TimeoutError' || original.name === 'AbortError'
        ? 'no answer in time'
        : (cause ?? 'no answer');
    return { error: `could not reach Slack (${named})`, retry: true };
  }
  return { error: 'could not send to Slack', retry: false };
}

/** The system error code under a fetch failure (`fetch failed` ← `ECONNREFUSED`), if it is one. */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (typeof code === 'string' && /^E[A-Z_]{2,40}$/.test(code)) return code;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
