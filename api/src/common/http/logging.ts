import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';
import type { CandorConfig } from '../../config/config';

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
