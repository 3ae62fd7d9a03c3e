import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BrandActor } from '../../common/authz/actor';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, MAX_PAGE_SIZE, Page } from '../../common/http/pagination';
import { AccessLogService } from '../profiles/access-log.service';
import { assertPurposeAllowed } from '../profiles/profiles.service';
import { factValueHash } from '../facts/fact-sealing';
import { defaultFactUse } from '../fact-use/fact-use';
import { FactUseService } from '../fact-use/fact-use.service';
import { PurposeEntity } from '../purposes/purpose.entity';
import { AudienceCountResponse, AudienceDefinitionDto, AudienceMemberResponse, AudienceQueryDto } from './dto/audience.dto';

/** What of the purpose decides membership: its consent rule and the fact categories it covers. */
export type AudiencePurpose = Pick<PurposeEntity, 'key' | 'legalBasis' | 'dataCategories'>;

/**
 * The keyed hash of a fact value, as facts store it (`value_hash`): fact values are sealed, so a
 * filter `{ factKey, in: [values] }` is matched by the hashes of its values.
 */
export type FactValueHasher = (factKey: string, value: string) => string;

/** An SQL statement with its parameters ($1 is always the brand). */
export interface AudienceStatement {
  sql: string;
  params: unknown[];
}

/**
 * Settings for the count's own transaction (SET LOCAL: they end with it). Counting a large audience
 * reads every matching fact and consent entry, so it is joined by hash: with `work_mem` at its 4 MB
 * default those hash tables spill to disk, and parallel workers share the reading on a machine with
 * spare cores (tenant queries can run in parallel since migration 1764810000000). JIT compilation is
 * paid again by every worker and buys nothing on a plan made of index scans and hash probes.
 * Nested loops are off: the planner otherwise probed consent states once per fact match (250,000
 * index probes for the benchmark's audience, half the time); a count is a set operation, and a
 * selective one costs at most what the whole brand's audience does (1.1 s instead of 1.4 s there).
 * docs/benchmarks.md shows the plan this gives over a million subjects.
 */
export const COUNT_SETTINGS = `SELECT set_config('max_parallel_workers_per_gather', '2', true), set_config('work_mem', '64MB', true),
                               set_config('jit', 'off', true), set_config('enable_nestloop', 'off', true)`;

/**
 * Consented audiences: subjects with standing consent for a purpose (and not opted out of the
 * channel), matching fact filters — and a fact counts only when the purpose covers its category
 * and the subject lets the purpose use it: an observed or inferred fact only under "also what you
 * observed or inferred" (the purpose's default, or the subject's choice), and never under a key an
 * `askBeforeUse` question asks about (fact-use.ts says the same for one subject).
 * Keyset-paginated by subject id, so pages stay stable while others write; counted exactly, with
 * the very same predicates (`audienceWhere`), so a count and the pages of a query always agree.
 */
@Injectable()
export class AudiencesService {
  constructor(
    private readonly db: TenantDb,
    private readonly accessLog: AccessLogService,
    private readonly cursors: Cursors,
    private readonly crypto: CryptoService,
    private readonly factUse: FactUseService,
  ) {}

  /** The hasher of this brand's fact values. */
  private hasher(brandId: string): FactValueHasher {
    return (key, value) => factValueHash(this.crypto, brandId, key, value);
  }

  query(caller: BrandActor, input: AudienceQueryDto): Promise<Page<AudienceMemberResponse>> {
    assertPurposeAllowed(caller, input.purpose);
    return this.db.run(caller.brandId, async (em) => {
      const purpose = await purposeOf(em, caller, input.purpose);
      const limit = Math.min(input.limit ?? 100, MAX_PAGE_SIZE);
      const after = this.cursors.decode({ list: 'audience', brandId: caller.brandId }, input.cursor, { id: 'uuid' });
      const askBeforeUse = await this.factUse.askBeforeUseKeys(em, caller.brandId);
      const page = audiencePageStatement(caller.brandId, purpose, input, this.hasher(caller.brandId), after?.id ?? null, limit + 1, askBeforeUse);
      const rows: Array<{ subject_id: string; external_id: string }> = await em.query(page.sql, page.params);
      const members = rows.slice(0, limit);
      await this.accessLog.record(
        em,
        caller.brandId,
        caller,
        members.map((r) => r.subject_id),
        { kind: 'audience', purpose: input.purpose, fields: ['externalId', ...(input.where ?? []).map((w) => `facts.${w.factKey}`)] },
      );
      return {
        data: members.map((r) => ({ id: r.subject_id, externalId: r.external_id })),
        nextCursor: rows.length > limit ? this.cursors.encode({ list: 'audience', brandId: caller.brandId }, { id: members[members.length - 1].subject_id }) : null,
      };
    });
  }

  /**
   * The exact number of members, read in one statement of the caller's tenant transaction: it sees
   * every write committed before it (a withdrawal lowers it at once) and nothing else. It names no
   * member, so it adds nothing to anyone's access log.
   */
  count(caller: BrandActor, input: AudienceDefinitionDto): Promise<AudienceCountResponse> {
    assertPurposeAllowed(caller, input.purpose);
    return this.db.run(caller.brandId, async (em) => {
      const purpose = await purposeOf(em, caller, input.purpose);
      const askBeforeUse = await this.factUse.askBeforeUseKeys(em, caller.brandId);
      const statement = audienceCountStatement(caller.brandId, purpose, input, this.hasher(caller.brandId), askBeforeUse);
      await em.query(COUNT_SETTINGS);
      const [row]: Array<{ count: string; counted_at: Date }> = await em.query(statement.sql, statement.params);
      return { count: Number(row.count), countedAt: row.counted_at.toISOString() };
    });
  }
}

