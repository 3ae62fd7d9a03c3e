import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Catalog items tagged with fact values, and customers' feedback on recommendations. */
export class CreateRecommendations1764600000000 implements MigrationInterface {
  name = 'CreateRecommendations1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog_items (
        brand_id uuid NOT NULL,
        sku text NOT NULL,
        title text NOT NULL,
        url text,
        tags jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_catalog_items PRIMARY KEY (brand_id, sku),
        CONSTRAINT fk_catalog_items_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);
    await q.query(`
      CREATE TABLE recommendation_feedback (
        brand_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        sku text NOT NULL,
        kind text NOT NULL,
        fact_id uuid,
        at timestamptz NOT NULL,
        CONSTRAINT pk_recommendation_feedback PRIMARY KEY (brand_id, subject_id, sku, kind),
        CONSTRAINT fk_recommendation_feedback_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE,
        CONSTRAINT ck_recommendation_feedback_kind CHECK (kind IN ('not_relevant', 'wrong_reason'))
      )
    `);
    for (const table of ['catalog_items', 'recommendation_feedback']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON catalog_items, recommendation_feedback TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS recommendation_feedback`);
    await q.query(`DROP TABLE IF EXISTS catalog_items`);
  }
}
