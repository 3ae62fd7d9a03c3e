import { ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/**
 * Parses an id path parameter; an id that is not a UUID names nothing, so it is a 404. UUIDs are
 * case-insensitive (RFC 9562): the id comes back in lower case, the form every stored id has, so an
 * upper-case id names the same thing everywhere it is used (lookups, keys, audit, responses).
 */
class LowerCaseUuidPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    const id = await super.transform(value, metadata);
    return typeof id === 'string' ? id.toLowerCase() : (id as unknown as string);
  }
}

export function notFoundOnBadUuid(what: string): ParseUUIDPipe {
  return new LowerCaseUuidPipe({
    exceptionFactory: () => new DomainError('not-found', `No ${what} has that id (ids are UUIDs).`),
  });
}
