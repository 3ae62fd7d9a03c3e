import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/errors';
import { DomainError } from './domain-error';
import { PROBLEM_TYPES, ProblemCode, ProblemDocument, problemTypeUri } from './problem-types';
import { COMPRESSED_BODY_DETAIL } from '../http/uploads';

const STATUS_CODES: Partial<Record<number, ProblemCode>> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'insufficient-scope',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  410: 'subject-gone',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'validation-failed',
  428: 'precondition-required',
  429: 'too-many-requests',
  503: 'unavailable',
};

/** Renders every error, expected or not, as an RFC 9457 `application/problem+json` document. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = this.toProblem(exception, req);
    if (res.headersSent) return;
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="candor"');
    if (problem.status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '1');
    // A limit names when to come back (`retryAfter`, seconds): say it in the header too.
    if (problem.status === 429 && typeof problem.retryAfter === 'number') res.setHeader('Retry-After', String(problem.retryAfter));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  toProblem(exception: unknown, req: Request): ProblemDocument {
    const instance = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const traceId = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : undefined;
    const base = (code: ProblemCode, detail: string, status: number = PROBLEM_TYPES[code].status): ProblemDocument => ({
      type: problemTypeUri(code),
      title: PROBLEM_TYPES[code].title,
      status,
      detail,
      instance,
      code,
      traceId,
    });

    if (exception instanceof DomainError) {
      return { ...base(exception.code, exception.detail), ...exception.extensions };
    }
    // Express wraps body-parser errors in an HttpException whose cause keeps the parser's `type`.
    const cause = exception instanceof HttpException ? exception.cause : exception;
    const bodyParserError = cause as { type?: string; status?: number } | undefined;
    if (bodyParserError && typeof bodyParserError.type === 'string' && typeof bodyParserError.status === 'number') {
      // Errors raised by the JSON body parser before any route ran.
      switch (bodyParserError.type) {
        case 'entity.parse.failed':
          return base('malformed-json', `The request body is not valid JSON${jsonErrorPosition(cause)}. Check quotes, commas and brackets.`);
        case 'entity.too.large':
          return base('payload-too-large', 'The request body is larger than this API accepts.');
        case 'encoding.unsupported':
          return base('unsupported-media-type', COMPRESSED_BODY_DETAIL);
        case 'charset.unsupported':
          return base('unsupported-media-type', 'The request body must be UTF-8 encoded JSON.');
        default:
          return base('bad-request', 'The request body could not be read.', bodyParserError.status < 500 ? bodyParserError.status : 400);
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal' : 'bad-request');
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : exception.message;
      // Nest's own messages name the path ("Cannot GET /…"): problems never echo what the caller sent.
      const detail = status === 404 ? 'No route or resource matches this method and path.' : message;
      return base(code, detail, status);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ err: exception, traceId }, 'database unavailable');
      return base('unavailable', 'The database cannot be reached right now. Try again in a moment; writes with an Idempotency-Key are safe to repeat.');
    }
    this.logger.error({ err: exception, traceId }, 'unhandled error');
    return base('internal', 'Something went wrong on our side. The trace id identifies it in our logs.');
  }
}

/**
 * Where the JSON parser gave up, without the parser's message: that quotes the body it read, and
 * problems never echo what the caller sent.
 */
function jsonErrorPosition(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : '';
  const position = /position (\d+)/.exec(message)?.[1];
  if (position) return ` (at character ${position})`;
  if (/end of JSON input|Unterminated|Unexpected end/i.test(message)) return ' (it ends too early)';
  return '';
}
