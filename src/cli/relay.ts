/**
 * The Alertmanager relay: Alertmanager 0.25's webhook cannot shape its body for GitHub, so this
 * small HTTP server takes the webhook and forwards the body unchanged as a `repository_dispatch`
 * (`event_type: alertmanager`, `client_payload: { alertmanager: <body> }`), which starts the
 * incident workflow. The token must be one that starts workflows (a fine-grained token or a
 * GitHub App installation token with Contents: write): events made with a workflow's
 * GITHUB_TOKEN start none.
 *
 * What Alertmanager is told: 200 once GitHub accepted the event; 400 for a body that is not an
 * Alertmanager notification (it would fail again); 401 without the shared secret; 413 for a body
 * too big; 502 when GitHub would not take it after retries (Alertmanager retries on 5xx).
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { groupId, notificationSchema } from '../alerts/alertmanager.ts';
import { ALERTMANAGER_EVENT_TYPE } from '../events/route.ts';

/**
 * GitHub takes a client_payload under 64 KB; the body goes in whole, so it must stay below that
 * with room for the envelope. Set Alertmanager's `max_alerts` so a notification stays well under.
 */
export const MAX_BODY_BYTES = 60_000;

export interface DispatchResult {
  status: number;
  /** seconds GitHub asked to wait (Retry-After), when it did */
  retryAfter?: number;
  message?: string;
}

export interface RelayOptions {
  host: string;
  port: number;
  repo: { owner: string; name: string };
  /** The shared secret Alertmanager sends as `Authorization: Bearer …`, if one is set. */
  secret: string | undefined;
  /** Sends one dispatch to GitHub; the relay retries around it. */
  dispatch: (body: {
    event_type: string;
    client_payload: Record<string, unknown>;
  }) => Promise<DispatchResult>;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
  /** Tries of one dispatch before Alertmanager is told to retry later (default 4). */
  attempts?: number;
}

export interface Relay {
  url: string;
  close(): Promise<void>;
}

function secretMatches(header: string | undefined, secret: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(secret);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

const retryable = (status: number) => status === 0 || status === 429 || status >= 500;

/** Forwards with retries: GitHub's Retry-After when it gives one (up to 60 s), else 1 s, 2 s, 4 s. */
async function forward(body: unknown, group: string, options: RelayOptions): Promise<DispatchResult> {
  const attempts = options.attempts ?? 4;
  let last: DispatchResult = { status: 0 };
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    last = await options.dispatch({
      event_type: ALERTMANAGER_EVENT_TYPE,
      // `group` lets the workflow queue runs per alert group (its concurrency key stays short).
      client_payload: { alertmanager: body, group },
    });
    if (!retryable(last.status) || attempt === attempts) return last;
    const wait = Math.min(60, last.retryAfter ?? 2 ** (attempt - 1)) * 1000;
    options.log(`GitHub answered ${last.status || 'nothing'}; trying again in ${wait / 1000} s`);
    await options.sleep(wait);
  }
  return last;
}

export function startRelay(options: RelayOptions): Promise<Relay> {
  const answer = (response: http.ServerResponse, status: number, text: string) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
  };
  const server = http.createServer((request, response) => {
    if (request.method !== 'POST' || !['/', '/alertmanager'].includes(request.url ?? '')) {
      answer(response, 404, 'POST the Alertmanager webhook to /alertmanager');
      return;
    }
    if (options.secret !== undefined && !secretMatches(request.headers.authorization, options.secret)) {
      options.log(`refused a notification without the shared secret from ${request.socket.remoteAddress}`);
      answer(
        response,
        401,
        'the relay needs its shared secret: set http_config.authorization in Alertmanager',
      );
      return;
    }
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      answer(
        response,
        413,
        `the body exceeds ${MAX_BODY_BYTES} bytes: set max_alerts on the webhook receiver`,
      );
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (tooBig) {
        answer(
          response,
          413,
          `the body exceeds ${MAX_BODY_BYTES} bytes: set max_alerts on the webhook receiver`,
        );
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        answer(response, 400, 'the body is not JSON');
        return;
      }
      const parsed = notificationSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        answer(
          response,
          400,
          `not an Alertmanager webhook body (version 4): ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        );
        return;
      }
      // Alert names are the monitored system's words: quoted, so they cannot fake a log line.
      const names = [...new Set(parsed.data.alerts.map((alert) => alert.labels.alertname ?? '?'))]
        .slice(0, 5)
        .map((name) => JSON.stringify(name.slice(0, 100)))
        .join(', ');
      forward(body, groupId(parsed.data.groupKey), options)
        .then((result) => {
          if (result.status >= 200 && result.status < 300) {
            options.log(
              `forwarded ${parsed.data.status} ${names} to ${options.repo.owner}/${options.repo.name}`,
            );
            answer(response, 200, 'forwarded');
          } else {
            options.log(`GitHub refused ${names}: ${result.status} ${result.message ?? ''}`.trim());
            // 422: GitHub will never take this body (too big, say); anything else may pass later.
            answer(
              response,
              result.status === 422 ? 400 : 502,
              `GitHub answered ${result.status || 'nothing'}: ${result.message ?? ''}`.trim(),
            );
          }
        })
        .catch((error: unknown) => answer(response, 502, `the relay failed: ${String(error)}`));
    });
  });
  // A client that trickles its request ties up nothing for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.maxHeadersCount = 50;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${address.address}:${address.port}/alertmanager`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
