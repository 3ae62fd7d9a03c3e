import { AccessLogService } from '../profiles/access-log.service';
import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { purposesOf } from '../../common/authz/personal-data';
import { Clock } from '../../common/clock';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { factValue, type FactEntity } from '../facts/fact.entity';
import { FactsService, toFactResponse } from '../facts/facts.service';
import { FactResponse } from '../facts/dto/fact.dto';
import { ConsentStateEntity } from '../consents/consent.entity';
import { hasStanding } from '../consents/consent-validity';
import { PurposeEntity } from '../purposes/purpose.entity';
import { SubjectsService } from '../subjects/subjects.service';
import { AnswerQuestionDto, CreateQuestionDto, DueQuestionResponse, FollowUpTriggerDto, QuestionResponse, UpdateQuestionDto } from './dto/question.dto';
import { byDueSince, followUpDue, type FollowUpTrigger, type TriggerFact } from './follow-ups';
import { factUseOf, mayUseFact } from '../fact-use/fact-use';
import { FactUseService } from '../fact-use/fact-use.service';
import { QuestionEntity, QuestionResponseEntity } from './question.entity';
import { Cursors, Page, PageQuery, ordinal } from '../../common/http/pagination';

/** A question still open for a subject, and — for a follow-up that is due — since when and why. */
interface OpenQuestion {
  question: QuestionEntity;
  due: { dueSince: Date; because: FactEntity } | null;
}

/**
 * Progressive profiling: one question at a time, never one already answered or dismissed, and
 * never one whose fact the customer has already declared. A question whose fact is only observed
 * or inferred is still asked — ask, then clarify. A timed follow-up (`after`) waits until its fact
 * has been known for its number of days (follow-ups.ts); due ones are asked first.
 */
@Injectable()
export class QuestionsService {
  constructor(
    private readonly cursors: Cursors,
    private readonly db: TenantDb,
    private readonly facts: FactsService,
    private readonly factUse: FactUseService,
    private readonly subjects: SubjectsService,
    private readonly audit: AuditService,
    private readonly accessLog: AccessLogService,
    private readonly clock: Clock,
  ) {}

  async create(caller: BrandActor, input: CreateQuestionDto): Promise<QuestionResponse> {
    const values = input.options.map((o) => o.value);
    if (new Set(values).size !== values.length) {
      throw DomainError.validation([{ path: 'options', message: 'option values must be unique' }]);
    }
    try {
      return await this.db.run(caller.brandId, async (em) => {
        const [{ next }] = await em.query(`SELECT COALESCE(MAX(position), 0) + 1 AS next FROM questions WHERE brand_id = $1`, [caller.brandId]);
        const question = em.getRepository(QuestionEntity).create({
          brandId: caller.brandId,
          key: input.key,
          text: input.text,
          factKey: input.factKey,
          category: input.category,
          options: input.options.map((o) => ({ value: o.value, label: o.label })),
          multiple: input.multiple ?? false,
          askBeforeUse: input.askBeforeUse ?? false,
          ...afterColumns(input.after ?? null),
          position: Number(next),
          createdAt: new Date(),
        });
        await em.getRepository(QuestionEntity).insert(question);
        await this.audit.record(em, caller.brandId, caller, 'question.created', question.key, question.afterFactKey ? { after: afterOf(question) } : undefined);
        return toQuestionResponse(question);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'pk_questions')) throw new DomainError('conflict', 'A question with that key already exists.');
      throw error;
    }
  }

