import { retryAfterSeconds } from './errors.js';

/** How the SDK retries a request Candor could not take just then. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4). `1` sends every request once. */
  maxAttempts?: number;
  /** The first backoff step in milliseconds (default 250); it doubles with each attempt, jittered. */
  baseDelayMs?: number;
  /**
   * The longest the SDK waits between two attempts (default 30 000 ms). A `Retry-After` asking for
   * longer is not waited for: the answer (429 or 503) is thrown as a `CandorProblemError` at once.
   */
  maxDelayMs?: number;
  /** Told before each wait: for logs and metrics. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  method: string;
  url: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Why: the status Candor answered, or `network` when no answer came. */
  reason: 429 | 503 | 'network';
  /** How long the SDK waits before the next attempt. */
  delayMs: number;
  /** The `Retry-After` Candor sent, in seconds, if any. */
  retryAfter?: number;
}

const DEFAULTS = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 30_000 } as const;

/**
 * Wraps a fetch so it retries what is safe to retry:
 * - 429 `too-many-requests` and 503 `unavailable`, honouring `Retry-After`, and a connection that
 *   failed before any answer;
 * - only requests `mayRetry` allows: reads, PUT and DELETE (idempotent in HTTP), and writes that
 *   carry an `Idempotency-Key` their operation takes (the same key on every attempt, so Candor
 *   answers a repeat with the first result). Any other write is sent exactly once.
 * Attempts are bounded (`maxAttempts`), backoff is exponential with jitter, and an aborted request
 * stops waiting at once.
 */
export function retryingFetch(base: typeof fetch, options: RetryOptions | false | undefined, mayRetry: (request: Request) => boolean): typeof fetch {
  const settings = { ...DEFAULTS, ...(options || {}) };
  const maxAttempts = options === false ? 1 : Math.max(1, Math.floor(settings.maxAttempts));
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (maxAttempts === 1 || !mayRetry(request)) return base(request);
    for (let attempt = 1; ; attempt++) {
      const last = attempt === maxAttempts;
      // The original stays unread so the next attempt can send the same body again.
      const sending = last ? request : request.clone();
      let response: Response;
      try {
        response = await base(sending);
      } catch (error) {
        if (last || request.signal.aborted || isAbort(error)) throw error;
        const delayMs = backoff(attempt, settings.baseDelayMs, settings.maxDelayMs);
        settings.onRetry?.({ method: request.method, url: request.url, attempt, reason: 'network', delayMs });
        await sleep(delayMs, request.signal);
        continue;
      }
      if (last || (response.status !== 429 && response.status !== 503)) return response;
      const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter * 1000 > settings.maxDelayMs) return response;
      const delayMs =
        retryAfter !== undefined
          ? retryAfter * 1000 + Math.floor(Math.random() * Math.min(settings.baseDelayMs, 1000))
          : backoff(attempt, settings.baseDelayMs, settings.maxDelayMs);
      await response.body?.cancel().catch(() => undefined);
      settings.onRetry?.({ method: request.method, url: request.url, attempt, reason: response.status as 429 | 503, delayMs, retryAfter });
      await sleep(delayMs, request.signal);
    }
  }) as typeof fetch;
}

/** Exponential backoff with "equal jitter": half the step, plus a random share of the other half. */
function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.floor(step / 2 + Math.random() * (step / 2));
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      signal.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}
