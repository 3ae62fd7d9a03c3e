import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/** Parses an id path parameter; an id that is not a UUID names nothing, so it is a 404. */
export function notFoundOnBadUuid(what: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new DomainError('not-found', `No ${what} has that id (ids are UUIDs).`),
  });
}
