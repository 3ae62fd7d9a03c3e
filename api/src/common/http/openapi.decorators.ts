import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtension, ApiExtraModels, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_TYPES, ProblemCode } from '../errors/problem-types';
import { NDJSON_TYPES } from './uploads';

export class FieldErrorDto {
  @ApiProperty({ example: 'name.en', description: 'The field, as a dotted path into the request; `(unknown field)` for a field or query parameter the route does not take.' })
  path: string;
  @ApiProperty({ example: 'must be a string' }) message: string;
}

/** RFC 9457 problem document, as every error of this API is written. */
export class ProblemDto {
  @ApiProperty({ example: '/problems/validation-failed', description: 'Resolvable: `GET /problems/{code}` describes the problem.' }) type: string;
  @ApiProperty({ example: 'The request breaks one or more rules' }) title: string;
  @ApiProperty({ type: 'integer', example: 422, minimum: 400, maximum: 599 }) status: number;
  @ApiProperty({ description: 'What went wrong and how to fix it. Never repeats what the caller sent.' }) detail: string;
  @ApiPropertyOptional({ example: '/v1/subjects', description: 'The request path (without the query).' }) instance?: string;
  @ApiProperty({ enum: Object.keys(PROBLEM_TYPES) }) code: string;
  @ApiPropertyOptional({ description: 'The request id (also the `X-Request-Id` response header): quote it when asking for help.' }) traceId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every broken rule (422).' }) errors?: FieldErrorDto[];
  @ApiPropertyOptional({ type: 'integer', description: 'Seconds to wait (429), as in `Retry-After`.' }) retryAfter?: number;
  @ApiPropertyOptional({ type: [String], description: 'Scopes that would allow the action (403 `insufficient-scope`).' }) requiredScopes?: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'The subject this one was merged into (410 `subject-merged`): repoint to it.' }) mergedInto?: string;
  @ApiPropertyOptional({ type: [String], description: 'The subjects that share an identifier (409 `identifier-ambiguous`): records of one person, to merge.' }) subjectIds?: string[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The current values (412 `precondition-failed` of a preferences write: the preferences as they are now, with their `version`), to review before saving again.',
  })
  current?: Record<string, unknown>;
  @ApiPropertyOptional({ example: 'personalization', description: 'The purpose the credential may not act for (403 `purpose-not-allowed`); `*` when the action needs a key not limited to purposes.' }) purpose?: string;
}

/**
 * What each status means on a route that names it. Statuses every route can give (401 and 403 on
 * routes that need a credential, 400/413/415 on routes with a body, 422 for unknown query
 * parameters, 429, 500, 503) are added to every operation by the document builder
 * (common/http/openapi.ts): name only the ones particular to a route here.
 */
export const PROBLEM_STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'The body is not valid JSON (`malformed-json`) or could not be read',
  401: 'No credential, or an unknown, expired or revoked one (`WWW-Authenticate: Bearer`)',
  403: 'The credential may not do this (`insufficient-scope`; `requiredScopes` names what would allow it), or a purpose or consent rule forbids it',
  404: 'Not found, or not visible to this credential (another brand\'s ids are never revealed)',
  408: 'The upload sent nothing for CANDOR_UPLOAD_IDLE_TIMEOUT_MS and was abandoned; nothing of it was kept',
  409: 'Conflicts with the current state',
  410: 'Gone: the subject was erased, or merged into another (`subject-merged`, whose `mergedInto` names the survivor), or a link was revoked or has expired',
  412: 'The `If-Match` entity tag is not the current one (strong comparison: weak tags never match); the problem carries the current values',
  413: 'The request body is larger than this API accepts',
  415: 'The request body\'s `Content-Type` (or `Content-Encoding`) is not one this route takes',
  422: 'The request breaks one or more rules; `errors` lists each field (unknown body fields and query parameters are named `(unknown field)`)',
  428: '`If-Match` is required',
  429: 'Too many requests; `Retry-After` says when to try again',
  500: 'Something failed on the server; `traceId` identifies it in the logs',
  503: 'The database is unreachable, or the request passed its deadline (CANDOR_REQUEST_TIMEOUT_MS); `Retry-After` says when to try again',
};

/** Documents the problem responses particular to a route (see PROBLEM_STATUS_DESCRIPTIONS for the ones added to every route). */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_STATUS_DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

/** Extensions that carry an operation's request example and NDJSON upload body until the document builder places them. */
export const EXAMPLE_EXTENSION = 'x-candor-example';
export const UPLOAD_EXTENSION = 'x-candor-upload';

export interface OperationDoc {
  /** Resource-style camelCase, stable: SDK method names come from it (`getSubject`, `upsertCatalogItem`). */
  id: string;
  /** A few words, imperative: "Create a subject". */
  summary: string;
  /** What it does and what the caller should know. Who may call it and a curl example are added by the document builder. */
  description: string;
  /**
   * A request body that works as written against the demo data, shown as the body's example and in
   * the curl example (and sent by e2e/api/openapi.e2e-spec.ts). Without one, the example is made
   * from the properties' examples.
   */
  example?: unknown;
}

/** Names and describes an operation. One per handler. */
export function ApiOp(doc: OperationDoc) {
  return applyDecorators(
    ApiOperation({ operationId: doc.id, summary: doc.summary, description: doc.description }),
    ...(doc.example === undefined ? [] : [ApiExtension(EXAMPLE_EXTENSION, { value: doc.example })]),
  );
}

/**
 * Marks a route as an NDJSON upload received by `NdjsonUploads` (spooled, capped, idle-timed) and
 * documents its body and its upload problems. The HTTP edge exempts exactly the routes the OpenAPI
 * document marks this way from the whole-request deadline, and the tests find them the same way.
 */
export function ApiNdjsonUpload(description: string, lineSchema: Record<string, unknown>, example: string) {
  const media = {
    schema: { type: 'string', description: 'One JSON object per line (UTF-8, `\\n`-separated), each as `x-line-schema` says.', 'x-line-schema': lineSchema },
    example,
  };
  return applyDecorators(
    // The document builder turns this into the operation's requestBody (Nest sees no @Body here).
    ApiExtension(UPLOAD_EXTENSION, { required: true, description, content: Object.fromEntries(NDJSON_TYPES.map((type) => [type, media])) }),
    ApiProblems(408, 413, 415, 429),
  );
}

/** Documents a `{ data, nextCursor }` page of `model`. */
export function ApiPage(model: Type<unknown>, description = 'One page, in a stable order; `nextCursor` is null on the last page.') {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: 200,
      description,
      schema: {
        type: 'object',
        required: ['data', 'nextCursor'],
        additionalProperties: false,
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(model) } },
          nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
        },
      } as never,
    }),
  );
}

export type { ProblemCode };

const SCHEMA_COMPONENTS = new Map<string, Record<string, unknown>>();

/**
 * Registers a shape written as JSON Schema (not as a class) as `#/components/schemas/{name}` and
 * returns a `$ref` to it, so routes can reference it (the subject export, consent records).
 */
export function schemaComponent(name: string, schema: Record<string, unknown>): { $ref: string } {
  SCHEMA_COMPONENTS.set(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

/** Every shape registered with `schemaComponent`. */
export function registeredSchemaComponents(): ReadonlyMap<string, Record<string, unknown>> {
  return SCHEMA_COMPONENTS;
}
