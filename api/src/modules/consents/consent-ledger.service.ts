import { assertPurposeAllowed } from '../../common/authz/personal-data';
import { Injectable } from '@nestjs/common';
import { inTurn } from '../../common/database/in-turn';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull } from 'typeorm';
import { Actor, actorRef, BrandActor, CustomerActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { CryptoService } from '../../common/crypto/crypto.service';
import { Idempotency, IdempotentRequest, LookupHasher } from '../../common/http/idempotency';
import { ChainVerifier, hashedContent, hashEvent } from '../ledger/hash-chain';
import { checkDecision, LedgerWriter, toEventResponse } from '../ledger/ledger-writer';
import { NoticeEntity } from '../purposes/purpose.entity';
import { purposesOf } from '../../common/authz/personal-data';
import { AccessLogService } from '../profiles/access-log.service';
import { SubjectsService } from '../subjects/subjects.service';
import { OutboxService } from '../webhooks/outbox.service';
import { CheckedGrant, ConfirmationRequests, PendingConfirmationMail } from './confirmation-requests';
import { ConsentConflictEntity } from './consent-conflict.entity';
import { ConsentEventEntity, ConsentStateEntity, LedgerHeadEntity } from './consent.entity';
import { isConsentValid } from './consent-validity';
import {
  CaptureConsentDto,
  ConsentEventResponse,
  ConsentReceiptResponse,
  ConsentStateResponse,
  LedgerVerificationResponse,
  SubjectConsentsResponse,
} from './dto/consent.dto';
import type { PendingConfirmationResponse } from './dto/confirmation.dto';
import { Cursors, Page, PageQuery, ordinal } from '../../common/http/pagination';

/** How far in the future a client's `capturedAt` may lie (clock skew), in milliseconds. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const VERIFY_BATCH = 2000;

export interface DecisionContext {
  idempotencyKey?: string;
  /** Request facts worth keeping as proof (user agent, IP); encrypted with the caller's evidence. */
  requestEvidence?: Record<string, string | undefined>;
  /** The double opt-in confirmation the person used, when this grant is their "Confirm". */
  confirmationId?: string;
}

/** What a brand-API consent capture answers: the ledger event, or (double opt-in grants) the pending confirmation. */
export type CaptureResult = ConsentEventResponse | PendingConfirmationResponse;

export function isPendingConfirmation(result: CaptureResult): result is PendingConfirmationResponse {
  return (result as PendingConfirmationResponse).status === 'pending-confirmation';
}

/** What the ledger checked before recording a decision. */
interface CheckedDecision extends CheckedGrant {
  /** The purpose takes double opt-in: brand-API grants wait for the person, and decisions settle open confirmations. */
  doubleOptIn: boolean;
}

/**
 * The consent ledger: an append-only, hash-chained record of every consent decision, one chain per
 * brand, with the current state kept as a projection in the same transaction.
 */
@Injectable()
export class ConsentLedgerService {
  constructor(
    private readonly cursors: Cursors,
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly outbox: OutboxService,
    private readonly accessLog: AccessLogService,
    private readonly crypto: CryptoService,
    private readonly writer: LedgerWriter,
    private readonly confirmations: ConfirmationRequests,
  ) {}

  private readonly lookupHash: LookupHasher = (brandId, kind, value) => this.crypto.lookupHash(brandId, kind, value);

  /**
   * Records a grant or withdrawal for one subject and purpose. A grant of a double opt-in purpose
   * made with a brand API key is not recorded yet: it opens a confirmation, and the email asking
   * the person goes out once the transaction has committed (a pending answer, 202).
   */
  async recordDecision(caller: BrandActor, subjectId: string, input: CaptureConsentDto, ctx: DecisionContext = {}): Promise<CaptureResult> {
    // A key limited to some purposes acts only for them: it records no consent for another (403 `purpose-not-allowed`).
    assertPurposeAllowed(caller, input.purpose);
    const { result, mail } = await this.db.run(caller.brandId, (em) => this.capture(em, caller, subjectId, input, ctx, caller.kind === 'apiKey'));
    await mail?.send();
    return result;
  }

