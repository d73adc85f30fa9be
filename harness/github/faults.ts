/**
 * Faults a test can inject: the next N matching requests get a server error, a rate limit answer
 * or an extra delay, the way GitHub produces them, so the client's retry/throttle paths run.
 */

export interface FaultMatcher {
  /** HTTP method, any case; any method when absent. */
  method?: string;
  /** The exact URL path (no query) or a pattern tested against it; any path when absent. */
  path?: string | RegExp;
  /** The operation in GitHub's description, e.g. `issues/create-comment`. */
  operationId?: string;
  /** How many matching requests the fault applies to (default 1). */
  times?: number;
}

export type FaultKind =
  | { kind: 'status'; status: number; message?: string }
  /** 403 with `retry-after` and GitHub's "secondary rate limit" message. */
  | { kind: 'secondary-rate-limit'; retryAfter?: number }
  /** 429 with `retry-after` and the same message, which GitHub also sends for secondary limits. */
  | { kind: 'rate-limit-429'; retryAfter?: number }
  /** 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` `resetAfter` seconds ahead. */
  | { kind: 'primary-rate-limit'; resetAfter?: number }
  /** Answers normally, `ms` milliseconds late. */
  | { kind: 'delay'; ms: number };

export type Fault = FaultMatcher & FaultKind;

export interface InjectedFault {
  readonly fault: Fault;
  /** Matching requests still to be faulted. */
  remaining: number;
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: { message: string; documentation_url: string; status: string };
}

const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';

export class FaultQueue {
  private readonly injected: InjectedFault[] = [];

  add(fault: Fault): InjectedFault {
    const entry: InjectedFault = { fault, remaining: fault.times ?? 1 };
    this.injected.push(entry);
    return entry;
  }

  clear(): void {
    this.injected.length = 0;
  }

  /** The first pending fault matching the request, consumed by one. */
  take(method: string, paths: string[], operationId: string | undefined): Fault | undefined {
    const entry = this.injected.find(
      ({ fault, remaining }) => remaining > 0 && matches(fault, method, paths, operationId),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }
}

function matches(fault: Fault, method: string, paths: string[], operationId: string | undefined): boolean {
  if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  if (fault.operationId && fault.operationId !== operationId) return false;
  const { path } = fault;
  if (path === undefined) return true;
  return paths.some((candidate) => (typeof path === 'string' ? candidate === path : path.test(candidate)));
}

/** The response GitHub gives for a fault (every kind but `delay`). */
export function faultResponse(
  fault: Exclude<Fault, { kind: 'delay' }>,
  requestId: string,
  nowSeconds: number,
): FaultResponse {
  switch (fault.kind) {
    case 'status':
      return {
        status: fault.status,
        headers: {},
        body: {
          message: fault.message ?? defaultMessage(fault.status),
          documentation_url: 'https://docs.github.com/rest',
          status: String(fault.status),
        },
      };
    case 'secondary-rate-limit':
    case 'rate-limit-429': {
      const status = fault.kind === 'secondary-rate-limit' ? 403 : 429;
      return {
        status,
        headers: { 'retry-after': String(fault.retryAfter ?? 60) },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
            `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          documentation_url: `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`,
          status: String(status),
        },
      };
    }
    case 'primary-rate-limit':
      return {
        status: 403,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(nowSeconds + (fault.resetAfter ?? 60)),
        },
        body: {
          message:
            'API rate limit exceeded for installation. If you reach out to GitHub Support for help, ' +
            `please include the request ID ${requestId} and timestamp ${new Date(nowSeconds * 1000).toISOString()}.`,
          documentation_url: `${RATE_LIMIT_DOCS}#about-the-primary-rate-limit`,
          status: '403',
        },
      };
  }
}

function defaultMessage(status: number): string {
  if (status === 502) return 'Server Error';
  if (status === 503) return 'Service Unavailable';
  if (status === 504) return 'We couldn\u2019t respond to your request in time. Sorry about that.';
  return 'Internal Server Error';
}
