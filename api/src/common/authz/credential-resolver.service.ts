import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { StaffService } from '../../modules/staff/staff.service';
import type { Actor } from './actor';
import { ApiKeyResolver } from './api-key-resolver.service';
import { SessionResolver } from './session-resolver.service';

/** A bearer credential as the `Authorization` header carries it. */
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Turns an `Authorization` header into the actor its credential proves, or null when there is no
 * usable credential (absent, malformed, unknown, revoked, expired). The one place credentials are
 * resolved: the HTTP edge uses it to count requests against *verified* credentials, and the guard
 * to authorize (reusing the edge's answer for the same request).
 */
@Injectable()
export class CredentialResolver {
  private readonly adminKey: Buffer;

  constructor(
    private readonly apiKeys: ApiKeyResolver,
    private readonly sessions: SessionResolver,
    private readonly moduleRef: ModuleRef,
    @Inject(CANDOR_CONFIG) config: CandorConfig,
  ) {
    this.adminKey = Buffer.from(config.adminKey, 'utf8');
  }

  /** Whether the header has the shape of a bearer credential at all. */
  static isBearer(authorization: string): boolean {
    return authorization.length <= 4096 && BEARER.test(authorization);
  }

  async resolve(authorization: string): Promise<Actor | null> {
    // Length first: the pattern never runs over an oversized header.
    if (authorization.length > 4096) return null;
    const token = BEARER.exec(authorization)?.[1];
    if (!token) return null;
    const presented = Buffer.from(token, 'utf8');
    if (presented.length === this.adminKey.length && timingSafeEqual(presented, this.adminKey)) return { kind: 'operator' };
    if (token.startsWith('cnd_')) return this.apiKeys.resolve(token);
    if (token.startsWith('cst_')) return this.sessions.resolve(token);
    if (token.startsWith('sss_')) return this.moduleRef.get(StaffService, { strict: false }).resolve(token);
    return null;
  }
}
