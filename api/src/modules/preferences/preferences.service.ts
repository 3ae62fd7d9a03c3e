import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { SubjectsService } from '../subjects/subjects.service';
import { OutboxService } from '../webhooks/outbox.service';
import { PREFERENCE_TOPICS_FIELD, PreferencesEntity } from './preferences.entity';
import { ifMatchSatisfied } from '../../common/http/etag';
import { ChannelPreferences, effectiveChannels, preferencesEtag } from './preference-rules';
import { PreferencesResponse, UpdatePreferencesDto } from './dto/preferences.dto';

/**
 * Channel preferences, quiet hours and topics, versioned: every write names the version it was
 * based on (If-Match), so two tabs can never silently overwrite each other.
 */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly db: TenantDb,
    private readonly outbox: OutboxService,
    private readonly subjects: SubjectsService,
  ) {}

  get(brandId: string, subjectId: string): Promise<PreferencesResponse> {
    return this.db.run(brandId, (em) => this.read(em, brandId, subjectId));
  }

  /** Reads inside the caller's transaction; a subject who never saved has version 0. */
  async read(em: EntityManager, brandId: string, subjectId: string): Promise<PreferencesResponse> {
    const row = await em.getRepository(PreferencesEntity).findOneBy({ brandId, subjectId });
    return toResponse(row, await this.topics(em, row));
  }

  /** The row's topics, opened (sealed since migration 1764940000000; older rows read as they are until sealed). */
  private async topics(em: EntityManager, row: PreferencesEntity | null): Promise<string[]> {
    if (!row) return [];
    if (!row.topicsCt) return row.plainTopics ?? [];
    const opened = await this.subjects.unseal(em, row.brandId, row.subjectId, PREFERENCE_TOPICS_FIELD, row.topicsCt);
    return opened === null ? [] : (JSON.parse(opened) as string[]);
  }

  /**
   * Replaces the preferences if `ifMatch` names the current version: 428 without it, 412 (with
   * the current values) when someone else saved in between.
   */
  update(brandId: string, subjectId: string, ifMatch: string | undefined, input: UpdatePreferencesDto): Promise<PreferencesResponse> {
    if (!ifMatch) {
      throw new DomainError('precondition-required', 'Send If-Match with the ETag from GET /v1/me/preferences, so no one else\'s change is overwritten.');
    }
    return this.db.run(brandId, (em) => this.updateInTx(em, brandId, subjectId, ifMatch, input));
  }

  /** `update` inside the caller's transaction. */
  async updateInTx(em: EntityManager, brandId: string, subjectId: string, ifMatch: string, input: UpdatePreferencesDto): Promise<PreferencesResponse> {
    {
      const repo = em.getRepository(PreferencesEntity);
      const current = await repo.findOne({ where: { brandId, subjectId }, lock: { mode: 'pessimistic_write' } });
      const currentVersion = current?.version ?? 0;
      // Strong comparison (RFC 9110): a weak tag such as W/"prefs-v3" does not match.
      if (!ifMatchSatisfied(ifMatch, preferencesEtag(currentVersion))) {
        throw new DomainError('precondition-failed', 'These preferences were changed elsewhere since you read them. Review the current values and save again.', {
          current: toResponse(current, await this.topics(em, current)),
        });
      }
      const next = repo.create({
        brandId,
        subjectId,
        channels: stripUndefined(input.channels) as ChannelPreferences,
        quietHours: input.quietHours ? { start: input.quietHours.start, end: input.quietHours.end } : null,
        topicsCt: await this.subjects.seal(em, brandId, subjectId, PREFERENCE_TOPICS_FIELD, JSON.stringify(input.topics ?? [])),
        plainTopics: null,
        version: currentVersion + 1,
        updatedAt: new Date(),
      });
      if (current) {
        await repo.update({ brandId, subjectId }, next);
      } else {
        // Two first saves race on the insert; the loser's version is stale like any other.
        await repo.insert(next).catch((error) => {
          throw isUniqueViolation(error, 'pk_preferences')
            ? new DomainError('precondition-failed', 'These preferences were saved elsewhere a moment ago. Reload them and save again.')
            : error;
        });
      }
      await this.outbox.emit(em, brandId, 'preferences.changed', { subjectId, version: next.version }, subjectId);
      return toResponse(next, input.topics ?? []);
    }
  }
}

function stripUndefined(channels: object): Record<string, { optedIn: boolean; frequency: string }> {
  return Object.fromEntries(
    Object.entries(channels)
      // A channel sent as null is a channel not named: it falls back to the default.
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, { optedIn: v.optedIn, frequency: v.frequency }]),
  );
}

/** The preferences as the API shows them, with the topics already opened. */
function toResponse(row: PreferencesEntity | null, topics: string[]): PreferencesResponse {
  return {
    channels: effectiveChannels(row?.channels),
    quietHours: row?.quietHours ?? null,
    topics,
    version: row?.version ?? 0,
    updatedAt: row ? row.updatedAt.toISOString() : null,
  };
}
