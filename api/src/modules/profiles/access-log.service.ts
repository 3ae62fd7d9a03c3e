import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Actor, actorRef } from '../../common/authz/actor';
import type { AccessRecordEntity } from './access-record.entity';

export interface AccessRead {
  kind: AccessRecordEntity['kind'];
  purpose: string | null;
  fields: string[];
}

/**
 * Every brand read of personal data leaves a record the customer can see, written in the same
 * transaction as the read: no read without its trace.
 */
@Injectable()
export class AccessLogService {
  async record(em: EntityManager, brandId: string, actor: Actor, subjectIds: string[], read: AccessRead): Promise<void> {
    if (!subjectIds.length) return;
    const name = actor.kind === 'apiKey' || actor.kind === 'system' ? actor.name : actor.kind === 'staff' ? `${actor.name} (staff)` : null;
    await em.query(
      `INSERT INTO access_log (brand_id, access_id, subject_id, at, actor, actor_name, kind, purpose_key, fields)
       SELECT $1, id, subject_id, $9::timestamptz, $4, $5, $6, $7, $8::text[]
       FROM unnest($2::uuid[], $3::uuid[]) AS t(id, subject_id)`,
      [brandId, subjectIds.map(() => randomUUID()), subjectIds, actorRef(actor), name, read.kind, read.purpose, read.fields, new Date()],
    );
  }
}
