import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Actor, actorRef, BrandActor } from '../../common/authz/actor';
import { assertUnlimited } from '../../common/authz/personal-data';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { confirmationEvidenceField } from '../consents/confirmation-requests';
import { suppressionReasonField } from '../decisions/decision.entity';
import type { FactUse } from '../fact-use/fact-use';
import { factValueHash, openFactField, sealFact } from '../facts/fact-sealing';
import { LedgerWriter } from '../ledger/ledger-writer';
import { PREFERENCE_TOPICS_FIELD } from '../preferences/preferences.entity';
import type { ChannelPreferences, PurposeChoices, QuietHours } from '../preferences/preference-rules';
import { OutboxService } from '../webhooks/outbox.service';
import type { MergeResponse } from './dto/identifier.dto';
import { collapseFacts, consentDisagreements, ConsentStanding, defaultFactUseOf, MergeableFact, MergeablePreferences, mergedFactUse, mergePreferences } from './merge-rules';
import { NewIdentifier, SubjectIdentifiersService } from './subject-identifiers.service';
import { SubjectsService } from './subjects.service';

interface SubjectRow {
  subject_id: string;
  external_id: string;
  email_ct: Buffer | null;
  email_hash: string | null;
  phone_ct: Buffer | null;
  phone_hash: string | null;
  locale: string | null;
  timezone: string | null;
  erased_at: Date | null;
  merged_into: string | null;
}

/** A merge as the person sees it: when, which record, and where the records disagreed. */
export interface MergeRecord {
  mergeId: string;
  mergedSubjectId: string;
  mergedAt: string;
  /** Purposes on which the records disagreed; the more protective decision was kept. */
  disagreedPurposes: string[];
  /** Channels whose preferences differed; the stricter setting was kept. */
  disagreedChannels: string[];
  /**
   * Every setting on which the records disagreed, by name: `consent.<purpose>`, `channels.<channel>`,
   * `purposes.<purpose>` (channels chosen for a purpose), `quietHours`, `factUse.<purpose>`.
   */
  disagreedSettings: string[];
}

/** Where the records of a merge disagreed (kept in the merge's outcome). */
interface Disagreement {
  purposes: string[];
  channels: string[];
  settings: string[];
}

/** A merge that met another one (a deadlock or serialization failure) is tried again this often. */
const MERGE_ATTEMPTS = 4;
/** The advisory lock key class of a brand's merges (with the brand id's hash). */
const MERGE_LOCK = 'subject-merge';

function isTransientConflict(err: unknown): boolean {
  const code = (err as { code?: string; driverError?: { code?: string } })?.code ?? (err as { driverError?: { code?: string } })?.driverError?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Two records of one person become one (issue 17): the shop's, the call centre's and the loyalty
 * programme's. In one transaction, the merged record's identifiers, facts (with provenance),
 * preferences, access log, privacy requests, feedback and other history move to the survivor,
 * re-sealed under its data key; consent merges through the ledger's one writer (the more
 * protective decision per purpose, cited by hash); the merged record keeps its row and its ledger
 * events, and answers 410 naming the survivor. Erasing the survivor erases it too.
 */
@Injectable()
export class SubjectMergeService {
  constructor(
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly subjects: SubjectsService,
    private readonly identifiers: SubjectIdentifiersService,
    private readonly ledger: LedgerWriter,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Folds `fromId` into `survivorId`. 422 for a record into itself, 404 for a subject this brand
   * does not have, 409 `subject-erased` for an erased one, 410 `subject-merged` for one already
   * merged elsewhere; merging the same record into the same survivor again answers the first merge.
   */
  merge(caller: BrandActor, survivorId: string, fromId: string): Promise<MergeResponse> {
    // A merge moves every category of the person's data: it is for keys not limited to purposes.
    assertUnlimited(caller, 'A merge');
    if (survivorId === fromId) throw DomainError.validation([{ path: 'fromSubjectId', message: 'must name another subject than the one merged into' }]);
    return this.withRetry(() =>
      this.db.run(caller.brandId, async (em) => {
        // Merges of one brand queue here, before any other lock: a merge rewrites rows beyond its two
        // subjects (records merged into the merged one before now), so two merges locking only their
        // own pairs could deadlock. (An import's merge lines run inside its own transaction, after
        // its consent lines took the ledger's head: they do not take this lock, which would invert
        // that order against a merge here.)
        await em.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [MERGE_LOCK, caller.brandId]);
        return this.mergeInTx(em, caller.brandId, { actor: caller, ref: actorRef(caller) }, survivorId, fromId);
      }),
    );
  }

