import { assertUnlimited } from '../../common/authz/personal-data';
import { Injectable } from '@nestjs/common';
import Ajv2020 from 'ajv/dist/2020';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { ConsentLedgerService } from '../consents/consent-ledger.service';
import type { FactValue } from '../dictionary/fact-values';
import { FactsService } from '../facts/facts.service';
import { NoticeEntity, PurposeEntity } from '../purposes/purpose.entity';
import { PreferencesService } from '../preferences/preferences.service';
import type { Channel } from '../purposes/purpose-catalogue';
import type { SubjectResponse } from '../subjects/dto/subject.dto';
import { SubjectsService } from '../subjects/subjects.service';
import { EXPORT_SCHEMA } from './export-schema';
import type { SubjectExport } from './export.service';

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const validateExport = ajv.compile(EXPORT_SCHEMA);

/**
 * Imports a subject export into this brand (portability, Art. 20): the subject, facts with their
 * provenance and dates, preferences and the consent history in order, in one transaction.
 */
@Injectable()
export class ImportService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly facts: FactsService,
    private readonly preferences: PreferencesService,
    private readonly ledger: ConsentLedgerService,
  ) {}

  importExport(caller: BrandActor, body: unknown): Promise<SubjectResponse> {
    assertUnlimited(caller, 'An import');
    if (!validateExport(body)) {
      throw DomainError.validation(
        (validateExport.errors ?? []).slice(0, 50).map((e) => ({ path: schemaPathOf(e.instancePath), message: e.message ?? 'is invalid' })),
        'The body is not a Candor subject export (see docs/export.schema.json).',
      );
    }
    const doc = body as unknown as SubjectExport & {
      preferences: {
        channels: Record<string, { optedIn: boolean; frequency: 'immediately' | 'daily' | 'weekly' | 'monthly' }>;
        quietHours: { start: string; end: string } | null;
        topics: string[];
        purposes?: Record<string, { channels: Channel[] }>;
      };
    };
    return this.db.run(caller.brandId, async (em) => {
      const brandId = caller.brandId;
      const purposes = new Set((await em.getRepository(PurposeEntity).findBy({ brandId })).map((p) => p.key));
      // Named by position, not by value: problems never echo what the caller sent.
      const missing = doc.consents.history.map((e, i) => (purposes.has(String(e.purpose)) ? -1 : i)).filter((i) => i >= 0);
      const missingChoices = Object.keys(doc.preferences.purposes ?? {}).filter((key) => !purposes.has(key));
      if (missing.length || missingChoices.length) {
        throw new DomainError('unknown-purpose', 'The document names purposes this brand has not defined; define or adopt them first.', {
          errors: [
            ...missing.map((i) => ({ path: `consents.history[${i}].purpose`, message: 'is not a purpose of this brand' })),
            ...missingChoices.map((key) => ({ path: `preferences.purposes.${key}`, message: 'is not a purpose of this brand' })),
          ],
        });
      }
      const s = doc.subject;
      const { created, subject } = await this.subjects.createInTx(em, brandId, {
        externalId: s.externalId,
        email: s.email ?? undefined,
        phone: s.phone ?? undefined,
        locale: s.locale ?? undefined,
        timezone: s.timezone ?? undefined,
      });
      if (!created) throw new DomainError('conflict', 'A subject with the document\'s external id already exists in this brand.');
      for (const f of doc.facts) {
        await this.facts.insert(em, brandId, subject.id, {
          key: String(f.key),
          value: f.value as FactValue,
          category: String(f.category),
          provenance: f.provenance as 'declared' | 'observed' | 'inferred',
          source: String(f.source),
          collectedAt: new Date(String(f.collectedAt)),
          expiresAt: f.expiresAt ? new Date(String(f.expiresAt)) : null,
        });
      }
      await this.preferences.updateInTx(
        em,
        brandId,
        subject.id,
        '*',
        {
          channels: doc.preferences.channels,
          quietHours: doc.preferences.quietHours,
          topics: doc.preferences.topics,
          ...(doc.preferences.purposes ? { purposes: doc.preferences.purposes } : {}),
        },
        { actor: caller, source: 'import' },
      );
      const notices = await em.getRepository(NoticeEntity).findBy({ brandId });
      for (const e of doc.consents.history) {
        const version = e.noticeVersion as number | null;
        const known = version !== null && notices.some((n) => n.purposeKey === e.purpose && n.version === version);
        await this.ledger.append(
          em,
          caller,
          subject.id,
          {
            purpose: String(e.purpose),
            granted: Boolean(e.granted),
            noticeVersion: known ? version! : undefined,
            source: String(e.source).replace(/[^a-z0-9_.:-]/g, '-').slice(0, 64) || 'import',
            capturedAt: new Date(String(e.capturedAt)),
            expiresAt: e.expiresAt ? new Date(String(e.expiresAt)) : undefined,
            evidence: { importedFrom: doc.brand, originalEventId: e.id, originalHash: e.hash },
          },
          {},
        );
      }
      return subject;
    });
  }
}

/** Every property name the export schema defines: a path segment that is not one of them is the caller's own key. */
const EXPORT_FIELDS = new Set<string>();
(function collect(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(collect);
  if (!node || typeof node !== 'object') return;
  const properties = (node as { properties?: Record<string, unknown> }).properties;
  if (properties) for (const name of Object.keys(properties)) EXPORT_FIELDS.add(name);
  Object.values(node).forEach(collect);
})(EXPORT_SCHEMA);

/**
 * An ajv instance path as a dotted field path naming only fields of the export schema and array
 * positions; a key of a free-form map (a channel, a locale) is the caller's and becomes `(key)`.
 */
function schemaPathOf(instancePath: string): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return segments.map((s) => (/^\d+$/.test(s) || EXPORT_FIELDS.has(s) ? s : '(key)')).join('.') || '(body)';
}
