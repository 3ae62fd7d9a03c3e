import { Injectable, Logger, OnApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, LessThanOrEqual } from 'typeorm';
import { subject as asSubject } from '@casl/ability';
import { abilityFor } from '../../common/authz/abilities';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { findDueWork } from '../../common/jobs/due-work';
import { DomainError } from '../../common/errors/domain-error';
import { SubjectsService } from '../subjects/subjects.service';
import { OutboxService } from '../webhooks/outbox.service';
import type { Dictionary } from '../dictionary/dictionary';
import { DictionaryService } from '../dictionary/dictionary.service';
import { encodeFactValue, FactValue } from '../dictionary/fact-values';
import { FactEntity, factValue } from './fact.entity';
import { openFact, sealFact } from './fact-sealing';
import { BrandFactDto, CustomerFactDto, FactResponse, LabelledFactResponse } from './dto/fact.dto';

const PURGE_INTERVAL_MS = 15 * 60_000;

/** Zero-party facts with their provenance: written by brands, read and corrected by customers. */
@Injectable()
export class FactsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FactsService.name);
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly outbox: OutboxService,
    private readonly crypto: CryptoService,
    private readonly dictionary: DictionaryService,
  ) {}

  recordForSubject(caller: BrandActor, subjectId: string, input: BrandFactDto): Promise<FactResponse> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const now = new Date();
      if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
        throw DomainError.validation([{ path: 'expiresAt', message: 'must be in the future' }]);
      }
      const fact = await this.insert(em, caller.brandId, subjectId, {
        ...input,
        collectedAt: input.collectedAt ?? now,
        expiresAt: input.expiresAt ?? null,
      });
      return toFactResponse(fact);
    });
  }

  /** Facts the subject holds now, opened: expired ones are never served. Call inside a brand transaction. */
  async current(em: EntityManager, brandId: string, subjectId: string, now = new Date()): Promise<FactEntity[]> {
    const rows = await em
      .getRepository(FactEntity)
      .createQueryBuilder('f')
      .where('f.brand_id = :brandId AND f.subject_id = :subjectId', { brandId, subjectId })
      .andWhere('(f.expires_at IS NULL OR f.expires_at > :now)', { now })
      .orderBy('f.fact_key', 'ASC')
      .addOrderBy('f.collected_at', 'DESC')
      .getMany();
    return this.open(em, brandId, subjectId, rows);
  }

  /**
   * Fills in the plaintext value and source of a subject's fact rows from their sealed columns,
   * with one unwrap of the subject's data key. A row not yet sealed by the start-up backfill
   * (written before migration 1764910000000) is read as it is. Without the key (erased) nothing
   * can be opened, and nothing is returned.
   */
  async open(em: EntityManager, brandId: string, subjectId: string, rows: FactEntity[]): Promise<FactEntity[]> {
    if (!rows.length) return rows;
    const dataKey = rows.some((r) => r.valueCt) ? await this.subjects.dataKey(em, brandId, subjectId) : null;
    const opened: FactEntity[] = [];
    for (const row of rows) {
      if (row.valueCt && row.sourceCt) {
        if (!dataKey) continue;
        Object.assign(row, openFact(this.crypto, dataKey, { brandId, subjectId, id: row.id, valueCt: row.valueCt, sourceCt: row.sourceCt }));
      } else {
        row.value = row.plainValue ?? '';
        row.source = row.plainSource ?? '';
      }
      opened.push(row);
    }
    return opened;
  }

  /** A customer tells the brand something: a declared fact from the portal. */
  addMine(customer: CustomerActor, input: CustomerFactDto): Promise<FactResponse> {
    return this.db.run(customer.brandId, async (em) => {
      const fact = await this.insert(em, customer.brandId, customer.subjectId, {
        ...input,
        provenance: 'declared',
        source: 'portal',
        collectedAt: new Date(),
        expiresAt: null,
      });
      return toFactResponse(fact);
    });
  }

  /**
   * A correction is the customer's own word: the fact becomes declared, from the portal, now. Text
   * from the portal's form is read as the key's declared type ("6" for a number key).
   */
  correctMine(customer: CustomerActor, factId: string, value: FactValue): Promise<FactResponse> {
    return this.db.run(customer.brandId, async (em) => {
      const fact = await this.requireOwn(em, customer, factId, 'update');
      const typed = await this.dictionary.checkValue(em, customer.brandId, fact.key, value, { fromText: true });
      const { text, kind } = encodeFactValue(typed);
      const now = new Date();
      Object.assign(fact, { value: text, valueKind: kind, provenance: 'declared', source: 'portal', collectedAt: now, disputedAt: null, expiresAt: null, updatedAt: now });
      await this.seal(em, fact);
      await em.getRepository(FactEntity).save(fact);
      await this.changed(em, fact, 'corrected');
      return toFactResponse(fact);
    });
  }

  deleteMine(customer: CustomerActor, factId: string): Promise<void> {
    return this.db.run(customer.brandId, async (em) => {
      const fact = await this.requireOwn(em, customer, factId, 'delete');
      await em.getRepository(FactEntity).delete({ brandId: fact.brandId, id: fact.id });
      await this.changed(em, fact, 'deleted');
    });
  }

  /** Replaces every fact under `key` with the customer's declared answer (answers replace inferences). */
  async replaceWithDeclared(
    em: EntityManager,
    brandId: string,
    subjectId: string,
    input: { key: string; category: string; values: string[]; source: string },
  ): Promise<FactEntity[]> {
    for (const [i, value] of input.values.entries()) await this.dictionary.checkValue(em, brandId, input.key, value, { path: `values.${i}` });
    const replaced = await em.getRepository(FactEntity).findBy({ brandId, subjectId, key: input.key });
    for (const old of replaced) await this.changed(em, old, 'deleted');
    await em.getRepository(FactEntity).delete({ brandId, subjectId, key: input.key });
    const collectedAt = new Date();
    const facts: FactEntity[] = [];
    for (const value of input.values) {
      facts.push(
        await this.insert(em, brandId, subjectId, {
          key: input.key,
          value,
          category: input.category,
          provenance: 'declared',
          source: input.source,
          collectedAt,
          expiresAt: null,
        }),
      );
    }
    return facts;
  }

  /** Deletes facts past their expiry in every brand that has some (found in one statement). Returns how many went. */
  async purgeExpired(now = new Date()): Promise<number> {
    let purged = 0;
    for (const { brandId } of await findDueWork(this.db, 'expired-facts')) {
      await this.db.run(brandId, async (em) => {
        const result = await em.getRepository(FactEntity).delete({ brandId, expiresAt: LessThanOrEqual(now) });
        purged += result.affected ?? 0;
      });
    }
    return purged;
  }

  onApplicationBootstrap(): void {
    this.purgeTimer = setInterval(() => {
      this.purgeExpired().then(
        (n) => n && this.logger.log({ purged: n }, 'purged expired facts'),
        (error) => this.logger.warn({ err: error }, 'purging expired facts failed; will retry'),
      );
    }, PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  /** Loads a fact the customer may act on; anyone else's fact is invisible (404). */
  private async requireOwn(em: EntityManager, customer: CustomerActor, factId: string, action: 'update' | 'delete'): Promise<FactEntity> {
    const fact = await em.getRepository(FactEntity).findOneBy({ brandId: customer.brandId, id: factId });
    if (!fact || !abilityFor(customer).can(action, asSubject('Fact', { subjectId: fact.subjectId, category: fact.category }))) {
      throw DomainError.notFound('fact', factId);
    }
    return fact;
  }

  /**
   * Records a fact inside the caller's transaction (answers, the brand's and the customer's own),
   * its value checked against its key's declared type (422 on `value`).
   */
  async insert(
    em: EntityManager,
    brandId: string,
    subjectId: string,
    input: Pick<FactEntity, 'key' | 'category' | 'provenance' | 'source' | 'collectedAt' | 'expiresAt'> & { value: FactValue },
  ): Promise<FactEntity> {
    const { text, kind } = encodeFactValue(await this.dictionary.checkValue(em, brandId, input.key, input.value));
    const now = new Date();
    const fact = em.getRepository(FactEntity).create({
      brandId,
      id: randomUUID(),
      subjectId,
      key: input.key,
      category: input.category,
      provenance: input.provenance,
      collectedAt: input.collectedAt,
      expiresAt: input.expiresAt,
      disputedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    Object.assign(fact, { value: text, valueKind: kind, source: input.source });
    await this.seal(em, fact);
    await em.getRepository(FactEntity).insert(fact);
    await this.changed(em, fact, 'created');
    return fact;
  }

  /** Seals the fact's plaintext `value` and `source` into its stored columns (and clears any legacy plaintext). */
  private async seal(em: EntityManager, fact: FactEntity): Promise<void> {
    const dataKey = await this.subjects.dataKey(em, fact.brandId, fact.subjectId);
    if (!dataKey) throw DomainError.notFound('subject', fact.subjectId);
    Object.assign(fact, sealFact(this.crypto, dataKey, fact), { plainValue: null, plainSource: null });
  }

  /** Tells downstream systems a fact changed: ids and key only, never the value. */
  private changed(em: EntityManager, fact: FactEntity, change: 'created' | 'corrected' | 'deleted'): Promise<string> {
    return this.outbox.emit(em, fact.brandId, 'fact.changed', { subjectId: fact.subjectId, factId: fact.id, key: fact.key, change }, fact.subjectId);
  }
}

export function toFactResponse(f: FactEntity): FactResponse {
  return {
    id: f.id,
    key: f.key,
    value: factValue(f),
    category: f.category,
    provenance: f.provenance,
    source: f.source,
    collectedAt: f.collectedAt.toISOString(),
    expiresAt: f.expiresAt ? f.expiresAt.toISOString() : null,
    disputed: f.disputedAt !== null,
  };
}

/** A fact with its key, value and source in words, in each of the brand's languages. */
export function toLabelledFactResponse(f: FactEntity, dictionary: Dictionary): LabelledFactResponse {
  const value = factValue(f);
  return {
    ...toFactResponse(f),
    keyLabel: dictionary.labels((l) => dictionary.keyLabel(f.key, l)),
    valueLabel: dictionary.labels((l) => dictionary.factValueLabel(f.key, value, l)),
    sourceLabel: dictionary.labels((l) => dictionary.sourceLabel(f.source, l)),
  };
}
