import { Inject, Injectable } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { createSecretKey, KeyObject } from 'node:crypto';
import { CANDOR_CONFIG } from '../../config/config.module';
import type { CandorConfig } from '../../config/config';
import { deriveKey, open, seal } from '../crypto/crypto.service';
import { DomainError } from '../errors/domain-error';
import { IsOmittable } from './validators';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** A number as a cursor key that sorts as text (positions, sequence numbers, versions). */
export const ordinal = (n: number): string => String(n).padStart(12, '0');

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page\'s `nextCursor` of the same list.', maxLength: 512 })
  @IsOmittable()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Which list a cursor belongs to: the list's kind, the brand (tenant) and, for lists inside one
 * parent (a webhook's deliveries, a customer's access log), the parent's id. A cursor only opens
 * for the exact scope that issued it.
 */
export interface CursorScope {
  list:
    | 'subjects'
    | 'subject-identifiers'
    | 'audience'
    | 'access-log'
    | 'webhook-deliveries'
    | 'audit-log'
    | 'privacy-requests'
    | 'api-keys'
    | 'purposes'
    | 'notices'
    | 'purpose-catalogue'
    | 'questions'
    | 'due-questions'
    | 'catalog-items'
    | 'staff'
    | 'webhooks'
    | 'my-consents'
    | 'my-propagation'
    | 'consent-records'
    | 'fact-keys'
    | 'sources'
    | 'topics'
    | 'suppressions'
    | 'preference-changes';
  brandId: string;
  parent?: string;
}

/** The type of each field of a cursor position, checked again after it is opened. */
export type CursorField = 'uuid' | 'timestamp' | 'key';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/**
 * Keyset cursors, the one place every list makes and reads them. A cursor is the page position
 * sealed with AES-256-GCM under a key derived from `CANDOR_MASTER_KEY`, with the list's scope as
 * associated data: clients cannot read the ids and timestamps inside, cannot forge or alter one,
 * and cannot replay one on another list, another parent or another brand. Whatever a caller sends
 * that does not open answers 422 `validation-failed` on `cursor`, never 500.
 */
@Injectable()
export class Cursors {
  private readonly key: KeyObject;

  constructor(@Inject(CANDOR_CONFIG) config: CandorConfig) {
    this.key = createSecretKey(deriveKey(config.masterKey, 'candor/v1/cursor'));
  }

  encode(scope: CursorScope, position: Record<string, string>): string {
    return seal(this.key, Buffer.from(JSON.stringify(position), 'utf8'), scopeContext(scope)).toString('base64url');
  }

  decode<K extends string>(scope: CursorScope, cursor: string | undefined, fields: Record<K, CursorField>): Record<K, string> | null {
    if (cursor === undefined || cursor === null || cursor === '') return null;
    const position = this.open(scope, cursor);
    const keys = Object.keys(fields) as K[];
    if (
      position &&
      typeof position === 'object' &&
      !Array.isArray(position) &&
      Object.keys(position).length === keys.length &&
      keys.every((k) => validField((position as Record<string, unknown>)[k], fields[k]))
    ) {
      return position as Record<K, string>;
    }
    throw invalidCursor();
  }

  /**
   * One page of a list the service reads whole — short ones: a brand's configuration (keys,
   * purposes, questions, staff, webhooks), a static catalogue, one customer's history — ordered by
   * `keyOf` (unique per item; ISO timestamps and zero-padded numbers sort as text). The cursor holds
   * the last key of the page, sealed like every other, so a page boundary survives items added or
   * removed in between.
   */
  pageOf<T>(scope: CursorScope, items: readonly T[], query: PageQuery, keyOf: (item: T) => string, order: 'asc' | 'desc' = 'asc'): Page<T> {
    const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const after = this.decode(scope, query.cursor, { after: 'key' })?.after;
    const before = (a: string, b: string) => (order === 'asc' ? a < b : a > b);
    const sorted = [...items].map((item) => ({ item, key: keyOf(item) })).sort((x, y) => (before(x.key, y.key) ? -1 : before(y.key, x.key) ? 1 : 0));
    const rest = after === undefined ? sorted : sorted.filter((x) => before(after, x.key));
    const page = rest.slice(0, limit);
    return {
      data: page.map((x) => x.item),
      nextCursor: rest.length > limit ? this.encode(scope, { after: page[page.length - 1].key }) : null,
    };
  }

  private open(scope: CursorScope, cursor: string): unknown {
    if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    const sealed = Buffer.from(cursor, 'base64url');
    // Only the exact text this list issued: base64 decoding ignores stray trailing bits, so a
    // cursor with a character added could otherwise open as the original.
    if (sealed.toString('base64url') !== cursor) throw invalidCursor();
    try {
      return JSON.parse(open(this.key, sealed, scopeContext(scope)).toString('utf8'));
    } catch {
      throw invalidCursor();
    }
  }
}

function scopeContext(scope: CursorScope): string {
  return `candor/cursor\u0000${scope.list}\u0000${scope.brandId}\u0000${scope.parent ?? ''}`;
}

function validField(value: unknown, type: CursorField): boolean {
  if (typeof value !== 'string') return false;
  if (type === 'uuid') return UUID.test(value);
  if (type === 'key') return value.length > 0 && value.length <= 300;
  return ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
}

function invalidCursor(): DomainError {
  return DomainError.validation([{ path: 'cursor', message: 'is not a cursor this list returned' }]);
}
