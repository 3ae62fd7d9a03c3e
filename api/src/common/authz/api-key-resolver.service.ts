import { Injectable } from '@nestjs/common';
import { DataSource, EntitySubscriberInterface, IsNull, TransactionCommitEvent, UpdateEvent } from 'typeorm';
import { ApiKeyEntity } from '../../modules/api-keys/api-key.entity';
import { CryptoService } from '../crypto/crypto.service';
import { TenantDb } from '../database/tenant-db.service';
import type { Actor, Scope } from './actor';

/**
 * How long a process trusts a key lookup it has made. This is the bound on revocation across
 * processes: a key revoked through one process stops working on that process at once (the cache
 * is cleared when the revoking transaction commits) and on every other process within this time.
 */
export const KEY_CACHE_TTL_MS = 1000;
/** Enough for every live key of a large installation; the oldest entry goes first beyond it. */
export const KEY_CACHE_MAX_ENTRIES = 10_000;

/** A small map whose entries expire; insertion order doubles as age for eviction. */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

const KEYS_CHANGED = 'candor.apiKeysChanged';

/**
 * Turns a presented `cnd_` key into its brand actor, or null when unknown or revoked.
 *
 * Brands call the API before every message they send, so known keys are cached for
 * `KEY_CACHE_TTL_MS` (unknown keys never are: a key created a moment ago works at once). The
 * resolver also listens to TypeORM for updates of `api_keys` (revocation is the only one) and
 * drops its cache when such a transaction commits, so this process honours a revocation at once.
 */
@Injectable()
export class ApiKeyResolver implements EntitySubscriberInterface<ApiKeyEntity> {
  private readonly cache = new ExpiringCache<Actor>(KEY_CACHE_TTL_MS, KEY_CACHE_MAX_ENTRIES);

  constructor(
    private readonly db: TenantDb,
    dataSource: DataSource,
  ) {
    dataSource.subscribers.push(this);
  }

  listenTo(): typeof ApiKeyEntity {
    return ApiKeyEntity;
  }

  afterUpdate(event: UpdateEvent<ApiKeyEntity>): void {
    // Clear now (so no request in this process trusts the old row) and again after the commit
    // (so a lookup that raced the commit and cached the old row is forgotten too).
    this.cache.clear();
    event.queryRunner.data[KEYS_CHANGED] = true;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.data[KEYS_CHANGED]) return;
    delete event.queryRunner.data[KEYS_CHANGED];
    this.cache.clear();
  }

  async resolve(key: string): Promise<Actor | null> {
    const keyHash = CryptoService.secretHash(key);
    const cached = this.cache.get(keyHash);
    if (cached) return cached;
    const row = await this.db.lookup({ keyHash }, (em) =>
      em.getRepository(ApiKeyEntity).findOneBy({ keyHash, revokedAt: IsNull() }),
    );
    if (!row) return null;
    const actor: Actor = { kind: 'apiKey', brandId: row.brandId, keyId: row.id, name: row.name, scopes: row.scopes as Scope[], purposes: row.purposes };
    this.cache.set(keyHash, actor);
    return actor;
  }
}
