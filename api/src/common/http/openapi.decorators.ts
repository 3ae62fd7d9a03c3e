import { applyDecorators, Type } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_TYPES, ProblemCode } from '../errors/problem-types';

export class FieldErrorDto {
  @ApiProperty({ example: 'name.en' }) path: string;
  @ApiProperty({ example: 'must be a string' }) message: string;
}

/** RFC 9457 problem document, as every error of this API is written. */
export class ProblemDto {
  @ApiProperty({ example: '/problems/validation-failed' }) type: string;
  @ApiProperty({ example: 'The request breaks one or more rules' }) title: string;
  @ApiProperty({ example: 422 }) status: number;
  @ApiProperty() detail: string;
  @ApiProperty({ example: '/v1/subjects' }) instance: string;
  @ApiProperty({ enum: Object.keys(PROBLEM_TYPES) }) code: string;
  @ApiPropertyOptional() traceId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (for example, invalid JSON)',
  401: 'No credential, or an unknown or revoked one',
  403: 'The credential lacks the scope for this action',
  404: 'Not found, or not visible to this credential',
  408: 'The upload sent nothing for CANDOR_UPLOAD_IDLE_TIMEOUT_MS and was abandoned; nothing of it was kept',
  409: 'Conflicts with the current state',
  410: 'Gone: the link was revoked, expired or its subject erased',
  412: 'The If-Match version is stale',
  413: 'Request body too large',
  422: 'The body breaks one or more rules; `errors` lists each field',
  428: 'A precondition header is required',
  429: 'Too many requests; `Retry-After` says when to try again',
};

/** Documents the problem responses a route can give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

/**
 * Marks a route as an NDJSON upload received by `NdjsonUploads` (spooled, capped, idle-timed) and
 * documents its body and its upload problems. The HTTP edge exempts exactly the routes the OpenAPI
 * document marks this way from the whole-request deadline, and the tests find them the same way.
 */
export function ApiNdjsonUpload(description: string) {
  return applyDecorators(
    ApiConsumes('application/x-ndjson'),
    ApiBody({ description, schema: { type: 'string' } }),
    ApiProblems(408, 413, 415, 429),
  );
}

/** Documents a `{ data, nextCursor }` page of `model`. */
export function ApiPage(model: Type<unknown>) {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: 200,
      schema: {
        type: 'object',
        required: ['data', 'nextCursor'],
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(model) } },
          nextCursor: { type: ['string', 'null'] } as never,
        },
      },
    }),
  );
}

export type { ProblemCode };
