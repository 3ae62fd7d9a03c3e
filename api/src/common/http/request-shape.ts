import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../errors/domain-error';
import { UNKNOWN_FIELD, UNKNOWN_FIELD_MESSAGE } from '../errors/validation';
import { type EdgeRequest, pathOf, writeProblem } from './hardening';
import { isNdjson, pathTemplatePattern } from './uploads';

/**
 * What the OpenAPI document says a request may carry, enforced before the body is read — the
 * document is the one description of each route, so it is also the one list of what each route
 * accepts:
 *
 * - **query parameters**: a name the operation does not document is refused with 422
 *   `validation-failed` naming `(unknown field)`, exactly as an unknown body field is (never
 *   silently ignored, never echoed);
 * - **media type**: a request with a body whose `Content-Type` is not one the operation documents
 *   (`application/json`, which also admits `application/*+json`; NDJSON on upload routes; a form on
 *   a route that documents one) is refused with 415 `unsupported-media-type` before any of it is
 *   parsed — not with a 422 listing every field as missing.
 *
 * Requests for paths the document does not describe pass through untouched (they 404 later).
 */

interface DocumentedOperation {
  method: string;
  pattern: RegExp;
  /** Specific paths (no template) win over templated ones, as routing does. */
  templated: boolean;
  query: Set<string>;
  /** Media types the request body may have; null when the operation documents no body. */
  bodyTypes: string[] | null;
}

interface OpenApiLike {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; requestBody?: { content?: Record<string, unknown> } }>>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** The documented operations, specific paths first. */
export function documentedOperations(document: OpenApiLike): DocumentedOperation[] {
  const out: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (!METHODS.has(method)) continue;
      const templated = /\{[^/{}]+\}/.test(path);
      out.push({
        method: method.toUpperCase(),
        pattern: pathTemplatePattern(path),
        templated,
        query: new Set((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)),
        bodyTypes: op.requestBody?.content ? Object.keys(op.requestBody.content).map((t) => t.toLowerCase()) : null,
      });
    }
  }
  return out.sort((a, b) => Number(a.templated) - Number(b.templated));
}

/** The media type of a Content-Type header, without parameters, lower-cased; '' when absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Whether `type` is one of `documented` (`application/json` also admits the `+json` suffix types). */
export function mediaTypeAccepted(type: string, documented: readonly string[]): boolean {
  if (documented.includes(type)) return true;
  return documented.includes('application/json') && /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** Query parameter names of a URL, decoded as Express decodes them (`+` is a space). */
function queryNames(url: string | undefined): string[] {
  const q = (url ?? '').indexOf('?');
  if (q < 0) return [];
  const names: string[] = [];
  for (const pair of url!.slice(q + 1).split('&')) {
    if (!pair) continue;
    const raw = pair.split('=')[0].replace(/\+/g, ' ');
    try {
      names.push(decodeURIComponent(raw));
    } catch {
      names.push(raw);
    }
  }
  return names;
}

/**
 * The check, as Express middleware (it runs before the body parser). Answers the request itself
 * when it breaks the document; otherwise calls `next`.
 */
export function requestShapeGate(document: OpenApiLike): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const operations = documentedOperations(document);
  return (req, res, next) => {
    const path = pathOf(req.url);
    const op = operations.find((o) => o.method === req.method && o.pattern.test(path));
    if (!op) return next();
    if (queryNames(req.url).some((name) => !op.query.has(name))) {
      return writeProblem(req as EdgeRequest, res, DomainError.validation([{ path: UNKNOWN_FIELD, message: UNKNOWN_FIELD_MESSAGE }]));
    }
    // NDJSON uploads check their own media type (NdjsonUploads), before a byte is spooled.
    if (op.bodyTypes && !op.bodyTypes.some(isNdjson) && hasBody(req) && !mediaTypeAccepted(mediaTypeOf(req.headers['content-type']), op.bodyTypes)) {
      const wanted = op.bodyTypes.join(' or ');
      return writeProblem(req as EdgeRequest, res, new DomainError('unsupported-media-type', `This route takes a body of type ${wanted}: send it with "Content-Type: ${op.bodyTypes[0]}".`));
    }
    next();
  };
}
