import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const me = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * The customer lets personalization use what the brand observed or inferred too (it rests on
 * consent, so by default it uses only what they declared: fact-use.e2e-spec.ts).
 */
async function alsoObservedAndInferred(brand: TestBrand, subjectId: string, token?: string): Promise<void> {
  const session = token ?? (await signInCustomer(api, brand, subjectId));
  const res = await api.http.put('/v1/me/fact-use/personalization').set(me(session)).send({ use: 'all' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function calmHarbor(): Promise<{ brand: TestBrand; subject: { id: string }; facts: Record<string, string> }> {
  const brand = await createBrand(api, 'Calm Harbor');
  await adoptPurpose(api, brand, 'personalization');
  await api.http
    .post('/v1/purposes')
    .set(bearer(brand.key))
    .send({ key: 'product_analytics', name: { en: 'Product analytics' }, legalBasis: 'consent', dataCategories: ['app_usage'] })
    .expect(201);
  await api.http.post('/v1/purposes/product_analytics/notices').set(bearer(brand.key)).send({ text: { en: 'We count how you use the app.' } }).expect(201);
  await api.http
    .post('/v1/questions')
    .set(bearer(brand.key))
    .send({
      key: 'why_meditate',
      text: { en: 'What brings you to meditation?' },
      factKey: 'motivation',
      category: 'motivations',
      options: [
        { value: 'sleep_better', label: { en: 'To sleep better', nb: 'For å sove bedre' } },
        { value: 'reduce_stress', label: { en: 'To lower my stress' } },
      ],
    })
    .expect(201);
  const catalog = {
    items: [
      { sku: 'sleep-stories', title: 'Sleep stories', tags: [{ factKey: 'motivation', value: 'sleep_better', weight: 3 }] },
      { sku: 'breathing-course', title: 'Breathing for stress', tags: [{ factKey: 'motivation', value: 'reduce_stress', weight: 3 }] },
      { sku: 'evening-wind-down', title: 'Evening wind-down', tags: [{ factKey: 'practice_time', value: 'evening', weight: 2 }, { factKey: 'motivation', value: 'sleep_better', weight: 1 }] },
      { sku: 'crystal-set', title: 'Crystal set', tags: [{ factKey: 'lifestyle', value: 'new_age', weight: 2 }] },
      { sku: 'power-user-tips', title: 'Power-user tips', tags: [{ factKey: 'sessions_per_week', value: 'many', weight: 5 }] },
    ],
  };
  expect((await api.http.post('/v1/catalog/items/bulk').set(bearer(brand.key)).send(catalog)).body).toEqual({ upserted: 5 });
  const subject = await createSubject(api, brand, { locale: 'en' });
  await grant(api, brand, subject.id, 'personalization');
  await grant(api, brand, subject.id, 'product_analytics');
  const facts: Record<string, string> = {};
  facts.motivation = (await recordFact(api, brand, subject.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome question' })).id;
  facts.practice = (await recordFact(api, brand, subject.id, { key: 'practice_time', value: 'evening', category: 'behavior', provenance: 'observed', source: 'app sessions' })).id;
  facts.lifestyle = (await recordFact(api, brand, subject.id, { key: 'lifestyle', value: 'new_age', category: 'interests', provenance: 'inferred', source: 'content you played' })).id;
  facts.usage = (await recordFact(api, brand, subject.id, { key: 'sessions_per_week', value: 'many', category: 'app_usage', provenance: 'observed', source: 'app analytics' })).id;
  await alsoObservedAndInferred(brand, subject.id);
  return { brand, subject, facts };
}

describe('explained recommendations', () => {
  it('ranks items from consented facts only and explains each with provenance, source, date and consent', async () => {
    const { brand, subject, facts } = await calmHarbor();
    const reader = await createKey(api, brand, ['recommendations:read']);
    const res = await api.http.post('/v1/recommendations').set(bearer(reader)).send({ subjectId: subject.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.map((r: { sku: string }) => r.sku)).toEqual(['sleep-stories', 'evening-wind-down', 'crystal-set']);
    const sleep = res.body.data.find((r: { sku: string }) => r.sku === 'sleep-stories');
    expect(sleep.explanation).toMatchObject({
      purpose: 'personalization',
      locale: 'en',
      because: [expect.objectContaining({ factId: facts.motivation, key: 'motivation', value: 'sleep_better', provenance: 'declared', source: 'welcome question' })],
      counterfactual: 'Without this, we would not suggest it.',
    });
    expect(sleep.explanation.text).toMatch(/^Because you told us on \d+ \w+ that your answer is “To sleep better”\.$/);
    const consents = await api.http.get(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key));
    expect(sleep.explanation.consentEventId).toBe(consents.body.data.find((c: { purpose: string }) => c.purpose === 'personalization').eventId);
    // The analytics-only fact never reaches the scorer.
    expect(JSON.stringify(res.body)).not.toContain(facts.usage);

    const token = await signInCustomer(api, brand, subject.id);
    const log = await api.http.get('/v1/me/access-log').set(me(token));
    // Reading the consents above is logged too (kind "consents"); the recommendations read is the one before.
    const read = log.body.data.find((r: { kind: string }) => r.kind === 'recommendations');
    expect(read).toMatchObject({ kind: 'recommendations', purpose: 'personalization' });
    expect(read.fields.sort()).toEqual(['facts.lifestyle', 'facts.motivation', 'facts.practice_time']);
  });

  it('refuses with 403 consent-required once personalization is withdrawn', async () => {
    const { brand, subject } = await calmHarbor();
    await grant(api, brand, subject.id, 'personalization', false);
    const res = await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId: subject.id });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('consent-required');
  });

  it("validates a brand's own reasons, rejecting analytics-only and other customers' facts by name", async () => {
    const { brand, subject, facts } = await calmHarbor();
    const ok = await api.http.post('/v1/explanations/validate').set(bearer(brand.key)).send({ subjectId: subject.id, sku: 'sleep-stories', because: [facts.motivation] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.because.map((b: { factId: string }) => b.factId)).toEqual([facts.motivation]);

    const analytics = await api.http.post('/v1/explanations/validate').set(bearer(brand.key)).send({ subjectId: subject.id, sku: 'power-user-tips', because: [facts.usage, facts.motivation] });
    expect(analytics.status).toBe(422);
    // Named by position in `because` (problems never repeat the ids sent).
    expect(analytics.body).toMatchObject({ code: 'unconsented-reason', errors: [{ path: 'because.0' }] });
    expect(JSON.stringify(analytics.body)).not.toContain(facts.usage);

    const other = await createSubject(api, brand);
    await grant(api, brand, other.id, 'personalization');
    const foreign = await recordFact(api, brand, other.id, { key: 'motivation', value: 'sleep_better', category: 'motivations' });
    const stolen = await api.http.post('/v1/explanations/validate').set(bearer(brand.key)).send({ subjectId: subject.id, sku: 'sleep-stories', because: [foreign.id] });
    expect(stolen.status).toBe(422);
    expect(stolen.body.errors).toEqual([{ path: 'because.0', message: expect.any(String) }]);
  });

  it('lets the customer hide an item, flag a wrong reason (set aside at once) and correct it', async () => {
    const { brand, subject, facts } = await calmHarbor();
    const token = await signInCustomer(api, brand, subject.id);
    const skus = async () => (await api.http.get('/v1/me/recommendations').set(me(token))).body.data.map((r: { sku: string }) => r.sku);
    expect(await skus()).toEqual(['sleep-stories', 'evening-wind-down', 'crystal-set']);

    expect((await api.http.post('/v1/me/recommendations/crystal-set/feedback').set(me(token)).send({ kind: 'not_relevant' })).status).toBe(200);
    expect(await skus()).toEqual(['sleep-stories', 'evening-wind-down']);

    const wrong = await api.http.post('/v1/me/recommendations/sleep-stories/feedback').set(me(token)).send({ kind: 'wrong_reason', factId: facts.motivation });
    expect(wrong.status).toBe(200);
    expect(wrong.body.message).toMatch(/set this reason aside/);
    expect(await skus()).toEqual(['evening-wind-down']);
    const overview = await api.http.get('/v1/me').set(me(token));
    expect(overview.body.facts.find((f: { id: string }) => f.id === facts.motivation)).toMatchObject({ disputed: true, usedFor: [] });

    // "I meditate to lower stress, not to sleep": the correction is the customer's own declaration.
    const corrected = await api.http.patch(`/v1/me/facts/${facts.motivation}`).set(me(token)).send({ value: 'reduce_stress' });
    expect(corrected.body).toMatchObject({ provenance: 'declared', disputed: false });
    expect(await skus()).toEqual(['breathing-course', 'evening-wind-down']);

    const foreign = await api.http.post('/v1/me/recommendations/sleep-stories/feedback').set(me(token)).send({ kind: 'wrong_reason', factId: '00000000-0000-4000-8000-000000000009' });
    expect(foreign.status).toBe(404);
    expect((await api.http.post('/v1/me/recommendations/sleep-stories/feedback').set(me(token)).send({ kind: 'wrong_reason' })).status).toBe(422);
  });

  it('upserts single catalog items and rejects bad tags', async () => {
    const brand = await createBrand(api);
    const put = await api.http.put('/v1/catalog/items/descaling-kit').set(bearer(brand.key)).send({ title: 'Descaling kit', tags: [{ factKey: 'owns', value: 'espresso_machine', weight: 2 }] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ sku: 'descaling-kit', title: 'Descaling kit' });
    const bad = await api.http.put('/v1/catalog/items/descaling-kit').set(bearer(brand.key)).send({ title: 'x', tags: [{ factKey: 'owns', value: 'x', weight: -1 }] });
    expect(bad.status).toBe(422);
    expect((await api.http.get('/v1/catalog/items').set(bearer(brand.key))).body.data).toHaveLength(1);
  });
});

describe('explanations in the language the request asks for', () => {
  /**
   * Ingrid's brand: a question with option labels and texts in Norwegian and Polish (but not
   * Hungarian), Ingrid stored as `nb`, her motivation answered in the app (source
   * `question:why_meditate`) and an interest the brand inferred from "content you played".
   */
  async function ingrid(defaultLocale = 'en') {
    const slug = `calm-harbor-${Math.random().toString(16).slice(2, 8)}`;
    const created = await api.http.post('/v1/brands').set(bearer(api.adminKey)).send({ slug, name: 'Calm Harbor', defaultLocale });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const brand: TestBrand = { id: created.body.id, slug, key: created.body.apiKey.key };
    await adoptPurpose(api, brand, 'personalization');
    const question = await api.http
      .post('/v1/questions')
      .set(bearer(brand.key))
      .send({
        key: 'why_meditate',
        text: { en: 'What brings you to meditation?', nb: 'Hva får deg til å meditere?', pl: 'Co skłania Cię do medytacji?' },
        factKey: 'motivation',
        category: 'motivations',
        options: [
          { value: 'sleep_better', label: { en: 'To sleep better', nb: 'Å sove bedre', pl: 'Chcę lepiej spać' } },
          { value: 'reduce_stress', label: { en: 'To lower my stress', nb: 'Å senke stressnivået', pl: 'Chcę zmniejszyć stres' } },
        ],
      });
    expect(question.status, JSON.stringify(question.body)).toBe(201);
    await api.http
      .post('/v1/catalog/items/bulk')
      .set(bearer(brand.key))
      .send({ items: [{ sku: 'sleep-stories', title: 'Sleep stories', tags: [{ factKey: 'motivation', value: 'sleep_better', weight: 3 }, { factKey: 'interest', value: 'sleep_stories', weight: 1 }] }] })
      .expect(200);
    const subject = await createSubject(api, brand, { locale: 'nb', timezone: 'Europe/Oslo' });
    await grant(api, brand, subject.id, 'personalization');
    const token = await signInCustomer(api, brand, subject.id);
    const answered = await api.http.post('/v1/me/questions/why_meditate/answer').set(me(token)).send({ values: ['sleep_better'] });
    expect(answered.status, JSON.stringify(answered.body)).toBeLessThan(300);
    await recordFact(api, brand, subject.id, { key: 'interest', value: 'sleep_stories', category: 'interests', provenance: 'inferred', source: 'content you played' });
    await alsoObservedAndInferred(brand, subject.id, token);
    return { brand, subject, token };
  }

  const explanation = (res: { status: number; body: { data: Array<{ explanation: Record<string, unknown> }> } }) => {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data[0].explanation as { text: string; locale: string; counterfactual: string; because: Array<{ key: string; label: string; source: string; sourceLabel: string; points: number }> };
  };

  it('POST /v1/recommendations with locale "pl" explains in Polish for a Norwegian customer, every fragment included', async () => {
    const { brand, subject } = await ingrid();
    const e = explanation(await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId: subject.id, locale: 'pl' }));
    expect(e.locale).toBe('pl');
    expect(e.text).toMatch(/^Ponieważ \d+ \p{L}+ Twoja odpowiedź brzmiała: „Chcę lepiej spać” i ponieważ wywnioskowaliśmy: „sleep stories” \(źródło: „content you played”, \d+ \p{L}+\) — daj znać, jeśli to nieprawda\.$/u);
    expect(e.counterfactual).toBe('Bez tego nie zaproponowalibyśmy tego.');
    const motivation = e.because.find((b) => b.key === 'motivation')!;
    expect(motivation).toMatchObject({ label: 'Chcę lepiej spać', source: 'question:why_meditate', sourceLabel: 'Twoja odpowiedź na pytanie „Co skłania Cię do medytacji?”' });
    // Nothing Norwegian (her stored language) and no English phrase made it in.
    for (const foreign of ['fordi', 'sove', 'svaret', 'kilde', 'because', 'from', 'on ']) expect(e.text).not.toContain(foreign);
    // The scores stay in the API for the brand.
    expect(typeof motivation.points).toBe('number');

    // Without a locale: her stored language.
    const stored = explanation(await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId: subject.id }));
    expect(stored.locale).toBe('nb');
    expect(stored.text).toMatch(/^Fordi du fortalte oss den \d+\. \p{L}+ at svaret ditt er «Å sove bedre» og fordi vi gjettet «sleep stories» \(kilde: «content you played», /u);
  });

  it('honours Accept-Language by weight, after an explicit locale and before the stored one', async () => {
    const { brand, subject, token } = await ingrid();
    const ask = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
      api.http.post('/v1/recommendations').set(bearer(brand.key)).set(headers).send({ subjectId: subject.id, ...body });
    expect(explanation(await ask({ 'Accept-Language': 'pl-PL,pl;q=0.9,en;q=0.8' })).locale).toBe('pl');
    // German is not offered; Hungarian (weight 0.5) beats English (0.3) whatever the order.
    const hu = explanation(await ask({ 'Accept-Language': 'de-DE, en;q=0.3, hu;q=0.5' }));
    expect(hu.locale).toBe('hu');
    // The brand has no Hungarian label: its default language's (English), as the dictionary falls back, never the Norwegian one.
    expect(hu.text).toMatch(/^Mert \p{L}+ \d+-(án|én|jén) azt mondtad nekünk: „To sleep better” és mert ezt feltételeztük: „sleep stories” \(forrás: „content you played”, \p{L}+ \d+\.\) – szólj, ha tévedünk\.$/u);
    expect(hu.because.find((b) => b.key === 'motivation')!.sourceLabel).toBe('a válaszod az egyik kérdésünkre');
    expect(explanation(await ask({ 'Accept-Language': 'hu' }, { locale: 'en' })).locale).toBe('en');
    expect(explanation(await ask({ 'Accept-Language': 'de, fr;q=0.5' })).locale).toBe('nb');
    // The customer's own route takes the same query and header.
    const mine = (query: string, headers: Record<string, string> = {}) => api.http.get(`/v1/me/recommendations${query}`).set(me(token)).set(headers);
    expect(explanation(await mine('?locale=pl')).locale).toBe('pl');
    expect(explanation(await mine('', { 'Accept-Language': 'da-DK' })).locale).toBe('da');
    expect(explanation(await mine('?locale=en', { 'Accept-Language': 'da-DK' })).locale).toBe('en');
    expect(explanation(await mine('')).locale).toBe('nb');
  });

  it('falls back to the brand default for a customer without a stored language', async () => {
    const { brand } = await ingrid('da');
    const subject = await createSubject(api, brand);
    await grant(api, brand, subject.id, 'personalization');
    await recordFact(api, brand, subject.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'observed', source: 'import' });
    await alsoObservedAndInferred(brand, subject.id);
    const e = explanation(await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId: subject.id }));
    expect(e.locale).toBe('da');
    // No Danish label: the value as it is; the import is named in Danish.
    expect(e.text).toMatch(/^Fordi vi bemærkede »sleep better« \(kilde: oplysninger importeret fra et tidligere system, \d+\. \p{L}+\)\.$/u);
  });

  it('refuses a language Candor does not write in (422, naming the field, never repeating the value)', async () => {
    const { brand, subject, token } = await ingrid();
    for (const locale of ['de', 'sv-SE-x-sample', '*', 'pl;q=1', 42]) {
      const res = await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId: subject.id, locale });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('locale');
      if (typeof locale === 'string' && locale.length > 4) expect(JSON.stringify(res.body)).not.toContain(locale);
    }
    const mine = await api.http.get('/v1/me/recommendations?locale=sv').set(me(token));
    expect(mine.status).toBe(422);
    expect(mine.body.errors).toEqual([expect.objectContaining({ path: 'locale' })]);
    // A region or Norwegian variant is fine.
    expect(explanation(await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId: subject.id, locale: 'pl-PL' })).locale).toBe('pl');
    expect(explanation(await api.http.post('/v1/recommendations').set(bearer(brand.key)).send({ subjectId: subject.id, locale: 'no' })).locale).toBe('nb');
  });

  it('explains validated reasons in the language asked too', async () => {
    const { brand, subject, token } = await ingrid();
    const facts = (await api.http.get('/v1/me').set(me(token))).body.facts as Array<{ id: string; key: string }>;
    const res = await api.http
      .post('/v1/explanations/validate')
      .set(bearer(brand.key))
      .set('Accept-Language', 'pl')
      .send({ subjectId: subject.id, sku: 'sleep-stories', because: [facts.find((f) => f.key === 'motivation')!.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ locale: 'pl', text: expect.stringMatching(/^Ponieważ .*„Chcę lepiej spać”\.$/) });
  });
});
