import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Tables whose statistics bulk work may refresh (names are interpolated: only these). */
export const ANALYZABLE = ['subjects', 'subject_keys', 'consent_states', 'facts', 'preferences'] as const;
export type AnalyzableTable = (typeof ANALYZABLE)[number];

/**
 * Keeps the planner's statistics up with bulk writes. Autovacuum analyzes a table once a tenth of
 * it has changed, but looks only once a minute; a bulk import can grow a new brand — or a new
 * deployment — from nothing to a million rows inside that minute. Until then the planner believes
 * the table holds a handful of rows, and the merge's joins (staged lines → subjects by external id
 * or id) come out as an index scan over the brand's rows repeated for every staged line: seen in a
 * 50,000-subject import, one statement ran for minutes instead of a second. So whoever wrote many
 * rows reports them here, and once a table has taken more than a tenth of its estimated size (and
 * at least 1,000 rows) since its last analysis, it is analyzed at once — outside the writer's
 * transaction, as the schema's owner, the way autovacuum would.
 */
@Injectable()
export class PlannerStatistics {
  private readonly logger = new Logger('PlannerStatistics');
  private readonly written = new Map<AnalyzableTable, number>();

  constructor(private readonly dataSource: DataSource) {}

  async wrote(rows: Partial<Record<AnalyzableTable, number>>): Promise<void> {
    const tables = ANALYZABLE.filter((table) => rows[table]);
    if (!tables.length) return;
    const estimates: Array<{ table: AnalyzableTable; estimate: number }> = await this.dataSource.query(
      `SELECT relname AS table, greatest(reltuples, 0)::float8 AS estimate FROM pg_class WHERE oid = ANY($1::regclass[])`,
      [tables],
    );
    for (const { table, estimate } of estimates) {
      const since = (this.written.get(table) ?? 0) + rows[table]!;
      if (since < Math.max(1000, estimate / 10)) {
        this.written.set(table, since);
        continue;
      }
      try {
        await this.dataSource.query(`ANALYZE ${table}`);
        this.written.set(table, 0);
      } catch (error) {
        // A role that may not analyze leaves it to autovacuum; the work itself is not affected.
        this.logger.warn({ err: error, table }, 'could not refresh planner statistics');
        this.written.set(table, since);
      }
    }
  }
}