  /**
   * A customer's own decision from the portal. Withdrawing is the same call as granting. Deciding
   * on a purpose settles any open conflict with a browser privacy signal for it.
   */
  recordCustomerDecision(customer: CustomerActor, purpose: string, granted: boolean, ctx: DecisionContext = {}): Promise<ConsentEventResponse> {
    return this.db.run(customer.brandId, async (em) => {
      const event = await this.append(em, customer, customer.subjectId, { purpose, granted, source: 'portal' }, ctx);
      await em.getRepository(ConsentConflictEntity).update(
        { brandId: customer.brandId, subjectId: customer.subjectId, purpose, resolvedAt: IsNull() },
        { resolvedAt: new Date(), resolution: granted ? 'regranted' : 'confirmed_withdrawal' },
      );
      return event;
    });
  }

  /**
   * Global Privacy Control: withdraws every sale-or-share purpose that is not already withdrawn
   * (source `gpc`). Where this overrides a grant the customer gave, a conflict is recorded for them
   * to confirm or re-grant; once they re-grant explicitly, the signal no longer overrides it.
   * Returns the purposes withdrawn.
   */
  applyGlobalPrivacyControl(customer: CustomerActor): Promise<string[]> {
    return this.db.run(customer.brandId, async (em) => {
      const rows: Array<{ purpose_key: string; granted: boolean | null; consent_event_id: string | null; regranted: boolean }> = await em.query(
        `SELECT p.purpose_key, s.granted, s.consent_event_id,
                EXISTS (SELECT 1 FROM consent_conflicts c
                        WHERE c.brand_id = p.brand_id AND c.subject_id = $2 AND c.purpose_key = p.purpose_key
                          AND c.resolution = 'regranted') AS regranted
         FROM purposes p
         LEFT JOIN consent_states s ON s.brand_id = p.brand_id AND s.subject_id = $2 AND s.purpose_key = p.purpose_key
         WHERE p.brand_id = $1 AND p.sale_or_share`,
        [customer.brandId, customer.subjectId],
      );
      const withdrawn: string[] = [];
      for (const row of rows) {
        if (row.granted === false || row.regranted) continue;
        const event = await this.append(em, customer, customer.subjectId, { purpose: row.purpose_key, granted: false, source: 'gpc' }, {
          requestEvidence: { signal: 'Sec-GPC: 1' },
        });
        if (row.granted && row.consent_event_id) {
          await em.getRepository(ConsentConflictEntity).insert({
            brandId: customer.brandId,
            id: randomUUID(),
            subjectId: customer.subjectId,
            purpose: row.purpose_key,
            signal: 'gpc',
            signalEventId: event.id,
            overriddenEventId: row.consent_event_id,
            detectedAt: new Date(),
            resolvedAt: null,
            resolution: null,
          });
        }
        withdrawn.push(row.purpose_key);
      }
      return withdrawn;
    });
  }

  /** Appends one event inside the caller's brand transaction. */
  async append(
    em: EntityManager,
    caller: BrandActor,
    subjectId: string,
    input: CaptureConsentDto,
    ctx: DecisionContext,
  ): Promise<ConsentEventResponse> {
    const { result } = await this.capture(em, caller, subjectId, input, ctx, false);
    // Only `recordDecision` defers grants to a confirmation, and only its idempotency keys can replay one.
    return result as ConsentEventResponse;
  }

  /**
   * Locks the brand's chain head for the rest of the transaction: every append takes it first, so
   * work that must see a settled consent state (one-click unsubscribe, a confirmation) takes it too.
   */
  lockChain(em: EntityManager, brandId: string): Promise<LedgerHeadEntity> {
    return this.writer.lockHead(em, brandId);
  }

