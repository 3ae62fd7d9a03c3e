import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every word a customer reads in their language: a data dictionary per brand. `fact_keys` names
 * each fact key (and, optionally, its type and the values it may take) per locale;
 * `dictionary_labels` names sources (where facts come from) and preference topics. Facts keep the
 * kind of a typed value (`value_kind`: NULL is text) beside their sealed value, and catalogue
 * items take a title and description that are either one text or one per locale (jsonb: a string
 * or an object). An API key may carry the name customers read for it in their access log, per
 * language (`api_keys.label`).
 */
export class CreateDictionary1765010000000 implements MigrationInterface {
  name = 'CreateDictionary1765010000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fact_keys (
        brand_id uuid NOT NULL,
        fact_key text NOT NULL,
        category text NOT NULL,
        label jsonb NOT NULL,
        value_type text,
        value_labels jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_fact_keys PRIMARY KEY (brand_id, fact_key),
        CONSTRAINT fk_fact_keys_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id),
        CONSTRAINT ck_fact_keys_value_type CHECK (value_type IN ('text', 'number', 'boolean', 'choice', 'choices'))
      )
    `);
    await q.query(`
      CREATE TABLE dictionary_labels (
        brand_id uuid NOT NULL,
        kind text NOT NULL,
        label_key text NOT NULL,
        label jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_dictionary_labels PRIMARY KEY (brand_id, kind, label_key),
        CONSTRAINT fk_dictionary_labels_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id),
        CONSTRAINT ck_dictionary_labels_kind CHECK (kind IN ('source', 'topic'))
      )
    `);
    for (const table of ['fact_keys', 'dictionary_labels']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON fact_keys, dictionary_labels TO candor_app`);

    await q.query(`ALTER TABLE facts ADD COLUMN value_kind text`);
    await q.query(`ALTER TABLE facts ADD CONSTRAINT ck_facts_value_kind CHECK (value_kind IN ('number', 'boolean', 'list'))`);

    await q.query(`ALTER TABLE catalog_items ALTER COLUMN title TYPE jsonb USING to_jsonb(title)`);
    await q.query(`ALTER TABLE catalog_items ADD COLUMN description jsonb`);

    // The name a customer reads in "who read your data", per language (NULL: the key's name as it is).
    await q.query(`ALTER TABLE api_keys ADD COLUMN label jsonb`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS label`);
    await q.query(`ALTER TABLE catalog_items DROP COLUMN IF EXISTS description`);
    await q.query(`ALTER TABLE catalog_items ALTER COLUMN title TYPE text USING (CASE WHEN jsonb_typeof(title) = 'string' THEN title #>> '{}' ELSE coalesce(title->>'en', title::text) END)`);
    await q.query(`ALTER TABLE facts DROP CONSTRAINT IF EXISTS ck_facts_value_kind`);
    await q.query(`ALTER TABLE facts DROP COLUMN IF EXISTS value_kind`);
    await q.query(`DROP TABLE IF EXISTS dictionary_labels`);
    await q.query(`DROP TABLE IF EXISTS fact_keys`);
  }
}
