import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../api/src/common/clock';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { startApi, TestApi } from '../support/api';
import { dataDump } from '../support/database';
import { adoptPurpose, bearer, createBrand, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';
import { WebhookReceiver } from '../support/webhook-receiver';

let api: TestApi;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  // Deliveries are driven by the test (poll 0) with tiny retry delays, so retries are observable.
  api = await startApi({ env: { CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_WEBHOOK_RETRY_BASE_MS: '5' } });
});
afterAll(async () => {
  await api?.close();
  await receiver?.stop();
});

const me = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Runs delivery rounds until nothing is due (waiting out the short retry delays). */
async function drainWebhooks(rounds = 40): Promise<void> {
  const worker = api.app.get(DeliveryWorker);
  for (let i = 0; i < rounds; i++) {
    await worker.deliverDue();
    await new Promise((r) => setTimeout(r, 40));
  }
}

async function subscribe(brand: TestBrand, url: string, events: string[], name = 'Newsletter service'): Promise<{ id: string; secret: string }> {
  const res = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url, events, name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  return res.body;
}

describe('erasure that really erases', () => {
  it('leaves nothing of the subject in a database dump, keeps the ledger verifiable and tells downstream systems', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    for (const p of ['email_marketing', 'personalization']) await adoptPurpose(api, brand, p);
    const hook = await subscribe(brand, receiver.url('/erasure'), ['subject.erased', 'consent.changed']);
    const identity = { externalId: 'ch-erase-7f3a91', email: 'karin.erasable.7f3a91@example.com', phone: '+4799887766' };
    const subject = await createSubject(api, brand, { ...identity, locale: 'nb', timezone: 'Europe/Oslo' });
    await grant(api, brand, subject.id, 'email_marketing');
    await api.http.post(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key)).send({ purpose: 'personalization', granted: true, evidence: { form: 'welcome-v3', ip: '203.0.113.9' } });
    await recordFact(api, brand, subject.id, { key: 'motivation', value: 'unplug-quietly-7f3a91', category: 'motivations' });
    await recordFact(api, brand, subject.id, { key: 'sport', value: 'fjellvandring-7f3a91', category: 'interests' });
    const token = await signInCustomer(api, brand, subject.id);
    await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', '"prefs-v0"').send({ channels: { email: { optedIn: true, frequency: 'weekly' } }, topics: ['sleep'] });
    await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(brand.key));

    const request = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'erasure' });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    expect(request.body).toMatchObject({ type: 'erasure', status: 'completed', jurisdiction: 'gdpr', overdue: false });
    expect(request.body.certificate).toMatchObject({ ledgerVerified: true, dataKeyDestroyed: true, tombstone: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(request.body.history.map((h: { action: string }) => h.action)).toEqual(['received', 'completed']);

    const dump = await dataDump(api.databaseUrl!);
    expect(dump).toContain(subject.id); // the dump is real and covers the subject's (anonymous) rows
    for (const needle of [identity.externalId, identity.email, identity.phone, '99887766', 'unplug-quietly-7f3a91', 'fjellvandring-7f3a91', '203.0.113.9', 'welcome-v3']) {
      expect(dump.includes(needle), `${needle} survived erasure`).toBe(false);
    }
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true, events: 2 });

    expect((await api.http.get(`/v1/subjects/${subject.id}`).set(bearer(brand.key))).status).toBe(410);
    expect((await api.http.get(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key))).status).toBe(404);
    expect((await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(brand.key))).status).toBe(404);
    expect((await api.http.get('/v1/me').set(me(token))).status).toBe(401);

    const again = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: 'someone-new', email: identity.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('subject-erased');
    expect((await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: identity.externalId })).body.code).toBe('subject-erased');

    await drainWebhooks(5);
    const erased = receiver.accepted.filter((h) => h.path === '/erasure' && h.payload.type === 'subject.erased');
    expect(erased).toHaveLength(1);
    expect(WebhookReceiver.verify(erased[0], hook.secret)).toMatchObject({ type: 'subject.erased', data: { subjectId: subject.id } });
  });

  it('lets a customer download their data and erase themselves', async () => {
    const brand = await createBrand(api, 'Kitchen Atelier');
    await adoptPurpose(api, brand, 'email_marketing');
    const subject = await createSubject(api, brand, { email: 'olivia.forgets@example.com' });
    await grant(api, brand, subject.id, 'email_marketing');
    await recordFact(api, brand, subject.id, { key: 'owns', value: 'espresso_machine', category: 'behavior', provenance: 'observed', source: 'order #10442' });
    const token = await signInCustomer(api, brand, subject.id);

    const json = await api.http.get('/v1/me/export').set(me(token));
    expect(json.status).toBe(200);
    expect(json.headers['cache-control']).toBe('no-store');
    expect(json.body.facts).toEqual([expect.objectContaining({ key: 'owns', provenance: 'observed', source: 'order #10442' })]);
    const html = await api.http.get('/v1/me/export').set(me(token)).set('Accept', 'text/html');
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('we observed');

    expect((await api.http.post('/v1/me/erasure').set(me(token)).send({ confirm: false })).status).toBe(422);
    const forget = await api.http.post('/v1/me/erasure').set(me(token)).send({ confirm: true });
    expect(forget.status).toBe(202);
    expect(forget.body).toMatchObject({ type: 'erasure', status: 'completed', channel: 'portal' });
    expect((await api.http.get('/v1/me').set(me(token))).status).toBe(401);
    expect((await api.http.get(`/v1/subjects/${subject.id}`).set(bearer(brand.key))).status).toBe(410);
  });
});

