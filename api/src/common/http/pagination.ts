import { Inject, Injectable } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { createSecretKey, KeyObject } from 'node:crypto';
import { CANDOR_CONFIG } from '../../config/config.module';
import type { CandorConfig } from '../../config/config';
import { deriveKey, open, seal } from '../crypto/crypto.service';
import { DomainError } from '../errors/domain-error';

export const MAX_PAGE_SIZE = 200;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page\'s `nextCursor` of the same list.', maxLength: 512 })
  @IsOptional()
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
  list: 'subjects' | 'audience' | 'access-log' | 'webhook-deliveries' | 'audit-log' | 'privacy-requests' | 'fact-keys' | 'sources' | 'topics';
  brandId: string;
  parent?: string;
}

/** The type of each field of a cursor position, checked again after it is opened. */
export type CursorField = 'uuid' | 'timestamp' | 'key';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A dictionary key (fact key, source, topic): the same shape as KEY_PATTERN. */
const DICTIONARY_KEY = /^[a-z][a-z0-9_]{0,63}$/;
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

  private open(scope: CursorScope, cursor: string): unknown {
    if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    try {
      return JSON.parse(open(this.key, Buffer.from(cursor, 'base64url'), scopeContext(scope)).toString('utf8'));
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
  if (type === 'key') return DICTIONARY_KEY.test(value);
  return ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
}

function invalidCursor(): DomainError {
  return DomainError.validation([{ path: 'cursor', message: 'is not a cursor this list returned' }]);
}
