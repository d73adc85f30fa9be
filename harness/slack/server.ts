// A local stand-in for a Slack incoming webhook that holds clients to Slack's contract: a POST of
// a JSON body with `text` or `blocks` (Block Kit, within Slack's limits) to the webhook's path,
// answered as Slack answers: `ok`, or a 4xx with Slack's error word (`invalid_payload`, `no_text`,
// `invalid_blocks`, `no_service`), a 429 with `Retry-After`, a 5xx. Every accepted message is
// logged; faults are queued the way the GitHub emulator queues its own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackMessageLog {
  at: string;
  body: { text?: string; blocks?: unknown[]; [key: string]: unknown };
}

export type SlackFault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'rate-limit'; retryAfter: number }
  /** Answers `ok` after `ms`; with `ms` above the client's timeout, the client never hears. */
  | { kind: 'delay'; ms: number }
  /** Closes the connection without an answer. */
  | { kind: 'drop' };

export interface SlackServer {
  /** The webhook URL a workflow would keep in its secret. */
  url: string;
  /** What the channel shows: every message Slack took, in order. */
  messages: SlackMessageLog[];
  /** Every request and its answer, refused ones included. */
  requests: { at: string; status: number; answer: string }[];
  /** The next requests get these answers, one each, in order. */
  fail(...faults: SlackFault[]): void;
  close(): Promise<void>;
}

const BLOCK_TYPES = new Set(['header', 'section', 'context', 'divider', 'actions', 'image', 'rich_text']);
const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);

/** Slack's own checks of a message body, with the error word it answers. */
export function checkSlackBody(raw: string, contentType: string | undefined): string | undefined {
  if (!contentType?.toLowerCase().startsWith('application/json')) return 'invalid_payload';
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return 'invalid_payload';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'invalid_payload';
  const { text, blocks } = body as { text?: unknown; blocks?: unknown };
  if (text !== undefined && typeof text !== 'string') return 'invalid_payload';
  if (blocks === undefined) return typeof text === 'string' && text.trim() !== '' ? undefined : 'no_text';
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return 'invalid_blocks';
  for (const block of blocks) if (!validBlock(block)) return 'invalid_blocks';
  return undefined;
}

function validText(value: unknown, max: number, plainOnly = false): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { type, text } = value as { type?: unknown; text?: unknown };
  if (typeof type !== 'string' || !TEXT_TYPES.has(type) || (plainOnly && type !== 'plain_text')) return false;
  return typeof text === 'string' && text.length >= 1 && text.length <= max;
}

function validBlock(block: unknown): boolean {
  if (typeof block !== 'object' || block === null) return false;
  const { type, text, fields, elements } = block as Record<string, unknown>;
  if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) return false;
  switch (type) {
    case 'header':
      return validText(text, 150, true);
    case 'section':
      if (text === undefined && fields === undefined) return false;
      if (text !== undefined && !validText(text, 3000)) return false;
      if (fields !== undefined)
        return (
          Array.isArray(fields) &&
          fields.length >= 1 &&
          fields.length <= 10 &&
          fields.every((field) => validText(field, 2000))
        );
      return true;
    case 'context':
      return (
        Array.isArray(elements) &&
        elements.length >= 1 &&
        elements.length <= 10 &&
        elements.every((element) => validText(element, 3000))
      );
    default:
      return true;
  }
}

export async function startSlackServer(
  options: { path?: string; log?: (entry: SlackMessageLog) => void; now?: () => Date } = {},
): Promise<SlackServer> {
  const now = options.now ?? (() => new Date());
  const path = options.path ?? '/services/T0INCIDENT/B0STAKEHOLDERS/s3cr3tW3bh00kT0k3n';
  const messages: SlackMessageLog[] = [];
  const requests: SlackServer['requests'] = [];
  const faults: SlackFault[] = [];
  const answer = (
    response: ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ) => {
    requests.push({ at: now().toISOString(), status, answer: text });
    response.writeHead(status, { 'content-type': 'text/html', ...headers });
    response.end(text);
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (request.method !== 'POST') return answer(response, 405, 'invalid_method');
      if (request.url !== path) return answer(response, 404, 'no_service');
      const fault = faults.shift();
      if (fault?.kind === 'drop') {
        requests.push({ at: now().toISOString(), status: 0, answer: 'dropped' });
        request.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') return answer(response, fault.status, fault.body ?? 'internal_error');
      if (fault?.kind === 'rate-limit')
        return answer(response, 429, 'rate_limited', { 'retry-after': String(fault.retryAfter) });
      const problem = checkSlackBody(raw, request.headers['content-type']);
      if (problem) return answer(response, 400, problem);
      const deliver = () => {
        const entry = { at: now().toISOString(), body: JSON.parse(raw) as SlackMessageLog['body'] };
        messages.push(entry);
        options.log?.(entry);
        answer(response, 200, 'ok');
      };
      if (fault?.kind === 'delay') setTimeout(deliver, fault.ms);
      else deliver();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    messages,
    requests,
    fail: (...more) => faults.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
