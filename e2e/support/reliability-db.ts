import { Client } from 'pg';

/**
 * A fingerprint of every table of a database: row count and an md5 over all rows in a stable
 * order. Two equal fingerprints mean no row was added, removed or changed.
 */
export async function fingerprint(databaseUrl: string): Promise<Record<string, string>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows: tables } = await db.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { relname } of tables) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n, coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS sum FROM "${relname}" t`,
      );
      out[relname] = `${rows[0].n}:${rows[0].sum}`;
    }
    return out;
  } finally {
    await db.end();
  }
}

/** The tables whose fingerprints differ. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((t) => before[t] !== after[t]);
}
