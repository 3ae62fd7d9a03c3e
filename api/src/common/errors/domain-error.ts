import { FieldError, PROBLEM_TYPES, ProblemCode } from './problem-types';
import { plural } from '../i18n/plural';

/**
 * An expected failure with a stable code. Services throw it; the problem filter renders it as
 * RFC 9457 problem+json with the status its code maps to.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extensions: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  get status(): number {
    return PROBLEM_TYPES[this.code].status;
  }

  /** `id` is not repeated in the detail: problems never echo what the caller sent. */
  static notFound(what: string, _id?: string): DomainError {
    return new DomainError('not-found', `No ${what} with that id exists.`);
  }

  /** A subject merged into another: 410, naming the survivor so integrations can repoint. */
  static subjectMerged(mergedInto: string): DomainError {
    return new DomainError('subject-merged', 'This subject was merged into another record of the same person: use the subject named by `mergedInto`.', { mergedInto });
  }

  /** A purpose named in the request that the brand has not defined (or adopted). */
  static unknownPurpose(key: string, path = 'purpose'): DomainError {
    return new DomainError('unknown-purpose', 'The purpose named is not defined for this brand.', {
      errors: [{ path, message: 'is not a purpose of this brand (GET /v1/purposes lists them)' }],
    });
  }

  static validation(errors: FieldError[], detail?: string): DomainError {
    return new DomainError(
      'validation-failed',
      // Never the paths: an unknown field's name is the caller's; `errors` says which fields (safely).
      detail ?? plural('en', errors.length, { one: '# field failed validation; see errors.', other: '# fields failed validation; see errors.' }),
      { errors },
    );
  }
}
