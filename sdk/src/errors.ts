import type { FieldErrorDto, ProblemDto } from './generated/types.gen.js';

/** An RFC 9457 problem document as Candor sends it (`application/problem+json`), extensions included. */
export type CandorProblem = ProblemDto & Record<string, unknown>;

/** A field Candor refused, as listed in a 422 problem's `errors`. */
export type CandorFieldError = FieldErrorDto;

/**
 * Thrown by every SDK method when Candor answers with an error: it carries the RFC 9457 problem
 * (type, title, status, detail, code, errors…) so a caller can branch on `code` or show `errors`.
 * Transport failures (no answer at all) are not problems: they surface as the fetch error itself.
 */
export class CandorProblemError extends Error {
  override readonly name = 'CandorProblemError';
  /** A URI reference naming the problem, e.g. `/problems/validation-failed`. */
  readonly type: string;
  readonly title: string;
  /** The HTTP status of the answer. */
  readonly status: number;
  readonly detail: string;
  /** Candor's short name for the problem, e.g. `validation-failed`, `insufficient-scope`. */
  readonly code: ProblemDto['code'] | (string & {});
  readonly instance?: string;
  /** The request id (`X-Request-Id`): quote it when asking for help. */
  readonly traceId?: string;
  /** Every broken rule of a 422. */
  readonly errors: CandorFieldError[];
  /** Seconds to wait before trying again (429, 503), from the problem or `Retry-After`. */
  readonly retryAfter?: number;
  /** Scopes that would allow the action (403 `insufficient-scope`). */
  readonly requiredScopes?: string[];
  /** The whole problem document, including extensions such as `exceeding` or `current`. */
  readonly problem: CandorProblem;

  constructor(problem: CandorProblem, options: { response?: Response; cause?: unknown } = {}) {
    super(message(problem), { cause: options.cause });
    this.problem = problem;
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = problem.code;
    this.instance = problem.instance;
    this.traceId = problem.traceId ?? options.response?.headers.get('x-request-id') ?? undefined;
    this.errors = problem.errors ?? [];
    this.retryAfter = problem.retryAfter ?? retryAfterSeconds(options.response?.headers.get('retry-after') ?? null);
    this.requiredScopes = problem.requiredScopes;
  }

  /**
   * Builds the error from what the client read of an error answer: the parsed problem, or whatever
   * else the body held (then a problem is made up from the status, so callers always get one shape).
   */
  static from(body: unknown, response: Response): CandorProblemError {
    if (isProblem(body)) return new CandorProblemError(body, { response });
    const title = response.statusText || `HTTP ${response.status}`;
    const detail = typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : `Candor answered ${response.status} without a problem document.`;
    return new CandorProblemError(
      { type: 'about:blank', title, status: response.status, detail, code: codeForStatus(response.status) as ProblemDto['code'] },
      { response, cause: body },
    );
  }
}

/** `title: detail`, then each refused field (`email: must be an email address`), for logs and stack traces. */
function message(problem: CandorProblem): string {
  const head = problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
  const fields = (problem.errors ?? []).map((e) => `${e.path}: ${e.message}`);
  return fields.length ? `${head} (${fields.join('; ')})` : head;
}

function isProblem(body: unknown): body is CandorProblem {
  if (!body || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  return typeof b.type === 'string' && typeof b.title === 'string' && typeof b.status === 'number';
}

function codeForStatus(status: number): string {
  if (status === 429) return 'too-many-requests';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'bad-request';
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
