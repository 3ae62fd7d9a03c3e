import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, TestBrand } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';

let api: TestApi;
let mail: MailCatcher;
beforeAll(async () => {
  mail = await new MailCatcher().start();
  api = await startApi({ env: { SMTP_URL: mail.url, PORTAL_URL: 'http://portal.test' } });
});
afterAll(async () => {
  await api?.close();
  await mail?.stop();
});

async function signInStaff(brand: TestBrand, email: string): Promise<string> {
  expect((await api.http.post('/v1/auth/staff-links').send({ brand: brand.slug, email })).status).toBe(202);
  const token = await mail.find(email, new RegExp(`http://portal\\.test/${brand.slug}/admin/link/(ssl_[A-Za-z0-9_-]+)`));
  const session = await api.http.post('/v1/auth/staff-sessions').send({ token });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  expect((await api.http.post('/v1/auth/staff-sessions').send({ token })).status).toBe(401);
  return session.body.sessionToken;
}

describe('staff accounts', () => {
  it('signs staff in by emailed link and lets each role do exactly its part, audited', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    await adoptPurpose(api, brand, 'email_marketing');
    // An admin holds the compliance role's reads (subjects, exports) and staff management: so must its creator.
    const configKey = await createKey(api, brand, ['config:write', 'compliance', 'subjects:read']);
    for (const [email, name, role] of [
      ['dpo@calmharbor.example', 'Astrid Berg', 'admin'],
      ['privacy@calmharbor.example', 'Jonas Lie', 'compliance'],
      ['auditor@calmharbor.example', 'Mia Holm', 'viewer'],
    ]) {
      const res = await api.http.post('/v1/staff').set(bearer(configKey)).send({ email, name, role });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ email, name, role });
    }
    expect((await api.http.post('/v1/staff').set(bearer(configKey)).send({ email: 'DPO@calmharbor.example', name: 'x', role: 'viewer' })).status).toBe(409);

    const subject = await createSubject(api, brand, { email: 'ingrid.solberg@example.com' });
    await grant(api, brand, subject.id, 'email_marketing');
    const admin = await signInStaff(brand, 'dpo@calmharbor.example');
    const officer = await signInStaff(brand, 'privacy@calmharbor.example');
    const viewer = await signInStaff(brand, 'auditor@calmharbor.example');

    expect((await api.http.get('/v1/staff/me').set(bearer(viewer))).body).toMatchObject({ name: 'Mia Holm', role: 'viewer' });
    expect((await api.http.get('/v1/privacy-requests').set(bearer(viewer))).status).toBe(200);
    expect((await api.http.get('/v1/ledger/verify').set(bearer(viewer))).body.ok).toBe(true);
    const denied = await api.http.post('/v1/privacy-requests').set(bearer(viewer)).send({ subjectId: subject.id, type: 'access' });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/viewer/);
    expect((await api.http.get(`/v1/subjects/${subject.id}/export`).set(bearer(viewer))).status).toBe(403);

    const filed = await api.http.post('/v1/privacy-requests').set(bearer(officer)).send({ subjectId: subject.id, type: 'access' });
    expect(filed.status).toBe(201);
    expect(filed.body.history[0].actor).toMatch(/^staff:/);
    expect(filed.body.channel).toBe('staff');
    expect((await api.http.get(`/v1/subjects/${subject.id}/export`).set(bearer(officer))).status).toBe(200);
    expect((await api.http.post('/v1/staff').set(bearer(officer)).send({ email: 'x@calmharbor.example', name: 'X', role: 'admin' })).status).toBe(403);
    expect((await api.http.post('/v1/staff').set(bearer(admin)).send({ email: 'x@calmharbor.example', name: 'X', role: 'viewer' })).status).toBe(201);
    // Staff never reach brand-system routes such as contact decisions.
    expect((await api.http.get('/v1/decisions/contact').query({ subjectId: subject.id, purpose: 'email_marketing', channel: 'email' }).set(bearer(admin))).status).toBe(403);

    const stats = await api.http.get('/v1/consent-stats').query({ days: 30 }).set(bearer(viewer));
    expect(stats.body.purposes).toEqual([{ purpose: 'email_marketing', series: [expect.objectContaining({ granted: 1, withdrawn: 0 })] }]);

    const audit = await api.http.get('/v1/audit-log').set(bearer(brand.key));
    const actions = audit.body.data.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['staff.created', 'staff.signed_in', 'privacy_request.received', 'privacy_request.completed']));
    expect((await api.http.get('/v1/audit-log/verify').set(bearer(brand.key))).body.ok).toBe(true);

    const staff = await api.http.get('/v1/staff').set(bearer(brand.key));
    const mia = staff.body.data.find((s: { name: string }) => s.name === 'Mia Holm');
    expect((await api.http.delete(`/v1/staff/${mia.id}`).set(bearer(admin))).status).toBe(204);
    expect((await api.http.get('/v1/privacy-requests').set(bearer(viewer))).status).toBe(401);
    expect((await api.http.delete('/v1/auth/staff-sessions/current').set(bearer(officer))).status).toBe(204);
    expect((await api.http.get('/v1/privacy-requests').set(bearer(officer))).status).toBe(401);
  });

  it('answers 202 for unknown staff emails and sends nothing', async () => {
    const brand = await createBrand(api);
    const before = mail.messages.length;
    expect((await api.http.post('/v1/auth/staff-links').send({ brand: brand.slug, email: 'nobody@example.com' })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(mail.messages.length).toBe(before);
  });
});
