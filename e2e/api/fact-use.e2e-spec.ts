import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoSeeder } from '../../api/src/modules/demo/demo.seeder';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';

/**
 * Issue 13, item 5: "use only what I told you". A customer chooses per purpose whether it may use
 * only the facts they declared or also what the brand observed or inferred; a brand's question may
 * ask before a guess is used (`askBeforeUse`). Recommendations, audiences and purpose-scoped profile
 * reads follow both, and the brand sees the choice.
 */

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const me = (token: string) => ({ Authorization: `Bearer ${token}` });

interface Reason {
  factId: string;
  key: string;
  provenance: string;
  source: string;
}
interface Recommendation {
  sku: string;
  explanation: { because: Reason[] };
}

/** A kitchen store: consent purposes, customer care (a legitimate interest), a catalogue, one customer. */
async function kitchen(): Promise<{ brand: TestBrand; subject: { id: string }; token: string; facts: Record<string, string> }> {
  const brand = await createBrand(api, 'Kitchen Atelier');
  for (const p of ['personalization', 'email_marketing', 'customer_care']) await adoptPurpose(api, brand, p);
  const catalog = {
    items: [
      { sku: 'dark-roast-beans', title: 'Dark roast beans', tags: [{ factKey: 'coffee_roast', value: 'dark', weight: 3 }] },
      { sku: 'descaling-kit', title: 'Descaling kit', tags: [{ factKey: 'owns', value: 'espresso_machine', weight: 3 }] },
      { sku: 'cast-iron-pan', title: 'Cast-iron pan', tags: [{ factKey: 'interest', value: 'cookware', weight: 3 }] },
      { sku: 'gift-wrapping', title: 'Gift wrapping', tags: [{ factKey: 'purchase_for', value: 'gift', weight: 2 }] },
    ],
  };
  expect((await api.http.post('/v1/catalog/items/bulk').set(bearer(brand.key)).send(catalog)).status).toBe(200);
  const subject = await createSubject(api, brand, { email: `mette.${Math.random().toString(16).slice(2, 8)}@example.com` });
  for (const p of ['personalization', 'email_marketing']) await grant(api, brand, subject.id, p);
  const facts = {
    roast: (await recordFact(api, brand, subject.id, { key: 'coffee_roast', value: 'dark', category: 'interests', provenance: 'declared', source: 'coffee quiz' })).id,
    owns: (await recordFact(api, brand, subject.id, { key: 'owns', value: 'espresso_machine', category: 'behavior', provenance: 'observed', source: 'order:10442' })).id,
    cookware: (await recordFact(api, brand, subject.id, { key: 'interest', value: 'cookware', category: 'interests', provenance: 'inferred', source: 'pages viewed' })).id,
  };
  return { brand, subject, token: await signInCustomer(api, brand, subject.id), facts };
}

