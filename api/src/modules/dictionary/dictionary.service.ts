import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MoreThan } from 'typeorm';
import type { BrandActor } from '../../common/authz/actor';
import { inTurn } from '../../common/database/in-turn';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, MAX_PAGE_SIZE, Page, PageQuery } from '../../common/http/pagination';
import { SUPPORTED_LOCALES } from '../../common/http/validators';
import { AuditService } from '../audit/audit.service';
import { BrandEntity } from '../brands/brand.entity';
import { NoticeEntity, PurposeEntity } from '../purposes/purpose.entity';
import { QuestionEntity } from '../questions/question.entity';
import { CatalogItemEntity } from '../recommendations/catalog-item.entity';
import { Dictionary, FactKeyEntry } from './dictionary';
import { DictionaryLabelEntity, FactKeyEntity, LabelKind } from './dictionary.entity';
import { FactKeyResponse, LabelResponse, ListFactKeysQuery, MissingReportResponse, PutFactKeyDto, PutLabelDto } from './dto/dictionary.dto';
import { FactValue, readTextAs, valueProblem } from './fact-values';
import { missingTranslations } from './missing';

/**
 * A brand's data dictionary: the words for its fact keys and their values, its sources and topics,
 * per language; the types that fact values are checked against; and the report of what is not yet
 * translated. The words themselves are looked up by `Dictionary` (pure), which `load` builds.
 */