describe('privacy request deadlines', () => {
  it('keeps a simulated year of requests on time, and refuses an extension after day 30', async () => {
    const clock = api.app.get(Clock);
    const brand = await createBrand(api);
    try {
      for (let day = 0; day < 365; day += 5) {
        const subject = await createSubject(api, brand);
        const type = (['access', 'rectification', 'objection', 'restriction', 'erasure'] as const)[(day / 5) % 5];
        const filed = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type, jurisdiction: day % 2 ? 'ccpa' : 'gdpr' });
        expect(filed.status, JSON.stringify(filed.body)).toBe(201);
        if (filed.body.status !== 'completed') {
          // Staff handle corrections within a week.
          clock.travel(3 * 86_400_000);
          const done = await api.http.post(`/v1/privacy-requests/${filed.body.id}/execute`).set(bearer(brand.key)).send({ note: 'corrected in the CRM and here' });
          expect(done.body.status).toBe('completed');
          clock.travel(2 * 86_400_000);
        } else {
          clock.travel(5 * 86_400_000);
        }
        const overdue = await api.http.get('/v1/privacy-requests').query({ overdue: 'true' }).set(bearer(brand.key));
        expect(overdue.body.data).toEqual([]);
      }

      const subject = await createSubject(api, brand);
      const late = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification' });
      expect(late.body.dueAt).toBe(new Date(new Date(late.body.receivedAt).getTime() + 30 * 86_400_000).toISOString());
      clock.travel(31 * 86_400_000);
      const overdue = await api.http.get('/v1/privacy-requests').query({ overdue: 'true' }).set(bearer(brand.key));
      expect(overdue.body.data.map((r: { id: string }) => r.id)).toEqual([late.body.id]);
      const refused = await api.http.post(`/v1/privacy-requests/${late.body.id}/extend`).set(bearer(brand.key)).send({ reason: 'records spread over three systems' });
      expect(refused.status).toBe(409);
      expect(refused.body.refusal).toBe('too-late');

      const early = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: (await createSubject(api, brand)).id, type: 'restriction', jurisdiction: 'ccpa' });
      expect(early.body.acknowledgeBy).not.toBeNull();
      clock.travel(10 * 86_400_000);
      const extended = await api.http.post(`/v1/privacy-requests/${early.body.id}/extend`).set(bearer(brand.key)).send({ reason: 'records spread over three systems', days: 45 });
      expect(extended.status).toBe(200);
      expect(new Date(extended.body.dueAt).getTime() - new Date(early.body.dueAt).getTime()).toBe(45 * 86_400_000);
      expect((await api.http.post(`/v1/privacy-requests/${early.body.id}/extend`).set(bearer(brand.key)).send({ reason: 'again' })).body.refusal).toBe('already-extended');
    } finally {
      clock.reset();
    }
  });
});

