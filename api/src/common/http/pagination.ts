import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
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

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page\'s `nextCursor`.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Keyset cursors: opaque to clients, a small JSON position for us. */
export const Cursor = {
  encode(position: Record<string, string | number>): string {
    return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
  },
  decode<T extends Record<string, string | number>>(cursor: string | undefined, keys: (keyof T)[]): T | null {
    if (!cursor) return null;
    try {
      const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (value && typeof value === 'object' && keys.every((k) => k in value)) return value as T;
    } catch {
      // fall through to the validation problem below
    }
    throw DomainError.validation([{ path: 'cursor', message: 'is not a cursor this API returned' }]);
  },
};
