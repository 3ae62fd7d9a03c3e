import { Client } from 'pg';

/**
 * Searching storage for personal data that should be gone. A marker is a distinct random string a
 * test put into personal fields; a hit is any place it (or a common encoding of it) still stands.
 */

/** The strings to look for: the marker itself, its hex and its base64 at each of the three byte alignments. */
export function needlesFor(marker: string): string[] {
  const bytes = Buffer.from(marker, 'utf8');
  const base64 = [0, 1, 2].map((k) => {
    const encoded = Buffer.concat([Buffer.alloc(k, 0x20), bytes]).toString('base64');
    const start = Math.ceil(k / 3) * 3; // first whole 3-byte group made of marker bytes only
    const groups = Math.floor((k + bytes.length - start) / 3);
    return encoded.slice((start / 3) * 4, (start / 3) * 4 + groups * 4);
  });
  return [...new Set([marker, bytes.toString('hex'), ...base64].filter((n) => n.length >= 8))];
}

export interface CatalogHit {
  table: string;
  column: string;
  needle: string;
  rows: number;
}

/**
 * Every text, varchar, char, json, jsonb, bytea and array column of every ordinary table of every
 * schema but the system ones, discovered from the catalog (not a list kept by hand), searched for
 * every needle: as text (arrays and json as their text form), and bytea as raw bytes.
 */
export async function scanCatalog(databaseUrl: string, markers: readonly string[]): Promise<{ columns: number; hits: CatalogHit[] }> {
  const needles = [...new Set(markers.flatMap(needlesFor))];
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows: columns } = await sql.query<{ schema: string; table: string; column: string; type: string }>(`
      SELECT n.nspname AS schema, c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      WHERE c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND (t.typcategory IN ('S', 'A') OR t.typname IN ('json', 'jsonb', 'bytea', 'bpchar', 'varchar', 'text'))
      ORDER BY 1, 2, 3`);
    const hits: CatalogHit[] = [];
    for (const c of columns) {
      const ident = `${quoteIdent(c.schema)}.${quoteIdent(c.table)}`;
      const col = quoteIdent(c.column);
      // One statement per column: which needles occur in it, and in how many rows.
      const predicate = c.type === 'bytea' ? `position(convert_to(n, 'UTF8') in x.${col}) > 0` : `strpos(x.${col}::text, n) > 0`;
      const { rows } = await sql.query<{ needle: string; rows: number }>(
        `SELECT n AS needle, (SELECT count(*)::int FROM ${ident} x WHERE ${predicate}) AS rows FROM unnest($1::text[]) AS n`,
        [needles],
      );
      for (const r of rows) if (r.rows) hits.push({ table: `${c.schema}.${c.table}`, column: c.column, needle: r.needle, rows: r.rows });
    }
    return { columns: columns.length, hits };
  } finally {
    await sql.end();
  }
}

/** Which needles of `markers` occur in `haystack` (text or raw bytes). */
export function findNeedles(haystack: Buffer | string, markers: readonly string[]): string[] {
  const buf = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return [...new Set(markers.flatMap(needlesFor))].filter((n) => buf.includes(n));
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