describe('webhooks', () => {
  it('delivers every consent change exactly once per event id, signed, even when the receiver fails twice first', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'email_marketing');
    const hook = await subscribe(brand, receiver.url('/flaky'), ['consent.changed'], 'CRM');
    receiver.respond = (h, attempt) => (h.path === '/flaky' && attempt <= 2 ? 500 : 200);
    const subject = await createSubject(api, brand);
    await grant(api, brand, subject.id, 'email_marketing');
    await grant(api, brand, subject.id, 'email_marketing', false);
    await grant(api, brand, subject.id, 'email_marketing', true);
    await drainWebhooks();
    receiver.respond = () => 200;

    const accepted = receiver.accepted.filter((h) => h.path === '/flaky');
    expect(accepted).toHaveLength(3);
    expect(new Set(accepted.map((h) => h.id)).size).toBe(3);
    expect(receiver.seen.filter((h) => h.path === '/flaky')).toHaveLength(9);
    for (const h of accepted) expect(WebhookReceiver.verify(h, hook.secret)).toMatchObject({ type: 'consent.changed', data: { subjectId: subject.id } });
    expect(accepted.map((h) => h.payload.data.granted).sort()).toEqual([false, true, true]);

    const deliveries = await api.http.get(`/v1/webhooks/${hook.id}/deliveries`).set(bearer(brand.key));
    expect(deliveries.body.data.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual([
      ['delivered', 3],
      ['delivered', 3],
      ['delivered', 3],
    ]);

    // The customer sees that their choice reached the CRM.
    const token = await signInCustomer(api, brand, subject.id);
    const propagation = await api.http.get('/v1/me/propagation').set(me(token));
    expect(propagation.body.data).toHaveLength(3);
    expect(propagation.body.data[0].reached).toEqual([expect.objectContaining({ system: 'CRM', status: 'delivered', confirmedAt: expect.any(String) })]);
  });

  it('disables an endpoint that answers 410', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'email_marketing');
    const hook = await subscribe(brand, receiver.url('/gone'), ['consent.changed']);
    receiver.respond = (h) => (h.path === '/gone' ? 410 : 200);
    const subject = await createSubject(api, brand);
    await grant(api, brand, subject.id, 'email_marketing');
    await grant(api, brand, subject.id, 'email_marketing', false);
    await drainWebhooks(5);
    receiver.respond = () => 200;
    const endpoints = await api.http.get('/v1/webhooks').set(bearer(brand.key));
    expect(endpoints.body.data.find((e: { id: string }) => e.id === hook.id)).toMatchObject({ status: 'disabled', disabledReason: expect.stringContaining('410') });
    expect(receiver.seen.filter((h) => h.path === '/gone')).toHaveLength(1);
    const deliveries = await api.http.get(`/v1/webhooks/${hook.id}/deliveries`).set(bearer(brand.key));
    expect(deliveries.body.data.map((d: { status: string }) => d.status).sort()).toEqual(['cancelled', 'failed']);
  });

  it('refuses private addresses that are not allow-listed, at registration and after DNS resolution', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'email_marketing');
    for (const url of ['http://10.0.0.8/hooks', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/x', 'ftp://example.com/x']) {
      const res = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url, events: ['consent.changed'] });
      expect(res.status, url).toBe(422);
    }
    // "localhost" is a name that resolves to a loopback address not on the allow-list (only
    // 127.0.0.1 is): registration resolves it and refuses it.
    const named = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: `http://localhost:${receiver.port}/sneaky`, events: ['consent.changed'] });
    expect(named.status).toBe(422);
    // A name can resolve to another address later (DNS rebinding): stand in for that by pointing a
    // registered endpoint at "localhost" behind the API's back. Delivery checks the address it
    // connects to, so nothing is ever sent to it.
    const sneaky = await subscribe(brand, 'http://[2606:4700:4700::1111]/sneaky', ['consent.changed']);
    const sql = new Client({ connectionString: api.databaseUrl! });
    await sql.connect();
    await sql.query('UPDATE webhook_endpoints SET url = $1 WHERE endpoint_id = $2', [`http://localhost:${receiver.port}/sneaky`, sneaky.id]);
    await sql.end();
    const subject = await createSubject(api, brand);
    await grant(api, brand, subject.id, 'email_marketing');
    await api.app.get(DeliveryWorker).deliverDue();
    expect(receiver.seen.filter((h) => h.path === '/sneaky')).toHaveLength(0);
    const deliveries = await api.http.get(`/v1/webhooks/${sneaky.id}/deliveries`).set(bearer(brand.key));
    expect(deliveries.body.data[0]).toMatchObject({ status: 'pending', lastError: expect.stringContaining('non-public') });
  });
});