async function setUse(token: string, purpose: string, use: string) {
  const res = await api.http.put(`/v1/me/fact-use/${purpose}`).set(me(token)).send({ use });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function recommendations(brand: TestBrand, subjectId: string): Promise<Recommendation[]> {
  const res = await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function profile(brand: TestBrand, subjectId: string, purpose: string) {
  const res = await api.http.get(`/v1/subjects/${subjectId}/profile`).query({ purpose }).set(bearer(brand.key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { factUse: { purpose: string; use: string; chosen: boolean; default: string; updatedAt: string | null }; facts: Array<{ id: string; provenance: string }> };
}

async function audience(brand: TestBrand, body: Record<string, unknown>): Promise<{ members: string[]; count: number }> {
  const query = await api.http.post('/v1/audiences/query').set(bearer(brand.key)).send(body);
  expect(query.status, JSON.stringify(query.body)).toBe(200);
  const count = await api.http.post('/v1/audiences/count').set(bearer(brand.key)).send(body);
  expect(count.status, JSON.stringify(count.body)).toBe(200);
  return { members: query.body.data.map((m: { id: string }) => m.id), count: count.body.count };
}

const usedFor = async (token: string, factId: string): Promise<string[]> =>
  ((await api.http.get('/v1/me').set(me(token))).body.facts as Array<{ id: string; usedFor: string[] }>).find((f) => f.id === factId)!.usedFor;

describe('what each purpose may use, as the customer chooses', () => {
  it('shows every purpose with its default, records a choice, and lets the brand see it', async () => {
    const { brand, subject, token } = await kitchen();
    const before = await api.http.get('/v1/me').set(me(token));
    expect(before.status).toBe(200);
    // A purpose that rests on consent uses only what the customer told; customer care (a legitimate interest) also what was observed.
    expect(before.body.factUse).toEqual([
      { purpose: 'customer_care', use: 'all', chosen: false, default: 'all', updatedAt: null },
      { purpose: 'email_marketing', use: 'declared-only', chosen: false, default: 'declared-only', updatedAt: null },
      { purpose: 'personalization', use: 'declared-only', chosen: false, default: 'declared-only', updatedAt: null },
    ]);

    const chosen = await setUse(token, 'personalization', 'all');
    expect(chosen).toEqual({ purpose: 'personalization', use: 'all', chosen: true, default: 'declared-only', updatedAt: expect.any(String) });
    await setUse(token, 'customer_care', 'declared-only');
    const after = (await api.http.get('/v1/me').set(me(token))).body.factUse;
    expect(after.find((u: { purpose: string }) => u.purpose === 'personalization')).toEqual(chosen);
    expect(after.find((u: { purpose: string }) => u.purpose === 'customer_care')).toMatchObject({ use: 'declared-only', chosen: true, default: 'all' });

    // The brand reads it with the profile, and its audit log holds each choice (ids and keys, nothing more).
    expect((await profile(brand, subject.id, 'personalization')).factUse).toEqual(chosen);
    const audit = await api.http.get('/v1/audit-log').set(bearer(brand.key));
    const entries = audit.body.data.filter((a: { action: string }) => a.action === 'fact-use.set');
    expect(entries.map((a: { target: string; details: unknown }) => [a.target, a.details])).toEqual([
      [subject.id, { purpose: 'customer_care', use: 'declared-only' }],
      [subject.id, { purpose: 'personalization', use: 'all' }],
    ]);
    // Her export holds her choices (and imports elsewhere as before: the choice stays with this brand's purposes).
    const exported = await api.http.get('/v1/me/export').set(me(token));
    expect(exported.body.factUse).toEqual([
      { purpose: 'customer_care', use: 'declared-only', updatedAt: expect.any(String) },
      { purpose: 'personalization', use: 'all', updatedAt: chosen.updatedAt },
    ]);
    const elsewhere = await createBrand(api, 'Elsewhere');
    for (const p of ['personalization', 'email_marketing']) await adoptPurpose(api, elsewhere, p);
    const imported = await api.http.post('/v1/subjects/import').set(bearer(elsewhere.key)).send({ ...exported.body, subject: { ...exported.body.subject, externalId: 'moved-1' } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  });

  it('"use only what I told you" for personalization removes observations and guesses from recommendations and the profile', async () => {
    const { brand, subject, token, facts } = await kitchen();
    await setUse(token, 'personalization', 'all');
    let recs = await recommendations(brand, subject.id);
    expect(recs.map((r) => r.sku)).toEqual(['dark-roast-beans', 'descaling-kit', 'cast-iron-pan']);
    expect(recs.flatMap((r) => r.explanation.because.map((b) => b.provenance)).sort()).toEqual(['declared', 'inferred', 'observed']);
    expect((await profile(brand, subject.id, 'personalization')).facts.map((f) => f.id).sort()).toEqual([facts.roast, facts.owns, facts.cookware].sort());
    expect(await usedFor(token, facts.cookware)).toEqual(['personalization']);

    await setUse(token, 'personalization', 'declared-only');
    recs = await recommendations(brand, subject.id);
    expect(recs.map((r) => r.sku)).toEqual(['dark-roast-beans']);
    expect(recs.flatMap((r) => r.explanation.because.map((b) => b.factId))).toEqual([facts.roast]);
    // The customer's own view says the same.
    const mine = await api.http.get('/v1/me/recommendations').set(me(token));
    expect(mine.body.data.flatMap((r: Recommendation) => r.explanation.because.map((b) => b.provenance))).toEqual(['declared']);
    const read = await profile(brand, subject.id, 'personalization');
    expect(read.factUse).toMatchObject({ use: 'declared-only', chosen: true });
    expect(read.facts.map((f) => f.id)).toEqual([facts.roast]);
    expect(await usedFor(token, facts.cookware)).toEqual([]);
    // The access log names only what was read.
    const log = await api.http.get('/v1/me/access-log').set(me(token));
    expect(log.body.data[0]).toMatchObject({ kind: 'profile', purpose: 'personalization', fields: ['facts.coffee_roast', 'preferences'] });

    // A brand's own recommender may not cite a guess either.
    const validated = await api.http.post('/v1/explanations/validate').set(bearer(brand.key)).send({ subjectId: subject.id, sku: 'cast-iron-pan', because: [facts.cookware] });
    expect(validated.status).toBe(422);
    expect(validated.body).toMatchObject({ code: 'unconsented-reason', errors: [{ path: 'because.0' }] });
  });

  it('audiences count an observation or a guess only where the customer lets the purpose use it', async () => {
    const { brand, subject, token } = await kitchen();
    const cookware = { purpose: 'email_marketing', where: [{ factKey: 'interest', in: ['cookware'] }] };
    const roast = { purpose: 'email_marketing', where: [{ factKey: 'coffee_roast', in: ['dark'] }] };
    // Email marketing rests on consent: by default only what she told counts.
    expect(await audience(brand, cookware)).toEqual({ members: [], count: 0 });
    expect(await audience(brand, roast)).toEqual({ members: [subject.id], count: 1 });
    await setUse(token, 'email_marketing', 'all');
    expect(await audience(brand, cookware)).toEqual({ members: [subject.id], count: 1 });
    await setUse(token, 'email_marketing', 'declared-only');
    expect(await audience(brand, cookware)).toEqual({ members: [], count: 0 });
    expect(await audience(brand, roast)).toEqual({ members: [subject.id], count: 1 });

    // Customer care (a legitimate interest) uses what the shop observed, until she says "only what I told you".
    const owners = { purpose: 'customer_care', where: [{ factKey: 'owns', in: ['espresso_machine'] }] };
    expect(await audience(brand, owners)).toEqual({ members: [subject.id], count: 1 });
    expect((await profile(brand, subject.id, 'customer_care')).facts.map((f) => f.provenance)).toEqual(['observed']);
    await setUse(token, 'customer_care', 'declared-only');
    expect(await audience(brand, owners)).toEqual({ members: [], count: 0 });
    expect((await profile(brand, subject.id, 'customer_care')).facts).toEqual([]);
  });

  it('askBeforeUse: a guess is not used until the customer answered, then the answer (declared) is', async () => {
    const { brand, subject, token } = await kitchen();
    for (const p of ['personalization', 'email_marketing']) await setUse(token, p, 'all');
    const question = await api.http
      .post('/v1/questions')
      .set(bearer(brand.key))
      .send({
        key: 'machine_for_whom',
        text: { en: 'Was your last purchase for you, or a gift?' },
        factKey: 'purchase_for',
        category: 'interests',
        options: [
          { value: 'myself', label: { en: 'For me' } },
          { value: 'gift', label: { en: 'A gift' } },
        ],
      });
    expect(question.status, JSON.stringify(question.body)).toBe(201);
    expect(question.body.askBeforeUse).toBe(false);
    const guess = await recordFact(api, brand, subject.id, { key: 'purchase_for', value: 'gift', category: 'interests', provenance: 'inferred', source: 'purchase history' });
    const gifts = { purpose: 'email_marketing', where: [{ factKey: 'purchase_for', in: ['gift'] }] };
    // Without askBeforeUse the guess counts (she lets both purposes use guesses).
    expect((await recommendations(brand, subject.id)).map((r) => r.sku)).toContain('gift-wrapping');
    expect((await audience(brand, gifts)).count).toBe(1);

    const marked = await api.http.patch('/v1/questions/machine_for_whom').set(bearer(brand.key)).send({ askBeforeUse: true });
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    expect(marked.body).toMatchObject({ key: 'machine_for_whom', askBeforeUse: true, text: { en: 'Was your last purchase for you, or a gift?' } });
    expect((await api.http.get('/v1/questions').set(bearer(brand.key))).body.data[0].askBeforeUse).toBe(true);

    // Asked first: the guess is used nowhere.
    expect((await recommendations(brand, subject.id)).map((r) => r.sku)).not.toContain('gift-wrapping');
    expect(await audience(brand, gifts)).toEqual({ members: [], count: 0 });
    expect((await profile(brand, subject.id, 'personalization')).facts.map((f) => f.id)).not.toContain(guess.id);
    expect(await usedFor(token, guess.id)).toEqual([]);
    // The question is what she is asked next.
    expect((await api.http.get('/v1/me/questions/next').set(me(token))).body.key).toBe('machine_for_whom');

    const answered = await api.http.post('/v1/me/questions/machine_for_whom/answer').set(me(token)).send({ values: ['gift'] });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    const answer = answered.body.facts[0] as { id: string };
    const wrapping = (await recommendations(brand, subject.id)).find((r) => r.sku === 'gift-wrapping');
    expect(wrapping?.explanation.because).toEqual([expect.objectContaining({ factId: answer.id, provenance: 'declared', source: 'question:machine_for_whom' })]);
    expect(await audience(brand, gifts)).toEqual({ members: [subject.id], count: 1 });
    expect(await usedFor(token, answer.id)).toEqual(['email_marketing', 'personalization']);

    // A new guess under the key after the answer changes nothing: the answer is what counts.
    const later = await recordFact(api, brand, subject.id, { key: 'purchase_for', value: 'myself', category: 'interests', provenance: 'inferred', source: 'purchase history' });
    expect((await profile(brand, subject.id, 'personalization')).facts.map((f) => f.id)).not.toContain(later.id);
  });

  it('a dismissed askBeforeUse question leaves the guess unused', async () => {
    const { brand, subject, token } = await kitchen();
    await setUse(token, 'personalization', 'all');
    const created = await api.http
      .post('/v1/questions')
      .set(bearer(brand.key))
      .send({ key: 'for_whom', text: { en: 'For you, or a gift?' }, factKey: 'purchase_for', category: 'interests', askBeforeUse: true, options: [{ value: 'myself', label: { en: 'For me' } }, { value: 'gift', label: { en: 'A gift' } }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.askBeforeUse).toBe(true);
    await recordFact(api, brand, subject.id, { key: 'purchase_for', value: 'gift', category: 'interests', provenance: 'inferred', source: 'purchase history' });
    expect((await api.http.post('/v1/me/questions/for_whom/answer').set(me(token)).send({ dismissed: true })).status).toBe(200);
    expect((await recommendations(brand, subject.id)).map((r) => r.sku)).not.toContain('gift-wrapping');
  });

  it('refuses a bad body with 422 and an unknown purpose or question with 404, changing nothing', async () => {
    const { brand, token } = await kitchen();
    for (const body of [{ use: 'everything' }, {}, { use: 'all', also: true }, { use: null }]) {
      const res = await api.http.put('/v1/me/fact-use/personalization').set(me(token)).send(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 422, code: 'validation-failed' });
    }
    for (const purpose of ['no_such_purpose', 'Not-A-Key!']) {
      const res = await api.http.put(`/v1/me/fact-use/${encodeURIComponent(purpose)}`).set(me(token)).send({ use: 'all' });
      expect(res.status, purpose).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, code: 'not-found' });
    }
    expect((await api.http.get('/v1/me').set(me(token))).body.factUse.every((u: { chosen: boolean }) => !u.chosen)).toBe(true);

    const unknown = await api.http.patch('/v1/questions/no_such_question').set(bearer(brand.key)).send({ askBeforeUse: true });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await api.http.post('/v1/questions').set(bearer(brand.key)).send({ key: 'q1', text: { en: 'Q?' }, factKey: 'k', category: 'interests', options: [{ value: 'a', label: { en: 'A' } }, { value: 'b', label: { en: 'B' } }] })).status).toBe(201);
    const bad = await api.http.patch('/v1/questions/q1').set(bearer(brand.key)).send({ askBeforeUse: 'yes' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'askBeforeUse' })]);
  });
});

describe('the demo', () => {
  it('suggests no gift wrapping to Olivia before she says her purchase was a gift', async () => {
    const banner = await api.app.get(DemoSeeder).seed();
    const key = banner.join('\n').match(/\(kitchen-atelier\) API key (cnd_\S+)/)?.[1];
    expect(key, banner.join('\n')).toBeTruthy();
    const brand: TestBrand = { id: '', slug: 'kitchen-atelier', key: key! };
    const questions = await api.http.get('/v1/questions').set(bearer(brand.key));
    expect(questions.body.data.find((q: { key: string }) => q.key === 'machine_for_whom')).toMatchObject({ factKey: 'purchase_for', askBeforeUse: true });
    const olivia = (await api.http.get('/v1/subjects').query({ externalId: 'ka-customer-5002' }).set(bearer(brand.key))).body.data[0].id as string;
    // She turns suggestions on and lets them use guesses too: still no gift wrapping, since she was not asked yet.
    await grant(api, brand, olivia, 'personalization');
    const token = await signInCustomer(api, brand, olivia);
    await setUse(token, 'personalization', 'all');
    const before = await api.http.get('/v1/me/recommendations').set(me(token));
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.data.map((r: Recommendation) => r.sku)).toEqual(['cast-iron-pan']);
    expect((await api.http.get('/v1/me/questions/next').set(me(token))).body.key).toBe('machine_for_whom');
    expect((await api.http.post('/v1/me/questions/machine_for_whom/answer').set(me(token)).send({ values: ['gift'] })).status).toBe(200);
    const after = await api.http.get('/v1/me/recommendations').set(me(token));
    expect(after.body.data.map((r: Recommendation) => r.sku)).toContain('gift-wrapping');
  });
});