  /**
   * Changes a question's wording, whether it asks before guesses are used (`askBeforeUse`) or when
   * it is due (`after`: a trigger, or null for at once); what it asks about (its fact key, category
   * and options) stays as it was answered.
   */
  update(caller: BrandActor, key: string, input: UpdateQuestionDto): Promise<QuestionResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const question = await em.getRepository(QuestionEntity).findOneBy({ brandId: caller.brandId, key });
      if (!question) throw new DomainError('not-found', 'No question with that key exists.');
      const changed: Record<string, unknown> = {};
      if (input.text !== undefined) question.text = changed.text = input.text;
      if (input.askBeforeUse !== undefined) question.askBeforeUse = changed.askBeforeUse = input.askBeforeUse;
      if (input.after !== undefined) Object.assign(question, (changed.after = afterColumns(input.after)));
      const { afterFactKey, afterValue, afterDays } = question;
      await em.getRepository(QuestionEntity).update({ brandId: caller.brandId, key }, { text: question.text, askBeforeUse: question.askBeforeUse, afterFactKey, afterValue, afterDays });
      await this.audit.record(em, caller.brandId, caller, 'question.updated', key, {
        fields: Object.keys(changed).sort(),
        askBeforeUse: question.askBeforeUse,
        ...(input.after !== undefined ? { after: afterOf(question) } : {}),
      });
      return toQuestionResponse(question);
    });
  }

  /** The brand's questions in the order they are asked, one page at a time. */
  list(caller: BrandActor, query: PageQuery): Promise<Page<QuestionResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const rows = await em.getRepository(QuestionEntity).find({ where: { brandId: caller.brandId }, order: { position: 'ASC' } });
      return this.cursors.pageOf({ list: 'questions', brandId: caller.brandId }, rows.map(toQuestionResponse), query, (q) => `${ordinal(q.position)}|${q.key}`);
    });
  }

  /** The next question for a subject (brand side: to put in a welcome email), or null. */
  nextForSubject(caller: BrandActor, subjectId: string): Promise<QuestionResponse | null> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      // Which question comes next follows from what the subject answered: a read of their data, in their access log.
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'questions', purpose: null, fields: ['questions'] });
      return this.next(em, caller.brandId, subjectId, await this.readableBy(em, caller, subjectId));
    });
  }

  nextMine(customer: CustomerActor): Promise<QuestionResponse | null> {
    return this.db.run(customer.brandId, (em) => this.next(em, customer.brandId, customer.subjectId, null));
  }

  /**
   * The timed follow-ups due for a subject now, the one waiting longest first, each with the fact
   * that made it due — a read of the subject's facts, so it is in their access log. A key limited
   * to purposes sees only follow-ups whose fact a profile read for one of its purposes would show:
   * its category is one of a purpose the subject gives it standing for (consent in force, or no
   * objection), and the customer lets that purpose use it (fact use: an observed or inferred fact
   * only under "also what you observed or inferred").
   */
  dueForSubject(caller: BrandActor, subjectId: string, query: PageQuery): Promise<Page<DueQuestionResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const due = (await this.open(em, caller.brandId, subjectId, await this.readableBy(em, caller, subjectId))).filter(
        (o): o is OpenQuestion & { due: NonNullable<OpenQuestion['due']> } => o.due !== null,
      );
      const items = due.map(({ question, due: { dueSince, because } }) => ({
        key: question.key,
        text: question.text,
        dueSince: dueSince.toISOString(),
        because: { factKey: because.key, value: factValue(because), collectedAt: because.collectedAt.toISOString() },
        position: question.position,
      }));
      const page = this.cursors.pageOf({ list: 'due-questions', brandId: caller.brandId, parent: subjectId }, items, query, (q) => `${q.dueSince}|${ordinal(q.position)}|${q.key}`);
      const fields = ['questions', ...new Set(page.data.map((q) => `facts.${q.because.factKey}`))];
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'questions', purpose: null, fields });
      return { data: page.data.map(({ position: _position, ...q }) => q), nextCursor: page.nextCursor };
    });
  }

  /** Records an answer (as declared facts replacing any under the same key) or a dismissal. */
  answerMine(customer: CustomerActor, key: string, input: AnswerQuestionDto): Promise<{ question: string; status: string; facts: FactResponse[] }> {
    if ((input.values === undefined) === (input.dismissed === undefined)) {
      throw DomainError.validation([{ path: 'values', message: 'send either values or dismissed: true' }]);
    }
    return this.db.run(customer.brandId, async (em) => {
      const question = await em.getRepository(QuestionEntity).findOneBy({ brandId: customer.brandId, key });
      if (!question) throw new DomainError('not-found', 'No question with that key exists.');
      let facts: FactResponse[] = [];
      if (input.values) {
        const allowed = new Set(question.options.map((o) => o.value));
        const errors = input.values
          .map((value, i) => ({ value, i }))
          .filter(({ value }) => !allowed.has(value))
          .map(({ i }) => ({ path: `values.${i}`, message: `is not one of this question's options` }));
        if (!question.multiple && input.values.length > 1) errors.push({ path: 'values', message: 'this question takes one answer' });
        if (errors.length) throw DomainError.validation(errors);
        const saved = await this.facts.replaceWithDeclared(em, customer.brandId, customer.subjectId, {
          key: question.factKey,
          category: question.category,
          values: input.values,
          source: `question:${question.key}`,
        });
        facts = saved.map(toFactResponse);
      }
      const status = input.values ? 'answered' : 'dismissed';
      await em
        .getRepository(QuestionResponseEntity)
        .upsert({ brandId: customer.brandId, subjectId: customer.subjectId, questionKey: key, status, respondedAt: new Date() }, [
          'brandId',
          'subjectId',
          'questionKey',
        ]);
      return { question: key, status, facts };
    });
  }

  /** The next question: the due follow-up waiting longest, else the first ordinary question (brand order). */
  private async next(em: EntityManager, brandId: string, subjectId: string, readable: ((fact: TriggerFact) => boolean) | null): Promise<QuestionResponse | null> {
    const open = await this.open(em, brandId, subjectId, readable);
    const first = open.find((o) => o.due) ?? open.find((o) => !o.question.afterFactKey);
    return first ? toQuestionResponse(first.question) : null;
  }

  /**
   * The subject's open questions — not answered or dismissed, their fact not declared — with due
   * follow-ups first (the one waiting longest first), then ordinary questions in the brand's order.
   * A follow-up not due yet is left out.
   */
  private async open(em: EntityManager, brandId: string, subjectId: string, readable: ((fact: TriggerFact) => boolean) | null): Promise<OpenQuestion[]> {
    const now = this.clock.now();
    const questions = await em
      .getRepository(QuestionEntity)
      .createQueryBuilder('q')
      .where('q.brand_id = :brandId', { brandId })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM question_responses r
                     WHERE r.brand_id = q.brand_id AND r.subject_id = :subjectId AND r.question_key = q.question_key)`,
      )
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM facts f
                     WHERE f.brand_id = q.brand_id AND f.subject_id = :subjectId AND f.fact_key = q.fact_key
                       AND f.provenance = 'declared' AND f.disputed_at IS NULL
                       AND (f.expires_at IS NULL OR f.expires_at > :now))`,
      )
      .setParameters({ subjectId, now })
      .orderBy('q.position', 'ASC')
      .getMany();
    const followUps = questions.filter((q) => q.afterFactKey !== null);
    if (!followUps.length) return questions.map((question) => ({ question, due: null }));
    const triggerKeys = [...new Set(followUps.map((q) => q.afterFactKey!))];
    const [facts, askBeforeUse] = [
      (await this.facts.current(em, brandId, subjectId, now)).filter((f) => triggerKeys.includes(f.key)),
      await em.getRepository(QuestionEntity).find({ where: { brandId, askBeforeUse: true }, select: { factKey: true } }),
    ];
    const ctx = { now, askBeforeUse: new Set(askBeforeUse.map((q) => q.factKey)), readable };
    const due = followUps
      .map((question) => ({ question, due: followUpDue(afterOf(question)!, facts, ctx) }))
      .filter((o): o is { question: QuestionEntity; due: NonNullable<OpenQuestion['due']> } => o.due !== null)
      .sort((a, b) => byDueSince({ ...a.due, ...a.question }, { ...b.due, ...b.question }));
    return [...due, ...questions.filter((q) => q.afterFactKey === null).map((question) => ({ question, due: null }))];
  }

  /**
   * Which facts of this subject a key limited to purposes may see — as a profile read for one of
   * them would (profiles.service `readForPurpose`): a purpose the subject gives it standing for
   * (consent in force, or no objection on another legal basis) that covers the fact's category and
   * that the customer lets use it (fact-use.ts: declared facts always, observed or inferred ones only
   * under "also what you observed or inferred", never under an `askBeforeUse` key). Null: every fact
   * (keys not limited to purposes, staff).
   */
  private async readableBy(em: EntityManager, caller: BrandActor, subjectId: string): Promise<((fact: TriggerFact) => boolean) | null> {
    const purposes = purposesOf(caller);
    if (purposes === null) return null;
    if (!purposes.length) return () => false;
    const [rows, states, choices, askBeforeUse] = [
      await em.getRepository(PurposeEntity).find({ where: { brandId: caller.brandId, key: In([...purposes]) } }),
      await em.getRepository(ConsentStateEntity).find({ where: { brandId: caller.brandId, subjectId, purpose: In([...purposes]) } }),
      await this.factUse.choicesOf(em, caller.brandId, subjectId),
      await this.factUse.askBeforeUseKeys(em, caller.brandId),
    ];
    const now = this.clock.now();
    const readers = rows
      .filter((p) => hasStanding(p, states.find((s) => s.purpose === p.key), now))
      .map((p) => ({ categories: new Set(p.dataCategories), rules: { use: factUseOf(p, choices.get(p.key)?.use), askBeforeUse } }));
    return (fact) => readers.some((r) => r.categories.has(fact.category) && mayUseFact(fact, r.rules));
  }
}

/** A trigger as the question's columns (null: an ordinary question). */
function afterColumns(after: FollowUpTriggerDto | null): Pick<QuestionEntity, 'afterFactKey' | 'afterValue' | 'afterDays'> {
  return after ? { afterFactKey: after.factKey, afterValue: after.value ?? null, afterDays: after.days } : { afterFactKey: null, afterValue: null, afterDays: null };
}

/** A question's trigger, or null when it is an ordinary question. */
function afterOf(q: Pick<QuestionEntity, 'afterFactKey' | 'afterValue' | 'afterDays'>): FollowUpTrigger | null {
  return q.afterFactKey !== null && q.afterDays !== null ? { factKey: q.afterFactKey, value: q.afterValue, days: q.afterDays } : null;
}

export function toQuestionResponse(q: QuestionEntity): QuestionResponse {
  return {
    key: q.key,
    text: q.text,
    factKey: q.factKey,
    category: q.category,
    options: q.options,
    multiple: q.multiple,
    position: q.position,
    askBeforeUse: q.askBeforeUse,
    after: afterOf(q),
  };
}