describe('export and portability', () => {
  it('exports everything in the published schema and imports it into a fresh brand with an identical profile', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    for (const p of ['email_marketing', 'personalization']) await adoptPurpose(api, brand, p);
    await subscribe(brand, receiver.url('/crm'), ['consent.changed'], 'CRM');
    const subject = await createSubject(api, brand, { externalId: 'ch-port-1', email: 'ingrid.moves@example.com', phone: '+4791234567', locale: 'nb', timezone: 'Europe/Oslo' });
    await grant(api, brand, subject.id, 'email_marketing');
    await grant(api, brand, subject.id, 'personalization');
    await grant(api, brand, subject.id, 'email_marketing', false);
    await recordFact(api, brand, subject.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome question' });
    await recordFact(api, brand, subject.id, { key: 'practice_time', value: 'evening', category: 'behavior', provenance: 'observed', source: 'app sessions' });
    const token = await signInCustomer(api, brand, subject.id);
    await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', '"prefs-v0"').send({ channels: { email: { optedIn: true, frequency: 'monthly' }, sms: { optedIn: false, frequency: 'immediately' } }, quietHours: { start: '21:00', end: '07:00' }, topics: ['sleep'] });

    const exported = await api.http.get(`/v1/subjects/${subject.id}/export`).set(bearer(brand.key));
    expect(exported.status).toBe(200);
    const schema = JSON.parse(readFileSync(resolve(__dirname, '../../docs/export.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(exported.body), JSON.stringify(validate.errors)).toBe(true);
    expect(exported.body.consents.history[0].noticeText.nb).toBeTruthy();
    expect(exported.body.context.recipients).toEqual([{ name: 'CRM', receives: ['consent.changed'] }]);
    expect(exported.body.context.purposes.map((p: { key: string }) => p.key)).toEqual(['email_marketing', 'personalization']);
    expect(exported.body.consentRecords[0]).toMatchObject({
      '@type': 'dpv:ConsentRecord',
      'dpv:hasConsentStatus': { '@type': 'dpv:ConsentGiven' },
      'dpv:hasPurpose': { '@type': 'dpv:DirectMarketing' },
    });
    expect(exported.body.consentRecords[2]['dpv:hasConsentStatus']['@type']).toBe('dpv:ConsentWithdrawn');
    // The export carries each notice text once (in the history) and refers to it from the records;
    // the per-subject records route embeds it, so each record stands on its own.
    expect(exported.body.consentRecords[0]['dpv:hasNotice']).toEqual({ '@id': 'urn:candor:notice:email_marketing:1', '@type': 'dpv:ConsentNotice', 'dct:hasVersion': '1' });
    const records = await api.http.get(`/v1/subjects/${subject.id}/consent-records`).set(bearer(brand.key));
    expect(records.body.data).toHaveLength(3);
    expect(records.body.data[0]['dpv:hasNotice']['dct:description'].nb).toBeTruthy();

    const fresh = await createBrand(api, 'Calm Harbor Two');
    for (const p of ['email_marketing', 'personalization']) await adoptPurpose(api, fresh, p);
    const imported = await api.http.post('/v1/subjects/import').set(bearer(fresh.key)).send(exported.body);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const reexported = await api.http.get(`/v1/subjects/${imported.body.id}/export`).set(bearer(fresh.key));

    const profile = (doc: typeof exported.body) => ({
      subject: { ...doc.subject, id: undefined, createdAt: undefined, updatedAt: undefined },
      facts: doc.facts,
      preferences: doc.preferences,
      consents: doc.consents.current.map((c: Record<string, unknown>) => ({ ...c, updatedAt: undefined })),
      history: doc.consents.history.map((e: Record<string, unknown>) => [e.purpose, e.granted, e.noticeVersion, e.capturedAt]),
    });
    expect(profile(reexported.body)).toEqual(profile(exported.body));

    const invalid = await api.http.post('/v1/subjects/import').set(bearer(fresh.key)).send({ ...exported.body, facts: [{ key: 1 }] });
    expect(invalid.status).toBe(422);
    expect(invalid.headers['content-type']).toMatch(/problem\+json/);
  });

  it('publishes the Art. 30 record of processing and the audit log', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'partner_sharing');
    const ropa = await api.http.get('/v1/records-of-processing').set(bearer(brand.key));
    expect(ropa.body.activities).toEqual([expect.objectContaining({ purpose: 'partner_sharing', legalBasis: 'consent', saleOrShare: true })]);
    const audit = await api.http.get('/v1/audit-log').set(bearer(brand.key));
    expect(audit.body.data.map((a: { action: string }) => a.action)).toEqual(['purpose.adopted', 'brand.created']);
  });
});

describe('retention', () => {
  it('purges facts that outlived every covering purpose, keeps the rest, and records the run', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'personalization');
    await adoptPurpose(api, brand, 'analytics');
    const subject = await createSubject(api, brand);
    const day = 86_400_000;
    await recordFact(api, brand, subject.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', collectedAt: new Date(Date.now() - 40 * day).toISOString() });
    await recordFact(api, brand, subject.id, { key: 'motivation', value: 'reduce_stress', category: 'motivations', collectedAt: new Date(Date.now() - 10 * day).toISOString() });
    // behavior is covered by analytics too, which keeps data until consent is withdrawn.
    await recordFact(api, brand, subject.id, { key: 'practice_time', value: 'evening', category: 'behavior', provenance: 'observed', collectedAt: new Date(Date.now() - 400 * day).toISOString() });

    expect((await api.http.put('/v1/purposes/personalization/retention').set(bearer(brand.key)).send({ days: 30 })).body).toEqual({ purpose: 'personalization', retentionDays: 30 });
    expect((await api.http.put('/v1/purposes/personalization/retention').set(bearer(brand.key)).send({ days: 0 })).status).toBe(422);
    const run = await api.http.post('/v1/retention/run').set(bearer(brand.key));
    expect(run.body.purged).toEqual({ motivations: 1 });

    const exported = await api.http.get(`/v1/subjects/${subject.id}/export`).set(bearer(brand.key));
    const values = exported.body.facts.map((f: { value: string }) => f.value).sort();
    expect(values).toEqual(['evening', 'reduce_stress']);
    expect(exported.body.context.purposes.find((p: { key: string }) => p.key === 'personalization').retention).toBe('30 days after collection');
    const audit = await api.http.get('/v1/audit-log').set(bearer(brand.key));
    expect(audit.body.data[0]).toMatchObject({ action: 'retention.purged', details: { purged: { motivations: 1 } } });
  });
});