  /**
   * Checks and appends one decision. With `confirmFirst`, a grant of a double opt-in purpose opens
   * a confirmation instead (returned with the email to send after the commit).
   */
  private async capture(
    em: EntityManager,
    caller: BrandActor,
    subjectId: string,
    input: CaptureConsentDto,
    ctx: DecisionContext,
    confirmFirst: boolean,
  ): Promise<{ result: CaptureResult; mail: PendingConfirmationMail | null }> {
    const brandId = caller.brandId;
    // Taking the chain head first serialises every append for this brand, so an idempotent
    // repeat running concurrently waits here and then sees the first request's result.
    const head = await this.writer.lockHead(em, brandId);

    const idempotent: IdempotentRequest | null = ctx.idempotencyKey
      ? { brandId, scope: 'consent.capture', key: ctx.idempotencyKey, request: { subjectId, ...input }, subjectId }
      : null;
    if (idempotent) {
      const previous = await Idempotency.replay<CaptureResult>(em, this.lookupHash, idempotent);
      if (previous) return { result: previous, mail: null };
    }

    const checked = await this.check(em, brandId, subjectId, input);
    if (confirmFirst && checked.doubleOptIn && input.granted) {
      const { response, mail } = await this.confirmations.request(em, caller, subjectId, input, checked, ctx.requestEvidence);
      if (idempotent) await Idempotency.remember(em, this.lookupHash, idempotent, 202, response);
      return { result: response, mail };
    }
    const { noticeVersion, capturedAt } = checked;
    const evidence = { ...(input.evidence ?? {}), ...(ctx.requestEvidence ?? {}) };
    const evidenceCt = Object.keys(evidence).length
      ? await this.subjects.seal(em, brandId, subjectId, 'consent-evidence', JSON.stringify(evidence))
      : null;

    const [event] = await this.writer.appendMany(em, brandId, actorRef(caller), [
      {
        subjectId,
        purpose: input.purpose,
        granted: input.granted,
        noticeVersion,
        source: input.source ?? 'api',
        capturedAt,
        expiresAt: input.expiresAt ?? null,
        evidenceCt,
      },
    ], head);
    if (checked.doubleOptIn) await this.confirmations.settle(em, brandId, event, ctx.confirmationId);

    const response = toEventResponse(event);
    if (idempotent) await Idempotency.remember(em, this.lookupHash, idempotent, 201, response);
    return { result: response, mail: null };
  }

  /** Subject, purpose, notice version and times of a decision, before anything is written. */
  private async check(em: EntityManager, brandId: string, subjectId: string, input: CaptureConsentDto): Promise<CheckedDecision> {
    await this.subjects.require(em, brandId, subjectId);
    const { noticeVersion, doubleOptIn } = await this.checkedNoticeVersion(em, brandId, input);
    const now = new Date();
    const capturedAt = input.capturedAt ?? now;
    if (capturedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
      throw DomainError.validation([{ path: 'capturedAt', message: 'must not be in the future' }]);
    }
    if (input.expiresAt && input.expiresAt.getTime() <= capturedAt.getTime()) {
      throw DomainError.validation([{ path: 'expiresAt', message: 'must be after capturedAt' }]);
    }
    return { noticeVersion, capturedAt, doubleOptIn };
  }

