import { Injectable } from '@nestjs/common';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { ifMatchNamesVersion } from '../../common/http/etag';
import { AccessLogService } from '../profiles/access-log.service';
import { SubjectsService } from '../subjects/subjects.service';
import { PreferencesResponse, UpdateSubjectPreferencesDto } from './dto/preferences.dto';
import { PreferencesService } from './preferences.service';

/** A subject's preferences read and changed by the brand (the call centre, the checkout). */
@Injectable()
export class SubjectPreferencesService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly preferences: PreferencesService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** The preferences, with the read in the person's access log (same transaction). */
  get(caller: BrandActor, subjectId: string): Promise<PreferencesResponse> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const prefs = await this.preferences.read(em, caller.brandId, subjectId);
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'preferences', purpose: null, fields: ['preferences'] });
      return prefs;
    });
  }

  /** Changes what the body names, as the brand heard it from the person: recorded with the caller and `source` (default `api`). */
  update(caller: BrandActor, subjectId: string, ifMatch: string | undefined, input: UpdateSubjectPreferencesDto): Promise<PreferencesResponse> {
    if (!ifMatchNamesVersion(ifMatch)) {
      throw new DomainError(
        'precondition-required',
        'Send If-Match with the ETag from GET /v1/subjects/{id}/preferences — that ETag itself, not *: it is how we know no one else\'s change, the person\'s own included, is overwritten.',
      );
    }
    const { source, ...change } = input;
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      return this.preferences.updateInTx(em, caller.brandId, subjectId, ifMatch, change, { actor: caller, source: source ?? 'api' });
    });
  }
}
