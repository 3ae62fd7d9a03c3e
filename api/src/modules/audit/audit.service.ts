import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Actor, actorRef } from '../../common/authz/actor';
import { AuditEntryEntity } from './audit-entry.entity';

/** Appends operator and configuration actions to the brand's audit log, inside the caller's transaction. */
@Injectable()
export class AuditService {
  async record(
    em: EntityManager,
    brandId: string,
    actor: Actor,
    action: string,
    target: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await em.getRepository(AuditEntryEntity).insert({
      brandId,
      id: randomUUID(),
      at: new Date(),
      actor: actorRef(actor),
      action,
      target,
      details: details as object,
    });
  }
}
