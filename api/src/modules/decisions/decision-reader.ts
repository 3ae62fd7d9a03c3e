import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { escapeLiteral } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { TenantDb } from '../../common/database/tenant-db.service';
import type { LegalBasis } from '../purposes/purpose.entity';
import type { ContactFacts } from './contact-policy';

export interface DecisionCheck {
  subjectId: string;
  purpose: string;
  channel: string;
}

export interface DecisionRow {
  ord: string;
  subject_exists: boolean;
  erased_at: Date | null;
  /** Set when the subject was merged into another record of the person (the survivor). */
  merged_into: string | null;
  timezone: string | null;
  purpose_exists: boolean;
  legal_basis: LegalBasis | null;
  purpose_channels: string[] | null;
  /** Whether the purpose is marketing (suppressions and frequency caps bind it). */
  marketing: boolean | null;
  /** The channels the person chose for this purpose (`preferences.purposes`), if they chose. */
  chosen_channels: string[] | null;
  consent_granted: boolean | null;
  consent_expires_at: Date | null;
  pref_channels: ContactFacts['channels'];
  quiet_hours: ContactFacts['quietHours'];
  last_contact_at: Date | null;
  /** Set only for a suppression stored before its reason was sealed (until the start-up backfill). */
  suppression_reason: string | null;
  suppression_reason_ct: Buffer | null;
  suppression_id: string | null;
  /** The subject's wrapped data key, read only when a suppression is active (to open its reason). */
  suppression_key: Buffer | null;
  suppression_until: Date | null;
  /** For one-click unsubscribe links (a link needs the brand's slug and the state's revocation generation). */
  brand_slug: string | null;
  unsubscribe_generation: number | null;
  /** A double opt-in purpose with a confirmation asked for and not yet answered or expired. */
  pending_confirmation: boolean;
}

/**
 * Everything a contact decision needs, in one indexed query: one row per check, in order. Consent
 * is read here, at decision time, never cached: a withdrawal committed by any process is seen by
 * the next decision. `requests` yields (subject_id, purpose_key, channel, ord).
 */
function decisionSql(requests: string): string {
  return `
  WITH req AS (${requests})
  SELECT r.ord,
         s.subject_id IS NOT NULL AS subject_exists, s.erased_at, s.merged_into, s.timezone,
         p.purpose_key IS NOT NULL AS purpose_exists, p.legal_basis, p.channels AS purpose_channels, p.marketing,
         pr.purposes -> r.purpose_key -> 'channels' AS chosen_channels,
         cs.granted AS consent_granted, cs.expires_at AS consent_expires_at,
         pr.channels AS pref_channels, pr.quiet_hours,
         (SELECT c.at FROM contacts c
           WHERE c.brand_id = $1 AND c.subject_id = r.subject_id AND c.channel = r.channel AND c.marketing
           ORDER BY c.at DESC LIMIT 1) AS last_contact_at,
         sup.reason AS suppression_reason, sup.reason_ct AS suppression_reason_ct, sup.suppression_id,
         sup.wrapped_key AS suppression_key, sup.until AS suppression_until,
         b.slug AS brand_slug, cs.unsubscribe_generation,
         CASE WHEN p.double_opt_in THEN EXISTS (
           SELECT 1 FROM consent_confirmations cc
           WHERE cc.brand_id = $1 AND cc.subject_id = r.subject_id AND cc.purpose_key = r.purpose_key
             AND cc.resolved_at IS NULL AND cc.expires_at > now()
         ) ELSE false END AS pending_confirmation
  FROM req r
  LEFT JOIN brands b ON b.brand_id = $1
  LEFT JOIN subjects s ON s.brand_id = $1 AND s.subject_id = r.subject_id
  LEFT JOIN purposes p ON p.brand_id = $1 AND p.purpose_key = r.purpose_key
  LEFT JOIN consent_states cs ON cs.brand_id = $1 AND cs.subject_id = r.subject_id AND cs.purpose_key = r.purpose_key
  LEFT JOIN preferences pr ON pr.brand_id = $1 AND pr.subject_id = r.subject_id
  LEFT JOIN LATERAL (
    SELECT x.suppression_id, x.reason, x.reason_ct, x.until, k.wrapped_key FROM suppressions x
    LEFT JOIN subject_keys k ON k.brand_id = x.brand_id AND k.subject_id = x.subject_id
    WHERE x.brand_id = $1 AND x.subject_id = r.subject_id AND x.until > now() AND x.ended_at IS NULL
    ORDER BY x.until DESC LIMIT 1
  ) sup ON true
  ORDER BY r.ord`;
}

