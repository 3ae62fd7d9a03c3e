import { AccessLogService } from '../profiles/access-log.service';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { FactsService, toFactResponse } from '../facts/facts.service';
import { FactResponse } from '../facts/dto/fact.dto';
import { SubjectsService } from '../subjects/subjects.service';
import { AnswerQuestionDto, CreateQuestionDto, QuestionResponse, UpdateQuestionDto } from './dto/question.dto';
import { QuestionEntity, QuestionResponseEntity } from './question.entity';
import { Cursors, Page, PageQuery, ordinal } from '../../common/http/pagination';

/**
 * Progressive profiling: one question at a time, never one already answered or dismissed, and
 * never one whose fact the customer has already declared. A question whose fact is only observed
 * or inferred is still asked — ask, then clarify.
 */
@Injectable()
export class QuestionsService {
  constructor(
    private readonly cursors: Cursors,
    private readonly db: TenantDb,
    private readonly facts: FactsService,
    private readonly subjects: SubjectsService,
    private readonly audit: AuditService,
    private readonly accessLog: AccessLogService,
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
          position: Number(next),
          createdAt: new Date(),
        });
        await em.getRepository(QuestionEntity).insert(question);
        await this.audit.record(em, caller.brandId, caller, 'question.created', question.key);
        return toQuestionResponse(question);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'pk_questions')) throw new DomainError('conflict', 'A question with that key already exists.');
      throw error;
    }
  }

  /**
   * Changes a question's wording or whether it asks before guesses are used (`askBeforeUse`);
   * what it asks about (its fact key, category and options) stays as it was answered.
   */
  update(caller: BrandActor, key: string, input: UpdateQuestionDto): Promise<QuestionResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const question = await em.getRepository(QuestionEntity).findOneBy({ brandId: caller.brandId, key });
      if (!question) throw new DomainError('not-found', 'No question with that key exists.');
      const changed: Record<string, unknown> = {};
      if (input.text !== undefined) question.text = changed.text = input.text;
      if (input.askBeforeUse !== undefined) question.askBeforeUse = changed.askBeforeUse = input.askBeforeUse;
      await em.getRepository(QuestionEntity).update({ brandId: caller.brandId, key }, { text: question.text, askBeforeUse: question.askBeforeUse });
      await this.audit.record(em, caller.brandId, caller, 'question.updated', key, { fields: Object.keys(changed).sort(), askBeforeUse: question.askBeforeUse });
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
      return this.next(em, caller.brandId, subjectId);
    });
  }

  nextMine(customer: CustomerActor): Promise<QuestionResponse | null> {
    return this.db.run(customer.brandId, (em) => this.next(em, customer.brandId, customer.subjectId));
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

  private async next(em: EntityManager, brandId: string, subjectId: string): Promise<QuestionResponse | null> {
    const question = await em
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
                       AND (f.expires_at IS NULL OR f.expires_at > now()))`,
      )
      .setParameter('subjectId', subjectId)
      .orderBy('q.position', 'ASC')
      .limit(1)
      .getOne();
    return question ? toQuestionResponse(question) : null;
  }
}

export function toQuestionResponse(q: QuestionEntity): QuestionResponse {
  return { key: q.key, text: q.text, factKey: q.factKey, category: q.category, options: q.options, multiple: q.multiple, position: q.position, askBeforeUse: q.askBeforeUse };
}
