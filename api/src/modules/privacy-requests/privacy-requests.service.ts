import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import canonicalize from 'canonicalize';
import { abilityFor } from '../../common/authz/abilities';
import { Actor, actorRef, BrandActor, CustomerActor } from '../../common/authz/actor';
import { Clock } from '../../common/clock';
import { mapInTurn } from '../../common/database/in-turn';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, MAX_PAGE_SIZE, Page } from '../../common/http/pagination';
import { AuditService } from '../audit/audit.service';
import { ConsentLedgerService, MAX_CLOCK_SKEW_MS } from '../consents/consent-ledger.service';
import { AccessLogService } from '../profiles/access-log.service';
import { PurposeEntity } from '../purposes/purpose.entity';
import { SubjectsService } from '../subjects/subjects.service';
import { OutboxService } from '../webhooks/outbox.service';
import { deadlinesFor, extensionRefusal, isOverdue, Jurisdiction, MAX_EXTENSION_DAYS, receivedAtRefusal } from './deadlines';
import { CreatePrivacyRequestDto, PrivacyRequestQuery, PrivacyRequestResponse } from './dto/privacy-request.dto';
import { customerLabel, CustomerLabel } from './customer-label';
import { ErasureReceiptsService, PendingReceiptMail } from './erasure-receipts.service';
import { ERASED_TEXT, ErasureService, SubjectErasure } from './erasure.service';
import { ExportService } from './export.service';
import { PrivacyRequestEntity, PrivacyRequestEventEntity, RequestStatus, RequestType } from './privacy-request.entity';

const EXTENSION_REFUSALS = {
  closed: 'The request is already closed.',
  'already-extended': 'The deadline was already extended once.',
  'reason-required': 'An extension needs a reason, recorded before the first deadline.',
  'too-late': 'The deadline may only be extended before it passes.',
  'too-long': 'That is longer than the law allows for this jurisdiction.',
} as const;

/**
 * Privacy requests (access, erasure, rectification, restriction, objection) with legal deadlines
 * and an audited history. Requests filed by a brand's compliance key count as verified and are
 * carried out at once where Candor can do the work itself (access, erasure, objection).
 */
