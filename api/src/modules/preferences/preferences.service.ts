import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { Actor, actorRef } from '../../common/authz/actor';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import type { FieldError } from '../../common/errors/problem-types';
import { SubjectsService } from '../subjects/subjects.service';
import { OutboxService } from '../webhooks/outbox.service';
import { PurposeEntity } from '../purposes/purpose.entity';
import type { Channel } from '../purposes/purpose-catalogue';
import { PREFERENCE_TOPICS_FIELD, PreferenceChangeEntity, PreferencesEntity } from './preferences.entity';
import { ifMatchNamesVersion, ifMatchSatisfied } from '../../common/http/etag';
import { changedFields, ChannelPreferences, effectiveChannels, preferencesEtag, PreferenceState, PurposeChoices } from './preference-rules';
import { PreferencesResponse, UpdatePreferencesDto } from './dto/preferences.dto';

/** Who saves preferences and how they came: written into the subject's preference history. */
export interface PreferenceAuthor {
  actor: Actor;
  /** `portal` for the person, `api` by default for a brand, or the brand's own label (`call_centre`). */
  source: string;
}

/**
 * Channel preferences, per-purpose channel choices, quiet hours and topics, versioned: every write
 * names the version it was based on (If-Match), so two tabs — or the person and the call centre —
 * can never silently overwrite each other. A write changes what it names and leaves the rest as it
 * was, and each change is recorded with who made it and how (the person's Activity).
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
   * Changes the preferences if `ifMatch` names the current version: 428 without it (or with `*`),
   * 412 (with the current values) when someone else saved in between. A write that changes nothing
   * answers the current preferences, with no new version.
   */
  update(brandId: string, subjectId: string, ifMatch: string | undefined, input: UpdatePreferencesDto, by: PreferenceAuthor): Promise<PreferencesResponse> {
    if (!ifMatchNamesVersion(ifMatch)) {
      throw new DomainError(
        'precondition-required',
        'Send If-Match with the ETag from reading the preferences (GET …/preferences) — that ETag itself, not *: it is how we know no one else\'s change is overwritten.',
      );
    }
    return this.db.run(brandId, (em) => this.updateInTx(em, brandId, subjectId, ifMatch, input, by));
  }

  /** `update` inside the caller's transaction. */
  async updateInTx(em: EntityManager, brandId: string, subjectId: string, ifMatch: string, input: UpdatePreferencesDto, by: PreferenceAuthor): Promise<PreferencesResponse> {
    const repo = em.getRepository(PreferencesEntity);
    const current = await repo.findOne({ where: { brandId, subjectId }, lock: { mode: 'pessimistic_write' } });
    const currentVersion = current?.version ?? 0;
    const currentTopics = await this.topics(em, current);
    // Strong comparison (RFC 9110): a weak tag such as W/"prefs-v3" does not match.
    if (!ifMatchSatisfied(ifMatch, preferencesEtag(currentVersion))) {
      throw new DomainError('precondition-failed', 'These preferences were changed elsewhere since you read them. Review the current values and save again.', {
        current: toResponse(current, currentTopics),
      });
    }
    const purposes = await this.mergedChoices(em, brandId, current?.purposes ?? {}, input.purposes);
    const before: PreferenceState = { channels: current?.channels ?? {}, purposes: current?.purposes ?? {}, quietHours: current?.quietHours ?? null, topics: currentTopics };
    const after: PreferenceState = {
      // Only the channels named change: nobody is opted in (or out) by leaving a channel out.
      channels: { ...before.channels, ...named(input.channels) },
      purposes,
      quietHours: input.quietHours === undefined ? before.quietHours : input.quietHours ? { start: input.quietHours.start, end: input.quietHours.end } : null,
      topics: input.topics ?? before.topics,
    };
    const fields = changedFields(before, after);
    // Nothing changed (an empty write, or one that names what is already so): no new version, no change to record.
    if (!fields.length) return toResponse(current, currentTopics);
    const now = new Date();
    const next = repo.create({
      brandId,
      subjectId,
      channels: after.channels,
      purposes: Object.keys(after.purposes).length ? after.purposes : null,
      quietHours: after.quietHours,
      topicsCt: await this.subjects.seal(em, brandId, subjectId, PREFERENCE_TOPICS_FIELD, JSON.stringify(after.topics)),
      plainTopics: null,
      version: currentVersion + 1,
      updatedAt: now,
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
    await em.getRepository(PreferenceChangeEntity).insert({
      brandId,
      id: randomUUID(),
      subjectId,
      version: next.version,
      at: now,
      actor: actorRef(by.actor),
      actorName: actorName(by.actor),
      source: by.source,
      fields,
    });
    await this.outbox.emit(em, brandId, 'preferences.changed', { subjectId, version: next.version }, subjectId);
    return toResponse(next, after.topics);
  }

  /**
   * The per-purpose choices after a write: purposes named replace theirs (null removes it), the
   * rest keep theirs. Each purpose named must be the brand's, each channel one of the purpose's
   * own, and a purpose the person cannot refuse (contract, legal obligation) keeps at least one.
   */
  private async mergedChoices(em: EntityManager, brandId: string, current: PurposeChoices, input: UpdatePreferencesDto['purposes']): Promise<PurposeChoices> {
    const merged: PurposeChoices = { ...current };
    if (!input) return merged;
    const keys = Object.keys(input);
    const purposes = keys.length ? await em.getRepository(PurposeEntity).findBy({ brandId, key: In(keys) }) : [];
    const byKey = new Map(purposes.map((p) => [p.key, p]));
    const errors: FieldError[] = [];
    for (const [key, choice] of Object.entries(input)) {
      const purpose = byKey.get(key);
      const path = `purposes.${key}`;
      if (!purpose) {
        errors.push({ path, message: 'is not a purpose of this brand' });
        continue;
      }
      if (choice === null) {
        delete merged[key];
        continue;
      }
      const foreign = choice.channels.filter((c) => !purpose.channels.includes(c));
      if (foreign.length) {
        errors.push({
          path: `${path}.channels`,
          message: purpose.channels.length ? `must name only this purpose's channels (${purpose.channels.join(', ')})` : 'must be empty: this purpose contacts no one, so it has no channels to choose',
        });
      }
      else if (!choice.channels.length && (purpose.legalBasis === 'contract' || purpose.legalBasis === 'legal_obligation')) {
        errors.push({ path: `${path}.channels`, message: 'must name at least one channel: these messages serve a contract or a legal duty, so only how they reach the person can be chosen' });
      } else merged[key] = { channels: [...choice.channels] as Channel[] };
    }
    if (errors.length) throw DomainError.validation(errors, 'Some purposes or channels named cannot be chosen; see errors.');
    return merged;
  }
}

/** The channels a write names (a channel sent as null is a channel not named). */
function named(channels: object | undefined): ChannelPreferences {
  return Object.fromEntries(
    Object.entries(channels ?? {})
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, { optedIn: v.optedIn, frequency: v.frequency }]),
  ) as ChannelPreferences;
}

/** The name a change is shown with, as the access log does: a key's or system's name, a staff member's with "(staff)"; none for the person. */
function actorName(actor: Actor): string | null {
  if (actor.kind === 'apiKey' || actor.kind === 'system') return actor.name;
  if (actor.kind === 'staff') return `${actor.name} (staff)`;
  return null;
}

/** The preferences as the API shows them, with the topics already opened. */
function toResponse(row: PreferencesEntity | null, topics: string[]): PreferencesResponse {
  return {
    channels: effectiveChannels(row?.channels),
    quietHours: row?.quietHours ?? null,
    topics,
    purposes: row?.purposes ?? {},
    version: row?.version ?? 0,
    updatedAt: row ? row.updatedAt.toISOString() : null,
  };
}
