import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { inTurn } from '../../common/database/in-turn';
import { subject as asSubject } from '@casl/ability';
import { profileAbilityFor } from '../../common/authz/abilities';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { assertPurposeAllowed } from '../../common/authz/personal-data';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, MAX_PAGE_SIZE, Page, PageQuery } from '../../common/http/pagination';
import { ConsentStateEntity } from '../consents/consent.entity';
import { hasStanding } from '../consents/consent-validity';
import type { Dictionary } from '../dictionary/dictionary';
import { DictionaryService } from '../dictionary/dictionary.service';
import { FactsService, toLabelledFactResponse } from '../facts/facts.service';
import { usableFor } from '../fact-use/fact-use';
import { FactUseService } from '../fact-use/fact-use.service';
import { apiKeyLabels } from '../api-keys/key-labels';
import { PreferencesService } from '../preferences/preferences.service';
import { PurposeEntity } from '../purposes/purpose.entity';
import { SubjectsService } from '../subjects/subjects.service';
import { AccessRecordEntity } from './access-record.entity';
import { AccessLogService } from './access-log.service';
import { AccessRecordResponse, ProfileResponse } from './dto/profile.dto';

/** Purpose-scoped reads of a profile: a brand sees only what the stated purpose covers, while consent stands. */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly facts: FactsService,
    private readonly preferences: PreferencesService,
    private readonly accessLog: AccessLogService,
    private readonly cursors: Cursors,
    private readonly dictionary: DictionaryService,
    private readonly factUse: FactUseService,
  ) {}

  read(caller: BrandActor, subjectId: string, purposeKey: string): Promise<ProfileResponse> {
    assertPurposeAllowed(caller, purposeKey);
    return this.db.run(caller.brandId, async (em) => {
      const { purpose, facts, factUse } = await this.readForPurpose(em, caller.brandId, subjectId, purposeKey);
      const ability = profileAbilityFor(purpose);
      const preferences = ability.can('read', 'Profile', 'preferences') ? await this.preferences.read(em, caller.brandId, subjectId) : null;
      const fields = [...new Set(facts.map((f) => `facts.${f.key}`)), ...(preferences ? ['preferences'] : [])];
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'profile', purpose: purposeKey, fields });
      const dictionary = await this.dictionary.load(em, caller.brandId);
      return { subjectId, purpose: purposeKey, factUse, facts: facts.map((f) => toLabelledFactResponse(f, dictionary)), preferences };
    });
  }

  /**
   * The one purpose-scoped read of a subject's facts, inside the caller's transaction: the purpose
   * must exist and have standing consent (403 `consent-required`), and only current, undisputed
   * facts whose category the purpose covers come back (CASL rule from the purpose) that the
   * customer lets the purpose use: only declared ones when it uses "only what I told you", and never
   * an observation or guess under a key an `askBeforeUse` question asks about (fact-use.ts).
   * Profile reads and the recommender both go through here, so neither can see more than the other.
   */
  async readForPurpose(em: EntityManager, brandId: string, subjectId: string, purposeKey: string, now = new Date()) {
    const subject = await this.subjects.require(em, brandId, subjectId);
    const purpose = await em.getRepository(PurposeEntity).findOneBy({ brandId, key: purposeKey });
    if (!purpose) {
      throw DomainError.unknownPurpose(purposeKey);
    }
    const consent = await em.getRepository(ConsentStateEntity).findOneBy({ brandId, subjectId, purpose: purposeKey });
    if (!hasStanding(purpose, consent, now)) {
      throw new DomainError('consent-required', 'This customer has no standing consent for the purpose named.');
    }
    const ability = profileAbilityFor(purpose);
    const rules = await this.factUse.rulesFor(em, brandId, subjectId, purpose);
    const covered = (await this.facts.current(em, brandId, subjectId, now)).filter(
      (f) => f.disputedAt === null && ability.can('read', asSubject('Fact', { subjectId: f.subjectId, category: f.category })),
    );
    return { subject, purpose, consent, facts: usableFor(covered, rules), factUse: rules.response };
  }

  /** The customer's view of who read their data, newest first. */
  accessLogOf(customer: CustomerActor, query: PageQuery): Promise<Page<AccessRecordResponse>> {
    return this.db.run(customer.brandId, async (em) => {
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const scope = { list: 'access-log', brandId: customer.brandId, parent: customer.subjectId } as const;
      const after = this.cursors.decode(scope, query.cursor, { at: 'timestamp', id: 'uuid' });
      const qb = em
        .getRepository(AccessRecordEntity)
        .createQueryBuilder('a')
        .where('a.brand_id = :brandId AND a.subject_id = :subjectId', { brandId: customer.brandId, subjectId: customer.subjectId })
        .orderBy('a.at', 'DESC')
        .addOrderBy('a.access_id', 'DESC')
        .limit(limit + 1);
      if (after) qb.andWhere('(a.at, a.access_id) < (:at, :id)', { at: after.at, id: after.id });
      const rows = await qb.getMany();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const [dictionary, keyLabels] = await inTurn(
        () => this.dictionary.load(em, customer.brandId),
        () => apiKeyLabels(em, customer.brandId, page.map((r) => r.actor)),
      );
      return {
        data: page.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          reader: r.actorName ?? r.actor,
          readerLabel: dictionary.labels((l) => dictionary.readerLabel({ actor: r.actor, name: r.actorName, label: keyLabels.get(r.actor) }, l)),
          kind: r.kind,
          purpose: r.purpose,
          fields: r.fields,
          fieldLabels: fieldLabels(r.fields, dictionary),
        })),
        nextCursor: rows.length > limit ? this.cursors.encode(scope, { at: last.at.toISOString(), id: last.id }) : null,
      };
    });
  }

}

/** `facts.<key>` fields of an access record → the key in words per language. */
export function fieldLabels(fields: readonly string[], dictionary: Dictionary): Record<string, Record<string, string>> {
  return Object.fromEntries(
    fields.filter((f) => f.startsWith('facts.')).map((f) => [f, dictionary.labels((l) => dictionary.keyLabel(f.slice('facts.'.length), l))]),
  );
}

export { assertPurposeAllowed };
