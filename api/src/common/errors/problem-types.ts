/**
 * Every problem the API can answer with, by stable code. Adding a code without a status and title
 * fails to compile, so no error leaves the API unmapped.
 */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'The request could not be read' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthenticated: { status: 401, title: 'A valid credential is required' },
  'insufficient-scope': { status: 403, title: 'The credential does not allow this action' },
  'consent-required': { status: 403, title: 'There is no standing consent for this purpose' },
  'purpose-not-allowed': { status: 403, title: 'The credential may not act for this purpose' },
  'grant-exceeds-caller': { status: 403, title: 'A credential may not grant more than it holds itself' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  'request-timeout': { status: 408, title: 'The request did not arrive in time' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'slug-taken': { status: 409, title: 'That brand slug is already taken' },
  'purpose-exists': { status: 409, title: 'A purpose with that key already exists' },
  'subject-erased': { status: 409, title: 'This subject was erased and cannot be re-created' },
  'subject-gone': { status: 410, title: 'This subject was erased' },
  'subject-merged': { status: 410, title: 'This subject was merged into another; `mergedInto` names it' },
  'identifier-taken': { status: 409, title: 'Another record already holds this identifier' },
  'identifier-ambiguous': { status: 409, title: 'Several subjects hold this identifier; merge them' },
  'unsubscribe-link-invalid': { status: 404, title: 'This is not an unsubscribe link Candor issued' },
  'unsubscribe-link-revoked': { status: 410, title: 'This unsubscribe link no longer works' },
  'confirmation-expired': { status: 410, title: 'This confirmation link has expired' },
  'confirmation-withdrawn': { status: 409, title: 'The consent was withdrawn before it was confirmed' },
  'confirmation-email-missing': { status: 409, title: 'This purpose needs the person\'s confirmation by email, and the subject has no email address' },
  'precondition-failed': { status: 412, title: 'The data changed since you read it' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'validation-failed': { status: 422, title: 'The request breaks one or more rules' },
  'unknown-purpose': { status: 422, title: 'The purpose is not defined for this brand' },
  'unknown-notice-version': { status: 422, title: 'That notice version does not exist' },
  'notice-required': { status: 422, title: 'A consent needs a published notice' },
  'unconsented-reason': { status: 422, title: 'A reason cites a fact that may not be used for this purpose' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was already used for a different request' },
  'precondition-required': { status: 428, title: 'Send If-Match with the ETag you read' },
  'headers-too-large': { status: 431, title: 'The request line or headers are too large' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

/** The `type` URI of a problem: a page of the API that describes it. */
export function problemTypeUri(code: ProblemCode): string {
  return `/problems/${code}`;
}

export interface FieldError {
  path: string;
  message: string;
}

/** An RFC 9457 problem document as Candor writes it. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ProblemCode;
  traceId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}
