import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApi } from '../support/api';
import { bearer } from '../support/factories';
import { consentJourney } from '../support/journeys';

/** The zero-install default: the embedded database (PGlite) behind the same `pg` driver. */
describe('embedded database (npm start default)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'candor-embedded-'));
  const env = { CANDOR_ADMIN_KEY: `op_test_${randomBytes(16).toString('hex')}`, CANDOR_MASTER_KEY: randomBytes(32).toString('base64') };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('passes the consent journey and keeps its data across a restart', async () => {
    let api = await startApi({ embedded: true, dataDir, env });
    let brandKey: string;
    let subjectId: string;
    try {
      expect(api.databaseUrl).toBeNull();
      ({ brandKey, subjectId } = await consentJourney(api));
    } finally {
      await api.close();
    }

    api = await startApi({ embedded: true, dataDir, env });
    try {
      const subject = await api.http.get(`/v1/subjects/${subjectId}`).set(bearer(brandKey));
      expect(subject.status).toBe(200);
      expect(subject.body.email).toBe('ingrid.solberg@example.com');
      const consents = await api.http.get(`/v1/subjects/${subjectId}/consents`).set(bearer(brandKey));
      expect(consents.body.history).toHaveLength(2);
      expect((await api.http.get('/v1/ledger/verify').set(bearer(brandKey))).body).toEqual({ ok: true, events: 2 });
    } finally {
      await api.close();
    }
  });
});