/** A batch: ($1 brand, $2 subject ids, $3 purposes, $4 channels), planned for its actual arrays. */
export const DECISION_SQL = decisionSql(
  `SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS r(subject_id, purpose_key, channel, ord)`,
);

/**
 * One check with scalar parameters: its generic (prepared) plan is a handful of primary-key
 * lookups. (A prepared batch query would be planned for an unnest of unknown length, which the
 * planner takes for 100 rows and answers by scanning the whole brand.)
 */
export const SINGLE_DECISION_SQL = decisionSql(`SELECT $2::uuid AS subject_id, $3::text AS purpose_key, $4::text AS channel, 1::bigint AS ord`);

const STATEMENT = 'candor_decide';
const PREPARE = `PREPARE ${STATEMENT}(uuid, uuid, text, text) AS ${SINGLE_DECISION_SQL}`;
const UNDEFINED_STATEMENT = '26000';
const DUPLICATE_STATEMENT = '42P05';

/**
 * The one statement a single decision sends. The tenant scope (role `candor_app`, `app.brand_id`)
 * and the prepared decision query travel in one simple-protocol message, which PostgreSQL runs as
 * one implicit transaction: the transaction-local settings hold for the EXECUTE — row-level
 * security in force exactly as in `TenantDb.run` — and end with it. Values are quoted literals
 * (the extended protocol would cost a round trip per statement); the plan stays prepared.
 */
export function scopedDecisionStatement(brandId: string, check: DecisionCheck): string {
  const brand = escapeLiteral(brandId);
  return (
    `SELECT set_config('role', 'candor_app', true), set_config('app.brand_id', ${brand}, true);` +
    `EXECUTE ${STATEMENT}(${brand}, ${escapeLiteral(check.subjectId)}, ${escapeLiteral(check.purpose)}, ${escapeLiteral(check.channel)})`
  );
}

/**
 * Reads decision rows. A single check on PostgreSQL takes one round trip: a pooled connection
 * keeps the single-check query prepared (once per connection), and the scope and the EXECUTE go
 * together (see `scopedDecisionStatement`); four round trips through a TypeORM transaction cost
 * about five times as much at the database and in the event loop. Batches amortise the round
 * trips and want a plan for their real size, so they take the ordinary tenant-scope transaction.
 */
@Injectable()
export class DecisionReader {
  private readonly prepared = new WeakSet<PoolClient>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly db: TenantDb,
  ) {}

  read(brandId: string, checks: readonly DecisionCheck[]): Promise<DecisionRow[]> {
    if (checks.length !== 1) {
      return this.db.run(brandId, (em) =>
        em.query(DECISION_SQL, [brandId, checks.map((c) => c.subjectId), checks.map((c) => c.purpose), checks.map((c) => c.channel)]),
      );
    }
    return this.readPrepared(brandId, checks[0]);
  }

  private async readPrepared(brandId: string, check: DecisionCheck): Promise<DecisionRow[]> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await this.prepare(client);
      const statement = scopedDecisionStatement(brandId, check);
      let results: QueryResult[];
      try {
        results = (await client.query(statement)) as unknown as QueryResult[];
      } catch (error) {
        // Someone deallocated it (DISCARD ALL by a pooler, say): prepare again, once.
        if ((error as { code?: string }).code !== UNDEFINED_STATEMENT) throw error;
        this.prepared.delete(client);
        await this.prepare(client);
        results = (await client.query(statement)) as unknown as QueryResult[];
      }
      return results[1].rows as DecisionRow[];
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      // A connection that failed for another reason than a bad statement is not reused.
      client.release(broken && !(broken as { code?: string }).code ? broken : undefined);
    }
  }

  private async prepare(client: PoolClient): Promise<void> {
    if (this.prepared.has(client)) return;
    try {
      await client.query(PREPARE);
    } catch (error) {
      if ((error as { code?: string }).code !== DUPLICATE_STATEMENT) throw error;
    }
    this.prepared.add(client);
  }
}
