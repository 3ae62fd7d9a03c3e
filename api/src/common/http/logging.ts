import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';
import type { CandorConfig } from '../../config/config';

/**
 * How logs are written: JSON lines (one object per line, for log shippers) in production and
 * tests; human-readable lines (pino-pretty, in pino's worker thread) in development, where a person
 * reads them in a terminal.
 */
export function logTransport(config: Pick<CandorConfig, 'env'>): Options['transport'] {
  if (config.env !== 'development') return undefined;
  return {
    target: 'pino-pretty',
    options: { colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,req,res,responseTime', singleLine: true, messageKey: 'msg' },
  };
}

/** Nest's start-up chatter: every module initialised and every route mapped (about 150 lines). */
const STARTUP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Nest's logger, with its start-up chatter moved down to `debug` (LOG_LEVEL=debug shows it again):
 * at the default `info`, `npm start` prints its banner, not a page of "Mapped {/v1/…}" lines.
 */
export class QuietStartupLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) this.inner.debug?.(message, ...rest);
    else this.inner.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...rest);
  }
}

/**
 * Structured request logs. They carry the request id,
 * the method, the path without its query string, the status and the time taken — never headers,
 * bodies or query strings, which can hold credentials and personal data.
 */
/**
 * Links whose path is the credential: a confirmation token would let a log reader confirm a
 * consent for someone, an unsubscribe token withdraw one. The log keeps the route, not the token.
 */
const TOKEN_IN_PATH = /^(\/v1\/(?:consent-confirmations|unsubscribe|erasure-receipts)\/)[^/]+/;

/** The path a request log line shows: no query string, no token. */
export function loggedPath(url: string): string {
  return url.split('?')[0].replace(TOKEN_IN_PATH, '$1[token]');
}

export function pinoHttpOptions(config: CandorConfig): Options {
  return {
    level: config.logLevel,
    transport: logTransport(config),
    // The id was set by the requestId middleware, which runs first.
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: loggedPath(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error & { code?: string }) => ({ type: err.name, code: err.code, message: err.message, stack: err.stack }),
    },
    redact: { paths: ['req.headers', 'res.headers', 'req.body', 'req.query'], remove: true },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
  };
}