describe('audit log', () => {
  it('hash-chains every compliance and configuration action and detects edits, deletions and smuggled rows', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'email_marketing');
    const subject = await createSubject(api, brand);
    await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'access' }).expect(201);
    const log = await api.http.get('/v1/audit-log').set(bearer(brand.key));
    expect(log.body.data.map((a: { action: string }) => a.action)).toEqual(['privacy_request.completed', 'privacy_request.received', 'purpose.adopted', 'brand.created']);
    expect((await api.http.get('/v1/audit-log/verify').set(bearer(brand.key))).body).toEqual({ ok: true, events: 4 });

    const { Client } = await import('pg');
    const owner = new Client({ connectionString: api.databaseUrl! });
    await owner.connect();
    const tamper = async (sql: string) => {
      await owner.query('ALTER TABLE audit_log DISABLE TRIGGER tg_audit_log_append_only');
      await owner.query(sql);
      await owner.query('ALTER TABLE audit_log ENABLE TRIGGER tg_audit_log_append_only');
      return (await api.http.get('/v1/audit-log/verify').set(bearer(brand.key))).body;
    };
    try {
      const target = log.body.data[1].id;
      expect(await tamper(`UPDATE audit_log SET actor = 'someone-else' WHERE audit_id = '${target}'`)).toMatchObject({ ok: false, firstBadEventId: target, fault: 'hash-mismatch' });
      await tamper(`UPDATE audit_log SET actor = '${log.body.data[1].actor}' WHERE audit_id = '${target}'`);
      expect((await api.http.get('/v1/audit-log/verify').set(bearer(brand.key))).body.ok).toBe(true);
      expect(await tamper(`INSERT INTO audit_log (brand_id, audit_id, at, actor, action) VALUES ('${brand.id}', gen_random_uuid(), now(), 'operator', 'forged')`)).toMatchObject({ ok: false, fault: 'unchained-entry' });
      await tamper(`DELETE FROM audit_log WHERE action = 'forged'`);
      expect(await tamper(`DELETE FROM audit_log WHERE audit_id = '${target}'`)).toMatchObject({ ok: false, firstBadEventId: target, fault: 'missing-entry' });
    } finally {
      await owner.end();
    }
  });
});

describe('docs/export.schema.json', () => {
  it('is the schema the code validates imports with (run `npm run openapi` after changing it)', async () => {
    const { EXPORT_SCHEMA } = await import('../../api/src/modules/privacy-requests/export-schema');
    const committed = JSON.parse(readFileSync(resolve(__dirname, '../../docs/export.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(EXPORT_SCHEMA)));
  });
});