  /** Current state per purpose and the full history for one subject. */
  forSubject(caller: BrandActor, subjectId: string): Promise<SubjectConsentsResponse> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const [states, events] = await inTurn(
        () => em.getRepository(ConsentStateEntity).find({ where: { brandId: caller.brandId, subjectId }, order: { purpose: 'ASC' } }),
        () => em.getRepository(ConsentEventEntity).find({ where: { brandId: caller.brandId, subjectId }, order: { seq: 'ASC' } }),
      );
      // A key limited to purposes sees the consent state and history of its own purposes only.
      const limit = purposesOf(caller);
      const mine = <T extends { purpose: string }>(rows: T[]) => (limit === null ? rows : rows.filter((r) => limit.includes(r.purpose)));
      const [shownStates, shownEvents] = [mine(states), mine(events)];
      const purposes = [...new Set(shownStates.map((s) => s.purpose))];
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'consents', purpose: null, fields: purposes.map((p) => `consents.${p}`) });
      const now = new Date();
      return { data: shownStates.map((s) => toStateResponse(s, now)), history: shownEvents.map(toEventResponse) };
    });
  }

  /** The customer's own consent history, oldest first. */
  historyOf(customer: CustomerActor, query: PageQuery): Promise<Page<ConsentEventResponse>> {
    return this.db.run(customer.brandId, async (em) => {
      const events = await em.getRepository(ConsentEventEntity).find({
        where: { brandId: customer.brandId, subjectId: customer.subjectId },
        order: { seq: 'ASC' },
      });
      return this.cursors.pageOf({ list: 'my-consents', brandId: customer.brandId, parent: customer.subjectId }, events.map(toEventResponse), query, (e) => ordinal(e.seq));
    });
  }

  /**
   * A receipt for one of the customer's consent events: exactly the content its hash covers, so
   * anyone can recompute SHA-256 over its RFC 8785 canonical JSON and compare, plus the notice text.
   */
  receipt(customer: CustomerActor, eventId: string): Promise<ConsentReceiptResponse> {
    return this.db.run(customer.brandId, async (em) => {
      const event = await em.getRepository(ConsentEventEntity).findOneBy({ brandId: customer.brandId, id: eventId });
      if (!event || event.subjectId !== customer.subjectId) throw DomainError.notFound('consent event', eventId);
      const notice = event.noticeVersion
        ? await em.getRepository(NoticeEntity).findOneBy({ brandId: customer.brandId, purposeKey: event.purpose, version: event.noticeVersion })
        : null;
      return {
        content: hashedContent(event),
        hash: event.hash,
        algorithm: 'SHA-256 over the RFC 8785 (JCS) canonical JSON of content',
        verified: hashEvent(event) === event.hash,
        noticeText: notice?.text ?? null,
      };
    });
  }

  /** Recomputes the brand's whole chain in `seq` order and names the first event that fails. */
  verify(caller: Actor & { brandId: string }): Promise<LedgerVerificationResponse> {
    return this.db.run(caller.brandId, (em) => this.verifyInTx(em, caller.brandId));
  }

  /** The same check inside the caller's transaction (erasure certifies the chain it leaves behind). */
  async verifyInTx(em: EntityManager, brandId: string): Promise<LedgerVerificationResponse> {
    const verifier = new ChainVerifier();
    let after = 0;
    for (;;) {
      const batch = await em
        .getRepository(ConsentEventEntity)
        .createQueryBuilder('e')
        .where('e.brand_id = :brandId AND e.seq > :after', { brandId, after })
        .orderBy('e.seq', 'ASC')
        .limit(VERIFY_BATCH)
        .getMany();
      let good = true;
      for (const event of batch) if (!(good = verifier.push(event))) break;
      if (!good || batch.length < VERIFY_BATCH) break;
      after = batch[batch.length - 1].seq;
    }
    const head = await em.getRepository(LedgerHeadEntity).findOneBy({ brandId });
    return verifier.finish(head);
  }

  /**
   * The notice version a decision records, by the ledger's rules (`checkDecision`), or the problem
   * that refuses it; and whether the purpose takes double opt-in.
   */
  private async checkedNoticeVersion(em: EntityManager, brandId: string, input: CaptureConsentDto): Promise<{ noticeVersion: number | null; doubleOptIn: boolean }> {
    const [facts]: Array<{ purpose_exists: boolean; double_opt_in: boolean | null; notice_exists: boolean | null; latest_notice: number | null }> = await em.query(
      `SELECT EXISTS (SELECT 1 FROM purposes WHERE brand_id = $1 AND purpose_key = $2) AS purpose_exists,
              (SELECT double_opt_in FROM purposes WHERE brand_id = $1 AND purpose_key = $2) AS double_opt_in,
              CASE WHEN $3::int IS NOT NULL THEN EXISTS (SELECT 1 FROM notices WHERE brand_id = $1 AND purpose_key = $2 AND version = $3) END AS notice_exists,
              (SELECT max(version) FROM notices WHERE brand_id = $1 AND purpose_key = $2) AS latest_notice`,
      [brandId, input.purpose, input.noticeVersion ?? null],
    );
    const checked = checkDecision(input, { purposeExists: facts.purpose_exists, noticeExists: facts.notice_exists, latestNotice: facts.latest_notice });
    if (checked.ok) return { noticeVersion: checked.noticeVersion, doubleOptIn: facts.double_opt_in === true };
    const { refusal } = checked;
    switch (refusal.code) {
      case 'unknown-purpose':
        throw DomainError.unknownPurpose(input.purpose);
      case 'unknown-notice-version':
        throw new DomainError('unknown-notice-version', 'The purpose has no notice of the version named.', { errors: [{ path: refusal.path, message: refusal.message }] });
      case 'notice-required':
        // A grant is only proof when we can show the words the customer agreed to.
        throw new DomainError('notice-required', `Publish a notice for "${input.purpose}" (POST /v1/purposes/${input.purpose}/notices) before recording grants.`);
    }
  }
}


function toStateResponse(s: ConsentStateEntity, now: Date): ConsentStateResponse {
  return {
    purpose: s.purpose,
    granted: s.granted,
    noticeVersion: s.noticeVersion,
    source: s.source,
    updatedAt: s.updatedAt.toISOString(),
    expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
    valid: isConsentValid(s, now),
    eventId: s.eventId,
  };
}

/** Kept here too for the modules that map events next to the ledger's reads. */
export { toEventResponse };
