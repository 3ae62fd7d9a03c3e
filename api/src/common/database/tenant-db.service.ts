import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** What a transaction may see besides its brand: lookups made before the brand is known. */
export interface LookupScope {
  /** SHA-256 of a presented API key: makes exactly that key's row visible. */
  keyHash?: string;
  /** A brand's public slug: makes exactly that brand's row visible. */
  brandSlug?: string;
  /** SHA-256 of a presented sign-in or session token: makes exactly that token's row visible. */
  tokenHash?: string;
  /** Lets a background job list brand ids (brand rows hold no personal data). */
  allBrands?: boolean;
}

/**
 * The tenant scope. Every query of the API runs inside `run()`: one transaction that switches to
 * the non-owner role `candor_app` and names the brand for row-level security, both with
 * transaction-local settings that end with the transaction. A query outside it sees no rows.
 */
@Injectable()
export class TenantDb {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction scoped to `brandId`. */
  run<T>(brandId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(
        `SELECT set_config('role', 'candor_app', true), set_config('app.brand_id', $1, true)`,
        [brandId],
      );
      return work(em);
    });
  }

  /** Runs `work` with no brand, seeing only what `scope` names (a key hash, a brand slug). */
  lookup<T>(scope: LookupScope, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(
        `SELECT set_config('role', 'candor_app', true), set_config('app.key_hash', $1, true),
                set_config('app.brand_slug', $2, true), set_config('app.token_hash', $3, true),
                set_config('app.all_brands', $4, true)`,
        [scope.keyHash ?? '', scope.brandSlug ?? '', scope.tokenHash ?? '', scope.allBrands ? 'on' : 'off'],
      );
      return work(em);
    });
  }

  /** True when the database answers a trivial query. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.dataSource.query('SELECT 1').then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