@Injectable()
export class DictionaryService {
  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
    private readonly cursors: Cursors,
  ) {}

  /** The brand's dictionary, for labelling what a read returns. Call inside the brand's transaction. */
  async load(em: EntityManager, brandId: string): Promise<Dictionary> {
    const [brand, factKeys, labels, questions] = await inTurn(
      () => em.getRepository(BrandEntity).findOneByOrFail({ brandId }),
      () => em.getRepository(FactKeyEntity).findBy({ brandId }),
      () => em.getRepository(DictionaryLabelEntity).findBy({ brandId }),
      () => em.getRepository(QuestionEntity).findBy({ brandId }),
    );
    return new Dictionary({
      defaultLocale: brand.defaultLocale,
      factKeys: factKeys.map(toEntry),
      sources: labels.filter((l) => l.kind === 'source').map((l) => ({ key: l.key, label: l.label })),
      topics: labels.filter((l) => l.kind === 'topic').map((l) => ({ key: l.key, label: l.label })),
      questions: questions.map((q) => ({ key: q.key, factKey: q.factKey, text: q.text, options: q.options })),
    });
  }

  /**
   * Checks a fact value against its key's declared type (422 `validation-failed` on `path` when it
   * does not fit) and returns it; `fromText` reads a correction typed into a form as the key's type.
   */
  async checkValue(em: EntityManager, brandId: string, key: string, value: FactValue, options: { path?: string; fromText?: boolean } = {}): Promise<FactValue> {
    const declared = await em.getRepository(FactKeyEntity).findOneBy({ brandId, key });
    const read = options.fromText ? readTextAs(declared, value) : value;
    const problem = valueProblem(declared, read);
    if (problem) throw DomainError.validation([{ path: options.path ?? 'value', message: problem }]);
    return read;
  }

  /** The declared types of the brand's fact keys (for checking many values at once: imports). */
  async rules(em: EntityManager, brandId: string): Promise<Map<string, FactKeyEntity>> {
    const rows = await em.getRepository(FactKeyEntity).findBy({ brandId });
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** Creates or replaces a fact key's declaration. `created` tells a new key from a replaced one. */
  putFactKey(caller: BrandActor, key: string, input: PutFactKeyDto): Promise<{ created: boolean; factKey: FactKeyResponse }> {
    const values = input.values ?? [];
    const errors = factKeyProblems(input.type ?? null, values.map((v) => v.value));
    if (errors.length) throw DomainError.validation(errors);
    return this.db.run(caller.brandId, async (em) => {
      const now = new Date();
      const [row]: Array<{ created: boolean }> = await em.query(
        `INSERT INTO fact_keys (brand_id, fact_key, category, label, value_type, value_labels, created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $7)
         ON CONFLICT ON CONSTRAINT pk_fact_keys DO UPDATE SET
           category = EXCLUDED.category, label = EXCLUDED.label, value_type = EXCLUDED.value_type,
           value_labels = EXCLUDED.value_labels, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0) AS created`,
        [caller.brandId, key, input.category, JSON.stringify(input.label), input.type ?? null,
          JSON.stringify(values.map((v) => ({ value: v.value, label: v.label }))), now],
      );
      await this.audit.record(em, caller.brandId, caller, row.created ? 'fact-key.created' : 'fact-key.replaced', key);
      const saved = await em.getRepository(FactKeyEntity).findOneByOrFail({ brandId: caller.brandId, key });
      return { created: row.created, factKey: toFactKeyResponse(saved) };
    });
  }

  getFactKey(caller: BrandActor, key: string): Promise<FactKeyResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const row = await em.getRepository(FactKeyEntity).findOneBy({ brandId: caller.brandId, key });
      if (!row) throw new DomainError('not-found', 'No fact key with that name is in this brand\'s dictionary.');
      return toFactKeyResponse(row);
    });
  }

  /** Fact keys by name, a page at a time; `missing` keeps those lacking a label in that language. */
  listFactKeys(caller: BrandActor, query: ListFactKeysQuery): Promise<Page<FactKeyResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const scope = { list: 'fact-keys', brandId: caller.brandId } as const;
      const after = this.cursors.decode(scope, query.cursor, { key: 'key' });
      const where = { brandId: caller.brandId, ...(after ? { key: MoreThan(after.key) } : {}) };
      let rows = await em.getRepository(FactKeyEntity).find({ where, order: { key: 'ASC' }, take: query.missing ? undefined : limit + 1 });
      if (query.missing) {
        // Dictionaries are small: the filter runs here, with the same rule as the missing report.
        const questions = await em.getRepository(QuestionEntity).findBy({ brandId: caller.brandId });
        const lacking = new Set(
          missingTranslations({ ...emptyData(), factKeys: rows.map(toEntry), questions: questions.map(toQuestionEntry) }, [query.missing])
            .filter((m) => m.kind === 'fact-key' || m.kind === 'fact-value')
            .map((m) => m.key),
        );
        rows = rows.filter((r) => lacking.has(r.key)).slice(0, limit + 1);
      }
      const page = rows.slice(0, limit);
      return {
        data: page.map(toFactKeyResponse),
        nextCursor: rows.length > limit ? this.cursors.encode(scope, { key: page[page.length - 1].key }) : null,
      };
    });
  }

  /** Creates or replaces the words for a source or a topic. */
  putLabel(caller: BrandActor, kind: LabelKind, key: string, input: PutLabelDto): Promise<{ created: boolean; label: LabelResponse }> {
    return this.db.run(caller.brandId, async (em) => {
      const now = new Date();
      const [row]: Array<{ created: boolean }> = await em.query(
        `INSERT INTO dictionary_labels (brand_id, kind, label_key, label, created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $5)
         ON CONFLICT ON CONSTRAINT pk_dictionary_labels DO UPDATE SET label = EXCLUDED.label, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0) AS created`,
        [caller.brandId, kind, key, JSON.stringify(input.label), now],
      );
      await this.audit.record(em, caller.brandId, caller, `${kind}.${row.created ? 'created' : 'replaced'}`, key);
      const saved = await em.getRepository(DictionaryLabelEntity).findOneByOrFail({ brandId: caller.brandId, kind, key });
      return { created: row.created, label: toLabelResponse(saved) };
    });
  }

  listLabels(caller: BrandActor, kind: LabelKind, query: PageQuery): Promise<Page<LabelResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const scope = { list: kind === 'source' ? 'sources' : 'topics', brandId: caller.brandId } as const;
      const after = this.cursors.decode(scope, query.cursor, { key: 'key' });
      const rows = await em.getRepository(DictionaryLabelEntity).find({
        where: { brandId: caller.brandId, kind, ...(after ? { key: MoreThan(after.key) } : {}) },
        order: { key: 'ASC' },
        take: limit + 1,
      });
      const page = rows.slice(0, limit);
      return {
        data: page.map(toLabelResponse),
        nextCursor: rows.length > limit ? this.cursors.encode(scope, { key: page[page.length - 1].key }) : null,
      };
    });
  }

  /**
   * What customers reading in `locale` (or, without it, in any of the brand's languages) meet in
   * another language: fact keys and values, sources, topics, questions, catalogue texts, purpose
   * names and current notices.
   */
  missing(caller: BrandActor, locale?: string): Promise<MissingReportResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const brandId = caller.brandId;
      const [brand, factKeys, labels, questions, catalog, purposes, notices, used] = await inTurn(
        () => em.getRepository(BrandEntity).findOneByOrFail({ brandId }),
        () => em.getRepository(FactKeyEntity).find({ where: { brandId }, order: { key: 'ASC' } }),
        () => em.getRepository(DictionaryLabelEntity).find({ where: { brandId }, order: { key: 'ASC' } }),
        () => em.getRepository(QuestionEntity).find({ where: { brandId }, order: { position: 'ASC' } }),
        () => em.getRepository(CatalogItemEntity).find({ where: { brandId }, order: { sku: 'ASC' } }),
        () => em.getRepository(PurposeEntity).find({ where: { brandId }, order: { key: 'ASC' } }),
        () =>
          em.query(
            `SELECT DISTINCT ON (purpose_key) purpose_key, version, text FROM notices WHERE brand_id = $1 ORDER BY purpose_key, version DESC`,
            [brandId],
          ) as Promise<Array<{ purpose_key: string; version: number; text: Record<string, string> }>>,
        // Keys only: fact keys are not sealed (values and sources are).
        () => em.query(`SELECT DISTINCT fact_key FROM facts WHERE brand_id = $1`, [brandId]) as Promise<Array<{ fact_key: string }>>,
      );
      const locales = locale ? [locale] : [...new Set<string>([...SUPPORTED_LOCALES, brand.defaultLocale])];
      const data = missingTranslations(
        {
          factKeys: factKeys.map(toEntry),
          sources: labels.filter((l) => l.kind === 'source').map((l) => ({ key: l.key, label: l.label })),
          topics: labels.filter((l) => l.kind === 'topic').map((l) => ({ key: l.key, label: l.label })),
          questions: questions.map(toQuestionEntry),
          catalog: catalog.map((i) => ({ sku: i.sku, title: i.title, description: i.description })),
          purposes: purposes.map((p) => ({ key: p.key, name: p.name })),
          notices: notices.map((n) => ({ purpose: n.purpose_key, version: Number(n.version), text: n.text })),
          usedFactKeys: used.map((u) => u.fact_key),
        },
        locales,
      );
      return { locales, data };
    });
  }
}

