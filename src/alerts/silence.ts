import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RemoteExecutor } from '../executor/port.ts';
import { redact } from '../report/redact.ts';
import { withEnvironment, type Target } from '../runbook/plan.ts';

/**
 * Alertmanager silences (API v2), reached from the deployment host over SSH at the host's
 * `$ALERTMANAGER_URL`: `/ack` silences the incident's alert group, the resolution expires it.
 */
export interface SilenceRequest {
  matchers: Record<string, string>;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

export type SilenceResult = { ok: true; id: string } | { ok: false; error: string };

export interface SilencePort {
  create(target: Target, request: SilenceRequest): Promise<SilenceResult>;
  expire(target: Target, id: string): Promise<SilenceResult>;
}

/** Alertmanager's silence ids are UUIDs; nothing else reaches the DELETE's URL. */
export const silenceIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** Alertmanager's page of a silence, when its external URL is a plain http(s) address. */
export function silenceUrl(externalUrl: string | undefined, id: string): string | undefined {
  const base = externalUrl?.replace(/\/+$/, '');
  return base && /^https?:\/\/[^\s()<>[\]"'`\\]+$/.test(base) ? `${base}/#/silences/${id}` : undefined;
}

const answerSchema = z.object({ silenceID: silenceIdSchema });

/** JSON in printable ASCII only: whatever a label holds, the script's bytes are plain. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const CHECK_URL =
  ': "${ALERTMANAGER_URL:?is not set for this account: set it in the env of the runbook target, or of the account}"';

/**
 * The script that creates the silence. The body (labels come from the monitored system) reaches
 * the shell only inside a quoted here-document: one line of printable ASCII under a delimiter
 * that it cannot contain, so no character of it is ever expanded or run.
 */
export function createScript(
  request: SilenceRequest,
  delimiter = `SILENCE_${randomBytes(8).toString('hex')}`,
): string {
  const body = asciiJson({
    matchers: Object.entries(request.matchers).map(([name, value]) => ({
      name,
      value,
      isRegex: false,
      isEqual: true,
    })),
    startsAt: request.startsAt.toISOString(),
    endsAt: request.endsAt.toISOString(),
    createdBy: request.createdBy,
    comment: request.comment,
  });
  if (body.includes(delimiter) || !/^[A-Z_0-9a-f]+$/.test(delimiter))
    throw new Error('unusable here-document delimiter');
  return [
    CHECK_URL,
    `curl -sS --max-time 10 --fail-with-body -X POST -H 'Content-Type: application/json' --data-binary @- "$ALERTMANAGER_URL/api/v2/silences" <<'${delimiter}'`,
    body,
    delimiter,
  ].join('\n');
}

export function expireScript(id: string): string {
  const checked = silenceIdSchema.parse(id);
  return [
    CHECK_URL,
    `curl -sS --max-time 10 --fail-with-body -X DELETE "$ALERTMANAGER_URL/api/v2/silence/${checked}"`,
  ].join('\n');
}

/** The silence's id from Alertmanager's answer (the last JSON line of the output). */
export function parseCreated(output: string): string | undefined {
  for (const line of output.trim().split('\n').reverse()) {
    try {
      const parsed = answerSchema.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data.silenceID;
    } catch {
      // not JSON: curl's or the shell's words
    }
  }
  return undefined;
}

/** What went wrong, in one bounded line of the host's output (redacted). */
function failure(
  output: string,
  outcome: string,
  exitCode: number | undefined,
  secrets: readonly string[],
): string {
  const last = redact(output, secrets).text.trim().split('\n').filter(Boolean).at(-1) ?? '';
  const said = last.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  return `${outcome}${exitCode === undefined ? '' : `, exit ${exitCode}`}${said ? `: ${said}` : ''}`;
}

/** The silences through the deployment host, over the same SSH connection settings as commands. */
export function createHostSilencer(options: {
  createExecutor: (target: Target) => RemoteExecutor;
  secrets: readonly string[];
  timeoutSeconds?: number;
}): SilencePort {
  const run = async (target: Target, script: string) => {
    const executor = options.createExecutor(target);
    try {
      return await executor.run(withEnvironment(target.env, script), options.timeoutSeconds ?? 30);
    } finally {
      await executor.close();
    }
  };
  return {
    async create(target, request) {
      try {
        const result = await run(target, createScript(request));
        const id = result.outcome === 'ok' ? parseCreated(result.output) : undefined;
        if (id) return { ok: true, id };
        return {
          ok: false,
          error:
            result.outcome === 'ok'
              ? 'Alertmanager answered without a silence id'
              : failure(result.output, result.sshError ?? result.outcome, result.exitCode, options.secrets),
        };
      } catch (error) {
        return {
          ok: false,
          error: redact(error instanceof Error ? error.message : String(error), options.secrets).text.slice(
            0,
            200,
          ),
        };
      }
    },
    async expire(target, id) {
      try {
        const result = await run(target, expireScript(id));
        // Expiring twice (a retried resolution) is done all the same.
        return result.outcome === 'ok' || /already expired/i.test(result.output)
          ? { ok: true, id }
          : {
              ok: false,
              error: failure(
                result.output,
                result.sshError ?? result.outcome,
                result.exitCode,
                options.secrets,
              ),
            };
      } catch (error) {
        return {
          ok: false,
          error: redact(error instanceof Error ? error.message : String(error), options.secrets).text.slice(
            0,
            200,
          ),
        };
      }
    },
  };
}
