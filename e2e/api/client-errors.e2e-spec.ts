import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';

/**
 * Errors Node's HTTP server raises before any handler runs (a request line or headers over Node's
 * limit, malformed HTTP) are answered with problem documents too, over a raw socket.
 */
let api: TestApi;
let port: number;
beforeAll(async () => {
  api = await startApi();
  const server = api.app.getHttpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await api?.close();
});

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function raw(request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.end(request);
  });
}

describe('errors raised by the HTTP parser', () => {
  const cases: Array<[string, string, number, string]> = [
    ['a URL longer than the header limit', `GET /v1/subjects?cursor=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: api\r\n\r\n`, 431, 'headers-too-large'],
    ['a header longer than the limit', `GET /healthz HTTP/1.1\r\nHost: api\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`, 431, 'headers-too-large'],
    ['a malformed request line', 'THIS IS NOT HTTP\r\n\r\n', 400, 'bad-request'],
    ['a malformed header', 'GET /healthz HTTP/1.1\r\nHost api\r\n\r\n', 400, 'bad-request'],
    ['conflicting framing', 'POST /v1/subjects HTTP/1.1\r\nHost: api\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'bad-request'],
  ];
  for (const [name, request, status, code] of cases) {
    it(`answers ${name} with a ${status} problem document`, async () => {
      const res = await raw(request);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
      const problem = JSON.parse(res.body);
      expect(problem).toMatchObject({ status, code, type: `/problems/${code}` });
      expect(typeof problem.title).toBe('string');
      expect(res.body).not.toContain('xxxxxxxx');
      expect(res.body).not.toContain('yyyyyyyy');
    });
  }

  it('still serves ordinary requests on the same server', async () => {
    const res = await raw('GET /healthz HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
  });
});
