import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_TYPES, ProblemCode, problemTypeUri } from '../errors/problem-types';

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The problem for an error Node's HTTP parser raised before any request existed. */
function problemFor(error: NodeJS.ErrnoException): { code: ProblemCode; detail: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers-too-large', detail: 'The request line and headers together are larger than this API reads (16 KB). Send long values in a JSON body.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_REQUEST_TIMEOUT':
      return { code: 'request-timeout', detail: 'The request line and headers did not arrive in time.' };
    default:
      return { code: 'bad-request', detail: 'The request is not valid HTTP/1.1 (request line, headers or framing).' };
  }
}

/**
 * Answers errors Node's HTTP server raises before a request reaches any handler (request line or
 * headers too large, malformed HTTP, header timeout) with an RFC 9457 problem document instead of
 * Node's bare status line, then closes the connection as Node would.
 */
export function answerClientErrorsWithProblems(server: Server): void {
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const { code, detail } = problemFor(error);
    const status = PROBLEM_TYPES[code].status;
    const body = JSON.stringify({ type: problemTypeUri(code), title: PROBLEM_TYPES[code].title, status, detail, code, traceId: randomUUID() });
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\n' +
        'X-Content-Type-Options: nosniff\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