  /**
   * Merges of one brand queue on one lock (`merge`), so they cannot deadlock each other; should a
   * merge still meet another transaction in a deadlock or a serialization failure, it runs again
   * (it changed nothing), and after the last attempt answers 409 `conflict` — never a 500.
   */
  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (!isTransientConflict(err)) throw err;
        if (attempt >= MERGE_ATTEMPTS) throw new DomainError('conflict', 'Another change to these records ran at the same time. Try the merge again.');
      }
    }
  }

  /**
   * `merge` inside the caller's brand transaction (bulk imports' merge lines): `by.actor` is who the
   * audit log names, `by.ref` who the ledger and the merge record name (an import: its uploader).
   */
  async mergeInTx(em: EntityManager, brandId: string, by: { actor: Actor; ref: string }, survivorId: string, fromId: string): Promise<MergeResponse> {
    // Both rows first, in id order (as erasure locks them), before the ledger's head.
    const rows: SubjectRow[] = await em.query(
      `SELECT subject_id, external_id, email_ct, email_hash, phone_ct, phone_hash, locale, timezone, erased_at, merged_into
       FROM subjects WHERE brand_id = $1 AND subject_id = ANY($2::uuid[]) ORDER BY subject_id FOR UPDATE`,
      [brandId, [survivorId, fromId]],
    );
    const survivor = rows.find((r) => r.subject_id === survivorId);
    const from = rows.find((r) => r.subject_id === fromId);
    if (!survivor) throw DomainError.notFound('subject', survivorId);
    if (!from) throw new DomainError('not-found', 'No subject with that id exists.', { errors: [{ path: 'fromSubjectId', message: 'is not a subject of this brand' }] });
    if (survivor.erased_at || from.erased_at) throw new DomainError('subject-erased', 'An erased subject cannot be merged: nothing of it is left to join.');
    if (from.merged_into === survivorId) return this.previous(em, brandId, fromId);
    if (survivor.merged_into) throw DomainError.subjectMerged(survivor.merged_into);
    if (from.merged_into) throw DomainError.subjectMerged(from.merged_into);

    const [survivorKey, fromKey] = [await this.subjects.dataKey(em, brandId, survivorId), await this.subjects.dataKey(em, brandId, fromId)];
    if (!survivorKey || !fromKey) throw new DomainError('subject-erased', 'An erased subject cannot be merged: nothing of it is left to join.');
    const keys = { survivorKey, fromKey };
    const mergedAt = new Date();

    const identifiersAdded = await this.mergeIdentifiers(em, brandId, survivor, from, keys);
    const facts = await this.mergeFacts(em, brandId, survivorId, fromId, keys);
    const preferences = await this.mergePreferences(em, brandId, survivorId, fromId, keys);
    const factUse = await this.mergeFactUse(em, brandId, survivorId, fromId);
    await this.moveHistory(em, brandId, survivorId, fromId, keys);
    const consentDisagreed = await this.consentDisagreements(em, brandId, survivorId, fromId);
    const consents = await this.ledger.mergeRecords(em, brandId, by.ref, survivorId, fromId);
    const disagreement: Disagreement = {
      purposes: [...new Set([...consentDisagreed, ...preferences.purposes, ...factUse])].sort(),
      channels: preferences.channels,
      settings: [
        ...consentDisagreed.map((p) => `consent.${p}`),
        ...preferences.channels.map((c) => `channels.${c}`),
        ...preferences.purposes.map((p) => `purposes.${p}`),
        ...(preferences.quietHours ? ['quietHours'] : []),
        ...factUse.map((p) => `factUse.${p}`),
      ],
    };

    // The merged record keeps its row (its ledger events point at it) and nothing that identifies anyone.
    await em.query(
      `UPDATE subjects SET external_id = 'merged:' || subject_id, email_ct = NULL, email_hash = NULL, phone_ct = NULL, phone_hash = NULL,
              locale = NULL, timezone = NULL, merged_into = $3, merged_at = $4, updated_at = $4
       WHERE brand_id = $1 AND subject_id = $2`,
      [brandId, fromId, survivorId, mergedAt],
    );
    // What the survivor lacked, the merged record knew: the person's language and time zone.
    await em.query(
      `UPDATE subjects SET locale = coalesce(locale, $3), timezone = coalesce(timezone, $4), updated_at = $5 WHERE brand_id = $1 AND subject_id = $2`,
      [brandId, survivorId, from.locale, from.timezone, mergedAt],
    );
    // Records merged into the merged record before now belong to the survivor.
    await em.query(`UPDATE subjects SET merged_into = $3 WHERE brand_id = $1 AND merged_into = $2`, [brandId, fromId, survivorId]);
    await em.query(`UPDATE subject_merges SET subject_id = $3 WHERE brand_id = $1 AND subject_id = $2`, [brandId, fromId, survivorId]);

    const response: MergeResponse = {
      subjectId: survivorId,
      mergedSubjectId: fromId,
      mergedAt: mergedAt.toISOString(),
      identifiersAdded,
      facts,
      consents: consents.map((c) => ({ purpose: c.purpose, granted: c.granted, kept: c.kept, disagreed: c.disagreed || consentDisagreed.includes(c.purpose), eventId: c.eventId, cites: c.cites })),
    };
    await em.query(
      `INSERT INTO subject_merges (brand_id, merge_id, subject_id, merged_subject_id, merged_at, actor, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [brandId, randomUUID(), survivorId, fromId, mergedAt, by.ref, JSON.stringify({ ...response, disagreedChannels: disagreement.channels, disagreement })],
    );
    await this.outbox.emit(em, brandId, 'subject.merged', { subjectId: survivorId, mergedSubjectId: fromId, mergedAt: response.mergedAt }, survivorId);
    await this.audit.record(em, brandId, by.actor, 'subject.merged', survivorId, { mergedSubjectId: fromId, ...(by.ref !== actorRef(by.actor) ? { requestedBy: by.ref } : {}) });
    return response;
  }

  /** The merges into a subject, oldest first (Activity, the export). */
  async mergesInto(em: EntityManager, brandId: string, subjectId: string): Promise<MergeRecord[]> {
    const rows: Array<{ merge_id: string; merged_subject_id: string; merged_at: Date; outcome: MergeResponse & { disagreedChannels?: string[]; disagreement?: Disagreement } }> = await em.query(
      `SELECT merge_id, merged_subject_id, merged_at, outcome FROM subject_merges WHERE brand_id = $1 AND subject_id = $2 ORDER BY merged_at, merge_id`,
      [brandId, subjectId],
    );
    return rows.map((r) => ({
      mergeId: r.merge_id,
      mergedSubjectId: r.merged_subject_id,
      mergedAt: new Date(r.merged_at).toISOString(),
      // A merge recorded before `disagreement` was kept: what it recorded then.
      disagreedPurposes: r.outcome.disagreement?.purposes ?? r.outcome.consents.filter((c) => c.disagreed).map((c) => c.purpose),
      disagreedChannels: r.outcome.disagreement?.channels ?? r.outcome.disagreedChannels ?? [],
      disagreedSettings: r.outcome.disagreement?.settings ?? [
        ...r.outcome.consents.filter((c) => c.disagreed).map((c) => `consent.${c.purpose}`),
        ...(r.outcome.disagreedChannels ?? []).map((c) => `channels.${c}`),
      ],
    }));
  }

  /** A repeated merge answers what the first one did. */
  private async previous(em: EntityManager, brandId: string, fromId: string): Promise<MergeResponse> {
    const [row]: Array<{ outcome: MergeResponse & { disagreedChannels?: string[]; disagreement?: Disagreement } }> = await em.query(
      `SELECT outcome FROM subject_merges WHERE brand_id = $1 AND merged_subject_id = $2`,
      [brandId, fromId],
    );
    const { disagreedChannels: _channels, disagreement: _disagreement, ...response } = row.outcome;
    return response;
  }

  /**
   * The merged record's identifiers move (re-sealed), and its own email, phone and externalId become
   * identifiers of the survivor, unless the survivor holds them already. Returns how many it gained.
   */
  private async mergeIdentifiers(em: EntityManager, brandId: string, survivor: SubjectRow, from: SubjectRow, keys: { survivorKey: Buffer; fromKey: Buffer }): Promise<number> {
    const moved = await this.identifiers.moveAll(em, brandId, from.subject_id, survivor.subject_id, keys.fromKey, keys.survivorKey);
    const open = (ct: Buffer | null, field: string) => (ct ? this.subjects.openWith(brandId, from.subject_id, keys.fromKey, field, ct) : null);
    const own: NewIdentifier[] = [];
    const email = open(from.email_ct, 'email');
    const phone = open(from.phone_ct, 'phone');
    const mergedFrom = from.subject_id;
    if (email && from.email_hash !== survivor.email_hash) own.push({ type: 'email', system: null, value: email, origin: 'merge', mergedFrom });
    if (phone && from.phone_hash !== survivor.phone_hash) own.push({ type: 'phone', system: null, value: phone, origin: 'merge', mergedFrom });
    own.push({ type: 'external', system: null, value: from.external_id, origin: 'merge', mergedFrom });
    // One the survivor (or, rarely, a third record) holds as an identifier already is not added twice.
    const added = await this.identifiers.insert(em, brandId, survivor.subject_id, own, { skipTaken: true });
    return moved + added.length;
  }

  /**
   * Facts move to the survivor with their provenance, source and dates, re-sealed under its key
   * (each is sealed bound to its subject and row); the same key and value held by both collapse to
   * the earliest collected (`collapseFacts`), and feedback naming a dropped copy names the kept one.
   */
  private async mergeFacts(em: EntityManager, brandId: string, survivorId: string, fromId: string, keys: { survivorKey: Buffer; fromKey: Buffer }): Promise<{ moved: number; collapsed: number }> {
    const rows: Array<{
      fact_id: string;
      subject_id: string;
      fact_key: string;
      value_ct: Buffer | null;
      value_hash: string | null;
      source_ct: Buffer | null;
      value: string | null;
      collected_at: Date;
      disputed_at: Date | null;
    }> = await em.query(
      `SELECT fact_id, subject_id, fact_key, value_ct, value_hash, source_ct, value, collected_at, disputed_at
       FROM facts WHERE brand_id = $1 AND subject_id = ANY($2::uuid[]) FOR UPDATE`,
      [brandId, [survivorId, fromId]],
    );
    if (!rows.some((r) => r.subject_id === fromId)) return { moved: 0, collapsed: 0 };
    const comparable: MergeableFact[] = rows.map((r) => ({
      id: r.fact_id,
      subjectId: r.subject_id,
      key: r.fact_key,
      // A row the start-up backfill has not sealed yet is compared by the hash its value will get.
      valueHash: r.value_hash ?? factValueHash(this.crypto, brandId, r.fact_key, r.value ?? ''),
      collectedAt: new Date(r.collected_at),
      disputedAt: r.disputed_at ? new Date(r.disputed_at) : null,
    }));
    const { dropped, disputed } = collapseFacts(comparable, survivorId);
    if (dropped.size) {
      await em.query(
        `UPDATE recommendation_feedback f SET fact_id = x.kept FROM unnest($2::uuid[], $3::uuid[]) AS x(dropped, kept)
         WHERE f.brand_id = $1 AND f.fact_id = x.dropped`,
        [brandId, [...dropped.keys()], [...dropped.values()]],
      );
      await em.query(`DELETE FROM facts WHERE brand_id = $1 AND fact_id = ANY($2::uuid[])`, [brandId, [...dropped.keys()]]);
    }
    for (const [id, at] of disputed) await em.query(`UPDATE facts SET disputed_at = $3 WHERE brand_id = $1 AND fact_id = $2`, [brandId, id, at]);
    const moving = rows.filter((r) => r.subject_id === fromId && !dropped.has(r.fact_id));
    const sealed = moving.filter((r) => r.value_ct && r.source_ct);
    const resealed = sealed.map((r) => {
      const fact = { brandId, subjectId: fromId, id: r.fact_id };
      return sealFact(this.crypto, keys.survivorKey, {
        brandId,
        subjectId: survivorId,
        id: r.fact_id,
        key: r.fact_key,
        value: openFactField(this.crypto, keys.fromKey, fact, 'value', r.value_ct!),
        source: openFactField(this.crypto, keys.fromKey, fact, 'source', r.source_ct!),
      });
    });
    if (sealed.length) {
      await em.query(
        `UPDATE facts f SET subject_id = $2, value_ct = x.value_ct, source_ct = x.source_ct, updated_at = now()
         FROM unnest($3::uuid[], $4::bytea[], $5::bytea[]) AS x(id, value_ct, source_ct)
         WHERE f.brand_id = $1 AND f.fact_id = x.id`,
        [brandId, survivorId, sealed.map((r) => r.fact_id), resealed.map((s) => s.valueCt), resealed.map((s) => s.sourceCt)],
      );
    }
    // Rows still in plaintext (the backfill seals them under whichever subject holds them) just move.
    const plain = moving.filter((r) => !(r.value_ct && r.source_ct)).map((r) => r.fact_id);
    if (plain.length) await em.query(`UPDATE facts SET subject_id = $2, updated_at = now() WHERE brand_id = $1 AND fact_id = ANY($3::uuid[])`, [brandId, survivorId, plain]);
    return { moved: moving.length, collapsed: dropped.size };
  }

  /**
   * The stricter preferences of the two (`mergePreferences`), as the survivor's next version, with
   * the per-purpose channel choices (a purpose the person cannot refuse keeps a channel). Returns
   * where the records differed.
   */
  private async mergePreferences(
    em: EntityManager,
    brandId: string,
    survivorId: string,
    fromId: string,
    keys: { survivorKey: Buffer; fromKey: Buffer },
  ): Promise<{ channels: string[]; purposes: string[]; quietHours: boolean }> {
    const rows: Array<{ subject_id: string; channels: ChannelPreferences; purposes: PurposeChoices | null; quiet_hours: QuietHours | null; topics_ct: Buffer | null; topics: string[] | null; version: number }> = await em.query(
      `SELECT subject_id, channels, purposes, quiet_hours, topics_ct, topics, version FROM preferences WHERE brand_id = $1 AND subject_id = ANY($2::uuid[]) FOR UPDATE`,
      [brandId, [survivorId, fromId]],
    );
    const from = rows.find((r) => r.subject_id === fromId);
    if (!from) return { channels: [], purposes: [], quietHours: false };
    const survivor = rows.find((r) => r.subject_id === survivorId);
    const readable = (r: (typeof rows)[number] | undefined, key: Buffer): MergeablePreferences | null =>
      r
        ? {
            channels: r.channels ?? {},
            purposes: r.purposes ?? {},
            quietHours: r.quiet_hours,
            topics: r.topics_ct ? (JSON.parse(this.subjects.openWith(brandId, r.subject_id, key, PREFERENCE_TOPICS_FIELD, r.topics_ct)) as string[]) : (r.topics ?? []),
          }
        : null;
    const named = [...new Set([...Object.keys(survivor?.purposes ?? {}), ...Object.keys(from.purposes ?? {})])];
    const bases: Array<{ purpose_key: string; legal_basis: string }> = named.length
      ? await em.query(`SELECT purpose_key, legal_basis FROM purposes WHERE brand_id = $1 AND purpose_key = ANY($2::text[])`, [brandId, named])
      : [];
    const unrefusable = new Set(bases.filter((b) => b.legal_basis === 'contract' || b.legal_basis === 'legal_obligation').map((b) => b.purpose_key));
    const result = mergePreferences(readable(survivor, keys.survivorKey), readable(from, keys.fromKey), (p) => unrefusable.has(p));
    const merged = result.preferences!;
    const topicsCt = this.subjects.sealWith(brandId, survivorId, keys.survivorKey, PREFERENCE_TOPICS_FIELD, JSON.stringify(merged.topics));
    const version = (survivor?.version ?? 0) + 1;
    const purposes = merged.purposes && Object.keys(merged.purposes).length ? JSON.stringify(merged.purposes) : null;
    await em.query(
      `INSERT INTO preferences AS p (brand_id, subject_id, channels, purposes, quiet_hours, topics_ct, topics, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, now())
       ON CONFLICT (brand_id, subject_id) DO UPDATE SET channels = EXCLUDED.channels, purposes = EXCLUDED.purposes, quiet_hours = EXCLUDED.quiet_hours,
         topics_ct = EXCLUDED.topics_ct, topics = NULL, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
      [brandId, survivorId, JSON.stringify(merged.channels), purposes, merged.quietHours ? JSON.stringify(merged.quietHours) : null, topicsCt, version],
    );
    await em.query(`DELETE FROM preferences WHERE brand_id = $1 AND subject_id = $2`, [brandId, fromId]);
    await this.outbox.emit(em, brandId, 'preferences.changed', { subjectId: survivorId, version }, survivorId);
    return { channels: result.disagreed, purposes: result.disagreedPurposes, quietHours: result.disagreedQuietHours };
  }

  /**
   * What each purpose may use of the person's facts (`fact_use`): "use only what I told you" if
   * either record's use in force said so (`mergedFactUse`), recorded on the survivor; the merged
   * record's choices go. Returns the purposes whose uses in force differed.
   */
  private async mergeFactUse(em: EntityManager, brandId: string, survivorId: string, fromId: string): Promise<string[]> {
    const rows: Array<{ subject_id: string; purpose_key: string; use: FactUse }> = await em.query(
      `SELECT subject_id, purpose_key, use FROM fact_use WHERE brand_id = $1 AND subject_id = ANY($2::uuid[]) FOR UPDATE`,
      [brandId, [survivorId, fromId]],
    );
    if (!rows.length) return [];
    const keys = [...new Set(rows.map((r) => r.purpose_key))].sort();
    const bases: Array<{ purpose_key: string; legal_basis: string }> = await em.query(
      `SELECT purpose_key, legal_basis FROM purposes WHERE brand_id = $1 AND purpose_key = ANY($2::text[])`,
      [brandId, keys],
    );
    const basis = new Map(bases.map((b) => [b.purpose_key, b.legal_basis]));
    const chosen = (subjectId: string, purpose: string) => rows.find((r) => r.subject_id === subjectId && r.purpose_key === purpose)?.use ?? null;
    const disagreed: string[] = [];
    const now = new Date();
    for (const purpose of keys) {
      const survivorUse = chosen(survivorId, purpose);
      const merged = mergedFactUse(defaultFactUseOf(basis.get(purpose)), survivorUse, chosen(fromId, purpose));
      if (merged.disagreed) disagreed.push(purpose);
      if (merged.record === survivorUse) continue;
      if (merged.record === null) await em.query(`DELETE FROM fact_use WHERE brand_id = $1 AND subject_id = $2 AND purpose_key = $3`, [brandId, survivorId, purpose]);
      else {
        await em.query(
          `INSERT INTO fact_use (brand_id, subject_id, purpose_key, use, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (brand_id, subject_id, purpose_key) DO UPDATE SET use = EXCLUDED.use, updated_at = EXCLUDED.updated_at`,
          [brandId, survivorId, purpose, merged.record, now],
        );
      }
    }
    await em.query(`DELETE FROM fact_use WHERE brand_id = $1 AND subject_id = $2`, [brandId, fromId]);
    return disagreed;
  }

  /**
   * The purposes on which the two records' consent disagreed and the more protective stands
   * (`consentDisagreements`): read before the ledger merges them, with each purpose's legal basis
   * (an objection on one record against no decision on the other is a disagreement).
   */
  private async consentDisagreements(em: EntityManager, brandId: string, survivorId: string, fromId: string): Promise<string[]> {
    const rows: Array<{ subject_id: string; purpose_key: string; granted: boolean; legal_basis: string | null }> = await em.query(
      `SELECT s.subject_id, s.purpose_key, s.granted, p.legal_basis FROM consent_states s
       LEFT JOIN purposes p ON p.brand_id = s.brand_id AND p.purpose_key = s.purpose_key
       WHERE s.brand_id = $1 AND s.subject_id = ANY($2::uuid[])`,
      [brandId, [survivorId, fromId]],
    );
    const byPurpose = new Map<string, { legalBasis: string | null; survivor: ConsentStanding; merged: ConsentStanding }>();
    for (const r of rows) {
      const entry = byPurpose.get(r.purpose_key) ?? { legalBasis: r.legal_basis, survivor: null, merged: null };
      entry[r.subject_id === survivorId ? 'survivor' : 'merged'] = { granted: r.granted };
      byPurpose.set(r.purpose_key, entry);
    }
    return consentDisagreements(byPurpose);
  }

  /**
   * The rest of the person's history moves to the survivor: who read their data, messages sent,
   * privacy requests (whose notes stay sealed under the merged record's key, erased with the
   * survivor), recommendation feedback, answers, suppressions, browser-signal conflicts and open
   * double opt-in confirmations. The merged record's sign-in links and sessions end.
   */
  private async moveHistory(em: EntityManager, brandId: string, survivorId: string, fromId: string, keys: { survivorKey: Buffer; fromKey: Buffer }): Promise<void> {
    const params = [brandId, fromId, survivorId];
    // Access records and contacts are history (added and deleted, never rewritten): each moves as itself.
    await em.query(
      `WITH moved AS (DELETE FROM access_log WHERE brand_id = $1 AND subject_id = $2 RETURNING *)
       INSERT INTO access_log (brand_id, access_id, subject_id, at, actor, actor_name, kind, purpose_key, fields)
       SELECT brand_id, access_id, $3, at, actor, actor_name, kind, purpose_key, fields FROM moved`,
      params,
    );
    await em.query(
      `WITH moved AS (DELETE FROM contacts WHERE brand_id = $1 AND subject_id = $2 RETURNING *)
       INSERT INTO contacts (brand_id, contact_id, subject_id, purpose_key, channel, at, marketing)
       SELECT brand_id, contact_id, $3, purpose_key, channel, at, marketing FROM moved`,
      params,
    );
    await em.query(
      `UPDATE privacy_requests SET subject_id = $3, key_subject_id = coalesce(key_subject_id, subject_id) WHERE brand_id = $1 AND subject_id = $2`,
      params,
    );
    // Feedback and answers: the survivor's own stand where both gave one.
    for (const [table, key] of [['recommendation_feedback', 'sku, kind'], ['question_responses', 'question_key']] as const) {
      await em.query(
        `UPDATE ${table} t SET subject_id = $3 WHERE t.brand_id = $1 AND t.subject_id = $2
           AND NOT EXISTS (SELECT 1 FROM ${table} s WHERE s.brand_id = t.brand_id AND s.subject_id = $3 AND (${key.split(', ').map((k) => `s.${k} = t.${k}`).join(' AND ')}))`,
        params,
      );
      await em.query(`DELETE FROM ${table} WHERE brand_id = $1 AND subject_id = $2`, [brandId, fromId]);
    }
    await em.query(`UPDATE consent_conflicts SET subject_id = $3 WHERE brand_id = $1 AND subject_id = $2`, params);
    await this.reseal(em, brandId, 'suppressions', 'suppression_id', 'reason_ct', suppressionReasonField, survivorId, fromId, keys);
    await this.reseal(em, brandId, 'consent_confirmations', 'confirmation_id', 'evidence_ct', confirmationEvidenceField, survivorId, fromId, keys);
    await em.query(`DELETE FROM sessions WHERE brand_id = $1 AND subject_id = $2`, [brandId, fromId]);
    await em.query(`DELETE FROM sign_in_tokens WHERE brand_id = $1 AND subject_id = $2`, [brandId, fromId]);
  }

  /** Moves a table's rows of the merged record to the survivor, re-sealing one sealed column bound to the subject. */
  private async reseal(
    em: EntityManager,
    brandId: string,
    table: 'suppressions' | 'consent_confirmations',
    idColumn: string,
    sealedColumn: string,
    field: (id: string) => string,
    survivorId: string,
    fromId: string,
    keys: { survivorKey: Buffer; fromKey: Buffer },
  ): Promise<void> {
    const rows: Array<{ id: string; sealed: Buffer | null }> = await em.query(
      `SELECT ${idColumn} AS id, ${sealedColumn} AS sealed FROM ${table} WHERE brand_id = $1 AND subject_id = $2 FOR UPDATE`,
      [brandId, fromId],
    );
    if (!rows.length) return;
    const resealed = rows.map((r) =>
      r.sealed ? this.subjects.sealWith(brandId, survivorId, keys.survivorKey, field(r.id), this.subjects.openWith(brandId, fromId, keys.fromKey, field(r.id), r.sealed)) : null,
    );
    await em.query(
      `UPDATE ${table} t SET subject_id = $2, ${sealedColumn} = x.sealed FROM unnest($3::uuid[], $4::bytea[]) AS x(id, sealed)
       WHERE t.brand_id = $1 AND t.${idColumn} = x.id`,
      [brandId, survivorId, rows.map((r) => r.id), resealed],
    );
  }
}