async function purposeOf(em: EntityManager, caller: BrandActor, key: string): Promise<PurposeEntity> {
  const purpose = await em.getRepository(PurposeEntity).findOneBy({ brandId: caller.brandId, key });
  if (!purpose) {
    throw DomainError.unknownPurpose(key);
  }
  return purpose;
}

/** One page of members after `afterId` (keyset on subject id), `take` rows at most. */
export function audiencePageStatement(
  brandId: string,
  purpose: AudiencePurpose,
  input: AudienceDefinitionDto,
  valueHash: FactValueHasher,
  afterId: string | null,
  take: number,
  askBeforeUse: ReadonlySet<string> = new Set(),
): AudienceStatement {
  const where = audienceWhere(brandId, purpose, input, valueHash, askBeforeUse);
  const params = [...where.params, afterId ?? '00000000-0000-0000-0000-000000000000', take];
  return {
    sql: `SELECT s.subject_id, s.external_id FROM subjects s
          WHERE ${where.sql} AND s.subject_id > $${params.length - 1}::uuid
          ORDER BY s.subject_id LIMIT $${params.length}`,
    params,
  };
}

/** The exact number of members (run it after COUNT_SETTINGS, in the same transaction). */
export function audienceCountStatement(
  brandId: string,
  purpose: AudiencePurpose,
  input: AudienceDefinitionDto,
  valueHash: FactValueHasher,
  askBeforeUse: ReadonlySet<string> = new Set(),
): AudienceStatement {
  const where = audienceWhere(brandId, purpose, input, valueHash, askBeforeUse);
  return { sql: `SELECT count(*) AS count, statement_timestamp() AS counted_at FROM subjects s WHERE ${where.sql}`, params: where.params };
}

/**
 * Who is a member, as SQL over `subjects s` — the one definition the page and the count share
 * (the benchmark explains the very statements built here). Every parameter must appear in the SQL
 * (PostgreSQL cannot type an unused one), so the purpose's categories are bound only with the first
 * fact filter. Fact values are compared by their keyed hashes (`valueHash`), never in plaintext.
 * A declared fact always counts; an observed or inferred one only where the subject's use for the
 * purpose (`fact_use`, else the purpose's default) is `all`, and never under an `askBeforeUse` key.
 */
function audienceWhere(
  brandId: string,
  purpose: AudiencePurpose,
  input: AudienceDefinitionDto,
  valueHash: FactValueHasher,
  askBeforeUse: ReadonlySet<string>,
): AudienceStatement {
  const params: unknown[] = [brandId, purpose.key];
  const conditions = [
    's.brand_id = $1',
    's.erased_at IS NULL',
    // A record merged into another is that person's survivor now: it is counted there.
    's.merged_into IS NULL',
    purpose.legalBasis === 'consent'
      ? `EXISTS (SELECT 1 FROM consent_states cs WHERE cs.brand_id = s.brand_id AND cs.subject_id = s.subject_id
                 AND cs.purpose_key = $2 AND cs.granted AND (cs.expires_at IS NULL OR cs.expires_at > now()))`
      : `NOT EXISTS (SELECT 1 FROM consent_states cs WHERE cs.brand_id = s.brand_id AND cs.subject_id = s.subject_id
                     AND cs.purpose_key = $2 AND NOT cs.granted)`,
  ];
  if (input.channel) {
    params.push(input.channel);
    conditions.push(
      `NOT EXISTS (SELECT 1 FROM preferences pr WHERE pr.brand_id = s.brand_id AND pr.subject_id = s.subject_id
                   AND (pr.channels -> $${params.length}::text ->> 'optedIn') = 'false')`,
    );
  }
  // Whether the subject lets the purpose use observed and inferred facts: by their own choice, or
  // (no choice) by the purpose's default. Both sides name the purpose by $2.
  const observedAllowed =
    defaultFactUse(purpose) === 'all'
      ? `NOT EXISTS (SELECT 1 FROM fact_use u WHERE u.brand_id = s.brand_id AND u.subject_id = s.subject_id
                     AND u.purpose_key = $2 AND u.use = 'declared-only')`
      : `EXISTS (SELECT 1 FROM fact_use u WHERE u.brand_id = s.brand_id AND u.subject_id = s.subject_id
                 AND u.purpose_key = $2 AND u.use = 'all')`;
  let categoriesParam = 0;
  for (const filter of input.where ?? []) {
    if (!categoriesParam) categoriesParam = params.push(purpose.dataCategories);
    params.push(filter.factKey, filter.in.map((value) => valueHash(filter.factKey, value)));
    const provenance = askBeforeUse.has(filter.factKey) ? `f.provenance = 'declared'` : `(f.provenance = 'declared' OR ${observedAllowed})`;
    conditions.push(
      `EXISTS (SELECT 1 FROM facts f WHERE f.brand_id = s.brand_id AND f.subject_id = s.subject_id
               AND f.fact_key = $${params.length - 1} AND f.value_hash = ANY($${params.length}::text[])
               AND f.category = ANY($${categoriesParam}::text[]) AND f.disputed_at IS NULL
               AND (f.expires_at IS NULL OR f.expires_at > now()) AND ${provenance})`,
    );
  }
  return { sql: conditions.join(' AND '), params };
}