@Injectable()
export class PrivacyRequestsService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly subjects: SubjectsService,
    private readonly erasure: ErasureService,
    private readonly exports: ExportService,
    private readonly ledger: ConsentLedgerService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly cursors: Cursors,
    private readonly accessLog: AccessLogService,
    private readonly receipts: ErasureReceiptsService,
  ) {}

  async file(caller: BrandActor, input: CreatePrivacyRequestDto): Promise<PrivacyRequestResponse> {
    const mails: PendingReceiptMail[] = [];
    const response = await this.db.run(caller.brandId, async (em) => {
      const now = this.clock.now();
      const refusal = input.receivedAt ? receivedAtRefusal(input.receivedAt, now, MAX_CLOCK_SKEW_MS) : null;
      if (refusal) throw DomainError.validation([{ path: 'receivedAt', message: refusal }]);
      // Carried out at once for some types: the subject's row is locked first (see SubjectsService.require).
      await this.subjects.require(em, caller.brandId, input.subjectId, { lock: true });
      const channel = input.channel ?? (caller.kind === 'staff' ? 'staff' : 'api');
      // A receipt time in the small skew allowance ahead of our clock counts as now.
      const receivedAt = input.receivedAt && input.receivedAt.getTime() < now.getTime() ? input.receivedAt : undefined;
      const request = await this.open(em, caller, input.subjectId, input.type, input.jurisdiction ?? 'gdpr', channel, receivedAt);
      if (['access', 'erasure', 'objection'].includes(input.type)) await this.carryOut(em, caller, request, 'verified by the brand\'s compliance key', mails);
      return this.present(em, request, true);
    });
    await sendAll(mails);
    return response;
  }

  /** "Forget me" from the portal: verified by the customer's session and explicit confirmation. */
  async forgetMe(customer: CustomerActor, pageLocale?: string): Promise<PrivacyRequestResponse> {
    const mails: PendingReceiptMail[] = [];
    const response = await this.db.run(customer.brandId, async (em) => {
      await this.subjects.require(em, customer.brandId, customer.subjectId, { lock: true });
      const request = await this.open(em, customer, customer.subjectId, 'erasure', 'gdpr', 'portal');
      await this.carryOut(em, customer, request, 'verified by the customer\'s session and confirmation', mails, pageLocale);
      return this.present(em, request, false);
    });
    await sendAll(mails);
    return response;
  }

  /**
   * A request the customer files from the portal that the brand's staff carry out (restriction of
   * processing: what to restrict, and for how long, is for a person to decide and note). Verified by
   * the customer's session; the legal deadline runs from now; `details` is the person's own words.
   */
  askMine(customer: CustomerActor, type: 'restriction', details?: string): Promise<PrivacyRequestResponse> {
    return this.db.run(customer.brandId, async (em) => {
      await this.subjects.require(em, customer.brandId, customer.subjectId, { lock: true });
      const request = await this.open(em, customer, customer.subjectId, type, 'gdpr', 'portal', undefined, details?.trim() || undefined);
      return this.present(em, request, false);
    });
  }

  /** The customer's own requests, newest first (open and closed), as the portal shows them. */
  async mine(em: EntityManager, customer: CustomerActor): Promise<PrivacyRequestResponse[]> {
    const rows = await em.getRepository(PrivacyRequestEntity).find({ where: { brandId: customer.brandId, subjectId: customer.subjectId }, order: { receivedAt: 'DESC' } });
    return mapInTurn(rows, (r) => this.present(em, r, false));
  }

  list(caller: BrandActor, query: PrivacyRequestQuery): Promise<Page<PrivacyRequestResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const after = this.cursors.decode({ list: 'privacy-requests', brandId: caller.brandId }, query.cursor, { due: 'timestamp', id: 'uuid' });
      const qb = em
        .getRepository(PrivacyRequestEntity)
        .createQueryBuilder('r')
        .where('r.brand_id = :brandId', { brandId: caller.brandId })
        .orderBy('r.due_at', 'ASC')
        .addOrderBy('r.request_id', 'ASC')
        .limit(limit + 1);
      if (query.status) qb.andWhere('r.status = :status', { status: query.status });
      if (query.overdue) {
        const now = this.clock.now();
        qb.andWhere(`r.status IN ('received', 'in_progress')`).andWhere(
          '(r.due_at < :now OR (r.acknowledge_by IS NOT NULL AND r.acknowledged_at IS NULL AND r.acknowledge_by < :now))',
          { now },
        );
      }
      if (after) qb.andWhere('(r.due_at, r.request_id) > (:due, :id)', { due: after.due, id: after.id });
      const rows = await qb.getMany();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const data = await mapInTurn(page, (r) => this.present(em, r, false));
      await this.labelCustomers(em, caller, data);
      return {
        data,
        nextCursor: rows.length > limit ? this.cursors.encode({ list: 'privacy-requests', brandId: caller.brandId }, { due: last.dueAt.toISOString(), id: last.id }) : null,
      };
    });
  }

  get(caller: BrandActor, id: string): Promise<PrivacyRequestResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const response = await this.present(em, await this.require(em, caller.brandId, id), true);
      await this.labelCustomers(em, caller, [response]);
      return response;
    });
  }

  /**
   * For the staff console: names each request's customer by email (or external id), masked unless
   * the staff member's role may read customers, and writes each display to the customer's access
   * log (kind `console`), in the same transaction as the read. Brand keys get no label (they have
   * `GET /v1/subjects/{id}` for that, under its own scope).
   */
  private async labelCustomers(em: EntityManager, caller: BrandActor, responses: PrivacyRequestResponse[]): Promise<void> {
    if (caller.kind !== 'staff' || !responses.length) return;
    const mayRead = abilityFor(caller).can('read', 'Subject');
    const ids = [...new Set(responses.map((r) => r.subjectId))];
    const rows: Array<{ subject_id: string; erased: boolean }> = await em.query(
      `SELECT subject_id, erased_at IS NOT NULL AS erased FROM subjects WHERE brand_id = $1 AND subject_id = ANY($2::uuid[])`,
      [caller.brandId, ids],
    );
    const labels = new Map<string, CustomerLabel>();
    for (const row of rows) {
      const identity = row.erased ? null : await this.subjects.presentInTx(em, caller.brandId, row.subject_id);
      labels.set(row.subject_id, customerLabel(identity && { email: identity.email, externalId: identity.externalId }, mayRead));
    }
    for (const r of responses) {
      const label = labels.get(r.subjectId);
      if (label) r.customer = { label: label.label, field: label.field, masked: label.masked, erased: label.erased };
    }
    // One access record per customer shown (not per request), naming what was shown and whether masked.
    const shown = new Map<string, string[]>();
    for (const [subjectId, label] of labels) {
      if (!label.field) continue;
      const field = label.masked ? `${label.field}.masked` : label.field;
      shown.set(field, [...(shown.get(field) ?? []), subjectId]);
    }
    for (const [field, subjectIds] of shown) {
      await this.accessLog.record(em, caller.brandId, caller, subjectIds, { kind: 'console', purpose: null, fields: [field] });
    }
  }

  /** Carries out a pending request; rectification and restriction need a note saying what was done. */
  async execute(caller: BrandActor, id: string, note?: string): Promise<PrivacyRequestResponse> {
    const mails: PendingReceiptMail[] = [];
    const response = await this.db.run(caller.brandId, async (em) => {
      const request = await this.require(em, caller.brandId, id, true);
      if (!isOpen(request)) throw new DomainError('conflict', `This request is already ${request.status}.`);
      if (['rectification', 'restriction'].includes(request.type) && !note?.trim()) {
        throw DomainError.validation([{ path: 'note', message: 'say what was corrected or restricted' }]);
      }
      await this.carryOut(em, caller, request, note ? { personal: note } : null, mails);
      return this.present(em, request, true);
    });
    await sendAll(mails);
    return response;
  }

  extend(caller: BrandActor, id: string, reason: string, days?: number): Promise<PrivacyRequestResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const request = await this.require(em, caller.brandId, id, true);
      const now = this.clock.now();
      const extension = days ?? MAX_EXTENSION_DAYS[request.jurisdiction];
      const refusal = extensionRefusal({ ...request, open: isOpen(request) }, now, extension, reason);
      if (refusal) throw new DomainError('conflict', EXTENSION_REFUSALS[refusal], { refusal });
      request.dueAt = new Date(request.dueAt.getTime() + extension * 86_400_000);
      request.extendedAt = now;
      const sealed = await this.sealNote(em, request, 'extension-reason', reason);
      request.extensionReason = sealed ? null : ERASED_TEXT;
      request.extensionReasonCt = sealed;
      await em.getRepository(PrivacyRequestEntity).save(request);
      await this.record(em, caller, request, 'extended', { personal: `${extension} days: ${reason}` });
      return this.present(em, request, true);
    });
  }

  /**
   * The privacy requests of subjects a bulk erasure job erased, set-wise: one erasure request per
   * subject, filed when the job was, carrying the erasure's certificate and the job's id. They stay
   * `in_progress` until the job has verified the ledger once for all of them (`completeBulkErasures`).
   * The job's own audit entries stand for these requests in the audit log (one per job, not per subject).
   */
  async openBulkErasures(
    em: EntityManager,
    brandId: string,
    actor: string,
    jobId: string,
    receivedAt: Date,
    erasures: ReadonlyArray<{ requestId: string; subjectId: string; erasure: SubjectErasure }>,
  ): Promise<void> {
    if (!erasures.length) return;
    const { acknowledgeBy, dueAt } = deadlinesFor('gdpr', receivedAt);
    const ids = erasures.map((e) => e.requestId);
    await em.query(
      `INSERT INTO privacy_requests (brand_id, request_id, subject_id, type, jurisdiction, channel, status, received_at, acknowledge_by,
                                     acknowledged_at, due_at, certificate)
       SELECT $1, x.request_id, x.subject_id, 'erasure', 'gdpr', $2, 'in_progress', $3, $4, $3, $5, x.certificate
       FROM unnest($6::uuid[], $7::uuid[], $8::jsonb[]) AS x(request_id, subject_id, certificate)`,
      [
        brandId, actor.startsWith('staff:') ? 'staff' : 'api', receivedAt, acknowledgeBy, dueAt,
        ids, erasures.map((e) => e.subjectId), erasures.map((e) => JSON.stringify({ ...e.erasure, erasureJobId: jobId })),
      ],
    );
    await this.recordMany(em, brandId, actor, ids, receivedAt, 'received', 'received', `erasure job ${jobId}`);
  }

  /** Completes a bulk job's requests with the verdict of the one ledger verification made for them all. */
  async completeBulkErasures(em: EntityManager, brandId: string, actor: string, jobId: string, requestIds: readonly string[], ledgerVerified: boolean): Promise<void> {
    if (!requestIds.length) return;
    const now = this.clock.now();
    const completed: Array<{ request_id: string }> = await em.query(
      `UPDATE privacy_requests SET status = 'completed', completed_at = $3,
              certificate = certificate || jsonb_build_object('ledgerVerified', $4::boolean)
       WHERE brand_id = $1 AND request_id = ANY($2::uuid[]) AND status = 'in_progress'
       RETURNING request_id`,
      [brandId, requestIds, now, ledgerVerified],
    ).then(([rows]: [Array<{ request_id: string }>, number]) => rows);
    await this.recordMany(em, brandId, actor, completed.map((r) => r.request_id), now, 'completed', 'completed', `erasure job ${jobId}; ledger verified once for the whole job`);
  }

  private async recordMany(em: EntityManager, brandId: string, actor: string, requestIds: readonly string[], at: Date, action: string, status: RequestStatus, note: string): Promise<void> {
    if (!requestIds.length) return;
    await em.query(
      `INSERT INTO privacy_request_events (brand_id, event_id, request_id, at, actor, action, status, note)
       SELECT $1, gen_random_uuid(), x.request_id, $3, $4, $5, $6, $7 FROM unnest($2::uuid[]) AS x(request_id)`,
      [brandId, requestIds, at, actor, action, status, note],
    );
  }

  /**
   * Files a request. The deadlines run from `receivedAt`, when the brand received it (a letter's
   * arrival), which may be earlier than now, the filing; a request filed late can be overdue at once.
   */
  private async open(
    em: EntityManager,
    actor: BrandActor,
    subjectId: string,
    type: RequestType,
    jurisdiction: Jurisdiction,
    channel: PrivacyRequestEntity['channel'],
    given?: Date,
    personal?: string,
  ): Promise<PrivacyRequestEntity> {
    const filedAt = this.clock.now();
    const receivedAt = given ?? filedAt;
    const { acknowledgeBy, dueAt } = deadlinesFor(jurisdiction, receivedAt);
    const request = em.getRepository(PrivacyRequestEntity).create({
      brandId: actor.brandId,
      id: randomUUID(),
      subjectId,
      type,
      jurisdiction,
      channel,
      status: 'received',
      receivedAt,
      acknowledgeBy,
      // Filing through the API or the portal is itself the acknowledgement the customer receives.
      acknowledgedAt: filedAt,
      dueAt,
      extendedAt: null,
      extensionReason: null,
      extensionReasonCt: null,
      completedAt: null,
      certificate: null,
      keySubjectId: null,
    });
    await em.getRepository(PrivacyRequestEntity).insert(request);
    const late = receivedAt.getTime() < filedAt.getTime();
    // What the person wrote about their request is theirs: sealed under their data key.
    await this.record(em, actor, request, 'received', personal ? { personal } : late ? `received by ${channel} on ${receivedAt.toISOString()}, filed on ${filedAt.toISOString()}` : null);
    return request;
  }

  /**
   * Carries a request out in the caller's transaction; emails to send once it commits go into
   * `mails`, in `pageLocale` (the language the customer confirmed in) when there is one.
   */
  private async carryOut(em: EntityManager, actor: BrandActor, request: PrivacyRequestEntity, note: Note, mails: PendingReceiptMail[], pageLocale?: string): Promise<void> {
    const now = this.clock.now();
    let certificate: Record<string, unknown> = { completedAt: now.toISOString() };
    switch (request.type) {
      case 'erasure': {
        // Step 1, before the key is destroyed: issue the receipt and read the address it goes to (sealed with that key).
        const receipt = await this.receipts.prepare(em, request.brandId, request.id, request.subjectId, pageLocale);
        if (receipt) mails.push(receipt);
        // Step 2: the erasure itself, which destroys the key.
        certificate = { ...(await this.erasure.erase(em, request.brandId, request.subjectId, now)) };
        break;
      }
      case 'access': {
        const document = await this.exports.build(em, request.brandId, request.subjectId);
        certificate = { ...certificate, exportSha256: createHash('sha256').update(canonicalize(document)!).digest('hex'), exportUrl: `/v1/subjects/${request.subjectId}/export` };
        break;
      }
      case 'objection': {
        // An objection stops every processing that does not serve a contract or a legal duty.
        const purposes = await em.getRepository(PurposeEntity).findBy({ brandId: request.brandId, legalBasis: In(['consent', 'legitimate_interest']) });
        for (const p of purposes) {
          await this.ledger.append(em, actor, request.subjectId, { purpose: p.key, granted: false, source: 'objection' }, {});
        }
        certificate = { ...certificate, withdrawnPurposes: purposes.map((p) => p.key) };
        break;
      }
      default: {
        // The note says what was corrected or restricted: personal, so the certificate holds it sealed.
        const personal = note && typeof note === 'object' ? note.personal : note;
        const sealed = personal === null ? null : await this.sealNote(em, request, 'certificate-note', personal);
        certificate = sealed ? { ...certificate, noteCt: sealed.toString('base64') } : { ...certificate, note: personal === null ? null : ERASED_TEXT };
      }
    }
    request.status = 'completed';
    request.completedAt = now;
    request.certificate = certificate;
    await em.getRepository(PrivacyRequestEntity).save(request);
    await this.record(em, actor, request, 'completed', note);
  }

  /**
   * Appends to the request's history and tells webhooks, in the same transaction. A note a person
   * wrote (`{ personal }`) is sealed under the subject's data key; Candor's own notes are plain text.
   */
  private async record(em: EntityManager, actor: Actor, request: PrivacyRequestEntity, action: string, note: Note): Promise<void> {
    const id = randomUUID();
    let plain: string | null = typeof note === 'string' ? note : null;
    let noteCt: Buffer | null = null;
    if (note && typeof note === 'object') {
      noteCt = await this.sealNote(em, request, `event-note:${id}`, note.personal);
      if (!noteCt) plain = ERASED_TEXT;
    }
    await em.getRepository(PrivacyRequestEventEntity).insert({
      brandId: request.brandId,
      id,
      requestId: request.id,
      at: this.clock.now(),
      actor: actorRef(actor),
      action,
      status: request.status,
      note: plain,
      noteCt,
    });
    await this.audit.record(em, request.brandId, actor, `privacy_request.${action}`, request.id, { type: request.type, status: request.status });
    await this.outbox.emit(em, request.brandId, 'privacy_request.updated', { requestId: request.id, subjectId: request.subjectId, type: request.type, status: request.status, action }, request.subjectId);
  }

  /** Seals free text about the request's subject under its data key; null when the key is gone (erased). */
  private async sealNote(em: EntityManager, request: PrivacyRequestEntity, field: string, text: string): Promise<Buffer | null> {
    const keyOf = request.keySubjectId ?? request.subjectId;
    if (!(await this.subjects.dataKey(em, request.brandId, keyOf))) return null;
    return this.subjects.seal(em, request.brandId, keyOf, `privacy-request:${request.id}:${field}`, text);
  }

  /** Opens a sealed note; once the subject is erased its key is gone and the note reads as erased. */
  private async openNote(em: EntityManager, request: PrivacyRequestEntity, field: string, sealed: Buffer): Promise<string> {
    return (await this.subjects.unseal(em, request.brandId, request.keySubjectId ?? request.subjectId, `privacy-request:${request.id}:${field}`, sealed)) ?? ERASED_TEXT;
  }

  private async require(em: EntityManager, brandId: string, id: string, lock = false): Promise<PrivacyRequestEntity> {
    const request = await em.getRepository(PrivacyRequestEntity).findOne({ where: { brandId, id }, lock: lock ? { mode: 'pessimistic_write' } : undefined });
    if (!request) throw DomainError.notFound('privacy request', id);
    return request;
  }

  private async present(em: EntityManager, r: PrivacyRequestEntity, withHistory: boolean): Promise<PrivacyRequestResponse> {
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const response: PrivacyRequestResponse = {
      id: r.id,
      subjectId: r.subjectId,
      type: r.type,
      jurisdiction: r.jurisdiction,
      channel: r.channel,
      status: r.status,
      receivedAt: r.receivedAt.toISOString(),
      acknowledgeBy: iso(r.acknowledgeBy),
      dueAt: r.dueAt.toISOString(),
      extendedAt: iso(r.extendedAt),
      extensionReason: r.extensionReasonCt ? await this.openNote(em, r, 'extension-reason', r.extensionReasonCt) : r.extensionReason,
      completedAt: iso(r.completedAt),
      certificate: await this.presentCertificate(em, r),
      overdue: isOverdue({ ...r, open: isOpen(r) }, this.clock.now()),
    };
    if (withHistory) {
      const events = await em.getRepository(PrivacyRequestEventEntity).find({ where: { brandId: r.brandId, requestId: r.id }, order: { at: 'ASC' } });
      response.history = await mapInTurn(events, async (e) => ({
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        status: e.status,
        note: e.noteCt ? await this.openNote(em, r, `event-note:${e.id}`, e.noteCt) : e.note,
      }));
    }
    return response;
  }

  /** The certificate as stored, with a sealed note opened (shown as erased once the key is gone). */
  private async presentCertificate(em: EntityManager, r: PrivacyRequestEntity): Promise<object | null> {
    const certificate = r.certificate as Record<string, unknown> | null;
    if (!certificate || typeof certificate.noteCt !== 'string') return certificate;
    const { noteCt, ...rest } = certificate;
    return { ...rest, note: await this.openNote(em, r, 'certificate-note', Buffer.from(noteCt, 'base64')) };
  }
}

/** A history note: Candor's own words (plain), or what a person wrote about the subject (sealed). */
type Note = string | { personal: string } | null;

function isOpen(r: { status: RequestStatus }): boolean {
  return r.status === 'received' || r.status === 'in_progress';
}

/**
 * Sends emails composed inside a transaction, after it committed, without holding up the answer
 * (an SMTP server's pace is not the caller's); each logs its own failure.
 */
async function sendAll(mails: readonly PendingReceiptMail[]): Promise<void> {
  for (const mail of mails) void mail.send();
}