/**
 * What makes a declaration inconsistent: choice types need values to choose from, a number key
 * takes no named values, a yes/no key names only `true` and `false`, and no value twice.
 */
export function factKeyProblems(type: string | null, values: string[]): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  if ((type === 'choice' || type === 'choices') && !values.length) errors.push({ path: 'values', message: `a ${type} key needs the values to choose from` });
  if (type === 'number' && values.length) errors.push({ path: 'values', message: 'a number key takes no named values' });
  if (type === 'boolean') {
    values.forEach((v, i) => {
      if (v !== 'true' && v !== 'false') errors.push({ path: `values.${i}.value`, message: 'a boolean key names only "true" and "false"' });
    });
  }
  if (new Set(values).size !== values.length) errors.push({ path: 'values', message: 'each value may appear once' });
  return errors;
}

function toEntry(row: FactKeyEntity): FactKeyEntry {
  return { key: row.key, category: row.category, label: row.label, type: row.type, values: row.values };
}

function toQuestionEntry(q: QuestionEntity) {
  return { key: q.key, factKey: q.factKey, text: q.text, options: q.options };
}

function emptyData() {
  return { factKeys: [], sources: [], topics: [], questions: [], catalog: [], purposes: [], notices: [], usedFactKeys: [] };
}

function toFactKeyResponse(row: FactKeyEntity): FactKeyResponse {
  return {
    key: row.key,
    category: row.category,
    label: row.label,
    type: row.type,
    values: row.values,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toLabelResponse(row: DictionaryLabelEntity): LabelResponse {
  return { key: row.key, label: row.label, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}
