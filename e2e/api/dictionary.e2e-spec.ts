import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoSeeder } from '../../api/src/modules/demo/demo.seeder';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, signInCustomer, TestBrand } from '../support/factories';

/**
 * The data dictionary: a brand names its fact keys, values, sources and topics in each language,
 * declares what values a key takes, gives catalogue titles per language, and sees what is still
 * untranslated; its customers read all of it in their own language.
 */
let api: TestApi;
let brand: TestBrand;
let other: TestBrand;

beforeAll(async () => {
  api = await startApi();
  brand = await createBrand(api, 'Calm Harbor');
  other = await createBrand(api, 'Kitchen Atelier');
  await adoptPurpose(api, brand, 'personalization');
});
afterAll(async () => {
  await api?.close();
});

const put = (path: string, body: unknown, key = brand.key) => api.http.put(path).set(bearer(key)).send(body as object);
const get = (path: string, key = brand.key) => api.http.get(path).set(bearer(key));
const t5 = (en: string, nb: string, da: string, pl: string, hu: string) => ({ en, nb, da, pl, hu });
const tag = () => randomBytes(3).toString('hex');

function expectProblem(res: { status: number; headers: Record<string, string>; body: { status: number; errors?: unknown[] } }, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
}

async function fact(subjectId: string, body: Record<string, unknown>, key = brand.key) {
  return api.http
    .post(`/v1/subjects/${subjectId}/facts`)
    .set(bearer(key))
    .send({ category: 'behavior', provenance: 'observed', source: 'app_sessions', ...body });
}

describe('fact keys', () => {
  it('are created (201), replaced (200) and read back, one or a page at a time', async () => {
    const motivation = {
      category: 'motivations',
      label: t5('Motivation', 'Motivasjon', 'Motivation', 'Motywacja', 'Motiváció'),
      type: 'choices',
      values: [{ value: 'sleep_better', label: t5('To sleep better', 'For å sove bedre', 'At sove bedre', 'Chcę lepiej spać', 'Hogy jobban aludjak') }],
    };
    const created = await put('/v1/fact-keys/motivation', motivation);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ key: 'motivation', category: 'motivations', type: 'choices', values: motivation.values });

    const replaced = await put('/v1/fact-keys/motivation', { ...motivation, values: [...motivation.values, { value: 'reduce_stress', label: { en: 'To lower my stress' } }] });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.values.map((v: { value: string }) => v.value)).toEqual(['sleep_better', 'reduce_stress']);

    const one = await get('/v1/fact-keys/motivation');
    expect(one.status).toBe(200);
    expect(one.body.label).toEqual(motivation.label);

    for (const key of ['a_first', 'b_second']) expect((await put(`/v1/fact-keys/${key}`, { category: 'interests', label: { en: key } })).status).toBe(201);
    const first = await get('/v1/fact-keys?limit=2');
    expect(first.body.data.map((k: { key: string }) => k.key)).toEqual(['a_first', 'b_second']);
    const next = await get(`/v1/fact-keys?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.data.map((k: { key: string }) => k.key)).toContain('motivation');
    expect((await get('/v1/fact-keys/nothing_here')).status).toBe(404);
    expect((await get('/v1/fact-keys/Not-A-Key')).status).toBe(404);
  });

  it('refuses declarations that make no sense, as 422 problems naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['choice_without_values', { category: 'interests', label: { en: 'x' }, type: 'choice' }, 'values'],
      ['number_with_values', { category: 'interests', label: { en: 'x' }, type: 'number', values: [{ value: '1', label: { en: 'one' } }] }, 'values'],
      ['yes_no', { category: 'interests', label: { en: 'x' }, type: 'boolean', values: [{ value: 'maybe', label: { en: 'Maybe' } }] }, 'values.0.value'],
      ['twice', { category: 'interests', label: { en: 'x' }, values: [{ value: 'a', label: { en: 'A' } }, { value: 'a', label: { en: 'A' } }] }, 'values'],
      ['no_label', { category: 'interests', label: 'Motivation' }, 'label'],
      ['empty_label', { category: 'interests', label: { en: ' ' } }, 'label'],
      ['bad_type', { category: 'interests', label: { en: 'x' }, type: 'date' }, 'type'],
      ['unknown_field', { category: 'interests', label: { en: 'x' }, colour: 'red' }, ''],
    ];
    for (const [key, body, path] of cases) {
      const res = await put(`/v1/fact-keys/${key}`, body);
      expectProblem(res, 422);
      if (path) expect(res.body.errors.map((e: { path: string }) => e.path), key).toContain(path);
    }
    expectProblem(await put('/v1/fact-keys/Bad-Key', { category: 'interests', label: { en: 'x' } }), 422);
    // Nothing of them was stored.
    expect((await get('/v1/fact-keys/choice_without_values')).status).toBe(404);
  });
});

describe('fact values against their key\'s type', () => {
  let subjectId: string;
  beforeAll(async () => {
    subjectId = (await createSubject(api, brand, { locale: 'pl' })).id;
    expect((await put('/v1/fact-keys/sessions_per_week', { category: 'behavior', label: t5('Sessions per week', 'Økter per uke', 'Sessioner om ugen', 'Sesje w tygodniu', 'Alkalmak hetente'), type: 'number' })).status).toBe(201);
    expect(
      (
        await put('/v1/fact-keys/coffee_roast', {
          category: 'interests',
          label: { en: 'Favourite roast', pl: 'Ulubiony stopień palenia' },
          type: 'choice',
          values: [{ value: 'light', label: { en: 'Light', pl: 'Jasny' } }, { value: 'dark', label: { en: 'Dark', pl: 'Ciemny' } }],
        })
      ).status,
    ).toBe(201);
  });

  it('accepts a number as a number, and keeps it one', async () => {
    const res = await fact(subjectId, { key: 'sessions_per_week', value: 5 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.value).toBe(5);
    const profile = await get(`/v1/subjects/${subjectId}/export`);
    expect(profile.body.facts.find((f: { key: string }) => f.key === 'sessions_per_week').value).toBe(5);
  });

  it('refuses a value of the wrong type or outside the declared choices, and shapes no fact may have', async () => {
    for (const [body, path] of [
      [{ key: 'sessions_per_week', value: '5' }, 'value'],
      [{ key: 'coffee_roast', value: 'medium' }, 'value'],
      [{ key: 'coffee_roast', value: ['dark'] }, 'value'],
      [{ key: 'anything', value: { en: 'x' } }, 'value'],
      [{ key: 'anything', value: [] }, 'value'],
      [{ key: 'anything', value: null }, 'value'],
    ] as const) {
      const res = await fact(subjectId, body);
      expectProblem(res, 422);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(JSON.stringify(res.body)).not.toContain('medium');
    }
  });

  it('takes any fact value for a key the dictionary does not declare, and lists for choices', async () => {
    expect((await fact(subjectId, { key: 'coffee_roast', value: 'dark' })).status).toBe(201);
    for (const value of [true, 3.5, ['sleep_better', 'reduce_stress'], 'free text']) {
      const res = await fact(subjectId, { key: 'undeclared', value });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.value).toEqual(value);
    }
    const res = await fact(subjectId, { key: 'motivation', value: ['sleep_better', 'reduce_stress'], category: 'motivations' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectProblem(await fact(subjectId, { key: 'motivation', value: ['sleep_better', 'golf'], category: 'motivations' }), 422);
  });

  it('imports typed values as the single-fact route takes them, and rejects the lines it would refuse', async () => {
    const externalId = `typed-${tag()}`;
    const lines = [
      { type: 'subject', externalId },
      { type: 'fact', externalId, key: 'sessions_per_week', value: 7, category: 'behavior', provenance: 'observed', source: 'app_sessions' },
      { type: 'fact', externalId, key: 'coffee_roast', value: 'medium', category: 'interests', provenance: 'declared', source: 'coffee_quiz' },
      { type: 'fact', externalId, key: 'motivation', value: ['sleep_better'], category: 'motivations', provenance: 'declared', source: 'welcome_question' },
      { type: 'fact', externalId, key: 'anything', value: { nested: true }, category: 'interests', provenance: 'declared', source: 'crm' },
    ];
    const upload = await api.http.post('/v1/imports').set(bearer(brand.key)).set('Content-Type', 'application/x-ndjson').send(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(upload.status, JSON.stringify(upload.body)).toBe(202);
    let job: { status: string; rejections: Array<{ line: number; reason: string }> } | undefined;
    for (let i = 0; i < 200 && (!job || job.status === 'merging'); i++) {
      job = (await get(`/v1/imports/${upload.body.id}`)).body;
      if (job!.status === 'merging') await new Promise((r) => setTimeout(r, 50));
    }
    expect(job!.status).toBe('completed');
    expect(job!.rejections.map((r) => r.line).sort()).toEqual([3, 5]);
    expect(job!.rejections.find((r) => r.line === 3)!.reason).toMatch(/^value: /);
    const found = await get(`/v1/subjects?externalId=${externalId}`);
    const exported = await get(`/v1/subjects/${found.body.data[0].id}/export`);
    const values = Object.fromEntries(exported.body.facts.map((f: { key: string; value: unknown }) => [f.key, f.value]));
    expect(values).toEqual({ sessions_per_week: 7, motivation: ['sleep_better'] });
  });
});

describe('what customers read', () => {
  it('labels fact keys, values, sources and topics in the reader\'s language, falling back to the brand\'s default', async () => {
    expect((await put('/v1/sources/welcome_question', { label: t5('the welcome question', 'velkomstspørsmålet', 'velkomstspørgsmålet', 'pytanie powitalne', 'az üdvözlő kérdés') })).status).toBe(201);
    expect((await put('/v1/sources/order', { label: { en: 'order #{ref}', da: 'ordre nr. {ref}' } })).status).toBe(201);
    expect((await put('/v1/topics/sleep', { label: t5('Sleep', 'Søvn', 'Søvn', 'Sen', 'Alvás') })).status).toBe(201);
    const sources = await get('/v1/sources');
    expect(sources.body.data.map((s: { key: string }) => s.key)).toEqual(['order', 'welcome_question']);

    const member = await createSubject(api, brand, { locale: 'pl' });
    expect((await fact(member.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome_question' })).status).toBe(201);
    expect((await fact(member.id, { key: 'sessions_per_week', value: 1234.5 })).status).toBe(201);
    expect((await fact(member.id, { key: 'owns', value: 'espresso_machine', source: 'order:10442' })).status).toBe(201);
    expect((await fact(member.id, { key: 'shoe_size', value: '42', source: 'the shop floor' })).status).toBe(201);
    const session = await signInCustomer(api, brand, member.id);
    const prefs = await api.http.get('/v1/me/preferences').set(bearer(session));
    const updated = await api.http.put('/v1/me/preferences').set(bearer(session)).set('If-Match', prefs.headers.etag).send({ channels: {}, topics: ['sleep', 'cleaning_tips'] });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.topicLabels.sleep).toMatchObject({ pl: 'Sen', hu: 'Alvás' });
    expect(updated.body.topicLabels.cleaning_tips).toMatchObject({ pl: 'Cleaning tips' });

    const me = await api.http.get('/v1/me').set(bearer(session));
    expect(me.status).toBe(200);
    const byKey = Object.fromEntries(me.body.facts.map((f: { key: string }) => [f.key, f]));
    expect(byKey.motivation.keyLabel).toMatchObject({ pl: 'Motywacja', hu: 'Motiváció' });
    expect(byKey.motivation.valueLabel).toMatchObject({ pl: 'Chcę lepiej spać', nb: 'For å sove bedre' });
    expect(byKey.motivation.sourceLabel).toMatchObject({ pl: 'pytanie powitalne', da: 'velkomstspørgsmålet' });
    expect(byKey.sessions_per_week.value).toBe(1234.5);
    expect(byKey.sessions_per_week.valueLabel.en).toBe('1,234.5');
    expect(byKey.sessions_per_week.valueLabel.pl).toBe(new Intl.NumberFormat('pl').format(1234.5));
    // No Polish word for the source: the brand's default language (English), the detail filled in.
    expect(byKey.owns.sourceLabel).toMatchObject({ da: 'ordre nr. 10442', pl: 'order #10442' });
    // Nothing declared: the key and value in plain words; free text as it is.
    expect(byKey.shoe_size.keyLabel.pl).toBe('Shoe size');
    expect(byKey.shoe_size.sourceLabel.pl).toBe('the shop floor');
    expect(me.body.preferences.topicLabels.sleep.nb).toBe('Søvn');
  });

  it('names the reader of their data in their language, and the fact keys it read', async () => {
    const member = await createSubject(api, brand, { locale: 'nb' });
    await grant(api, brand, member.id, 'personalization');
    expect((await fact(member.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome_question' })).status).toBe(201);
    const created = await api.http
      .post('/v1/api-keys')
      .set(bearer(brand.key))
      .send({ name: 'Newsletter service', label: { en: 'Newsletter service', nb: 'Nyhetsbrevtjenesten' }, scopes: ['profiles:read'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.label).toEqual({ en: 'Newsletter service', nb: 'Nyhetsbrevtjenesten' });
    const profile = await get(`/v1/subjects/${member.id}/profile?purpose=personalization`, created.body.key);
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    expect(profile.body.facts[0].keyLabel.nb).toBe('Motivasjon');
    const session = await signInCustomer(api, brand, member.id);
    const log = await api.http.get('/v1/me/access-log').set(bearer(session));
    const read = log.body.data.find((r: { kind: string }) => r.kind === 'profile');
    expect(read.readerLabel).toMatchObject({ nb: 'Nyhetsbrevtjenesten', pl: 'Newsletter service' });
    expect(read.fieldLabels['facts.motivation']).toMatchObject({ nb: 'Motivasjon', pl: 'Motywacja' });
    const exported = await api.http.get('/v1/me/export').set(bearer(session));
    expect(exported.body.context.dictionary.factKeys.motivation.nb).toBe('Motivasjon');
    expect(exported.body.context.dictionary.values.motivation.sleep_better.nb).toBe('For å sove bedre');
    expect(exported.body.context.dictionary.sources.welcome_question.nb).toBe('velkomstspørsmålet');
    expect(exported.body.context.dictionary.readers['Newsletter service'].nb).toBe('Nyhetsbrevtjenesten');
  });

  it('gives catalogue titles per language, or one for every language', async () => {
    const item = await put('/v1/catalog/items/evening-wind-down', {
      title: { en: 'Evening wind-down', nb: 'Kveldsro', pl: 'Wieczorne wyciszenie' },
      description: { en: 'Twenty quiet minutes' },
      tags: [{ factKey: 'motivation', value: 'sleep_better', weight: 2 }, { factKey: 'practice_time', value: 'evening', weight: 1 }],
    });
    expect(item.status, JSON.stringify(item.body)).toBe(200);
    expect(item.body.title).toEqual({ en: 'Evening wind-down', nb: 'Kveldsro', pl: 'Wieczorne wyciszenie' });
    expect((await put('/v1/catalog/items/barista-870', { title: 'Barista Pro 870', tags: [] })).body.title).toBe('Barista Pro 870');
    expectProblem(await put('/v1/catalog/items/bad-title', { title: { EN: 'x' }, tags: [] }), 422);
    expectProblem(await put('/v1/catalog/items/bad-title', { title: '', tags: [] }), 422);
    expectProblem(await put('/v1/catalog/items/bad-title', { title: ['x'], tags: [] }), 422);

    const member = await createSubject(api, brand, { locale: 'nb' });
    await grant(api, brand, member.id, 'personalization');
    expect((await fact(member.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome_question' })).status).toBe(201);
    expect((await fact(member.id, { key: 'practice_time', value: 'evening', category: 'interests', provenance: 'observed', source: 'welcome_question' })).status).toBe(201);
    const session = await signInCustomer(api, brand, member.id);
    // She lets suggestions use what the app observed too (personalization rests on consent: only what she told, by default).
    expect((await api.http.put('/v1/me/fact-use/personalization').set(bearer(session)).send({ use: 'all' })).status).toBe(200);
    const mine = await api.http.get('/v1/me/recommendations').set(bearer(session));
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    const card = mine.body.data.find((r: { sku: string }) => r.sku === 'evening-wind-down');
    expect(card.title).toBe('Kveldsro');
    expect(card.titleLabel).toMatchObject({ nb: 'Kveldsro', pl: 'Wieczorne wyciszenie', hu: 'Evening wind-down' });
    expect(card.explanation.text).toContain('For å sove bedre');
    // The source of an observed fact in words, in the explanation's language; the cited fact keeps its code.
    expect(card.explanation.text).toContain('velkomstspørsmålet');
    expect(card.explanation.text).not.toContain('welcome_question');
    expect(card.explanation.because.find((b: { key: string }) => b.key === 'practice_time').source).toBe('welcome_question');
  });
});

describe('notices speak the brand\'s languages', () => {
  it('refuses a notice without the brand\'s default language (422) and publishes one with it', async () => {
    const res = await api.http.post('/v1/brands').set(bearer(api.adminKey)).send({ slug: `danish-${tag()}`, name: 'Dansk Køkken', defaultLocale: 'da' });
    expect(res.status).toBe(201);
    const danish = res.body.apiKey.key as string;
    expect((await api.http.post('/v1/purposes').set(bearer(danish)).send({ key: 'tips', name: { da: 'Tips', en: 'Tips' }, legalBasis: 'consent', dataCategories: ['interests'] })).status).toBe(201);
    const english = await api.http.post('/v1/purposes/tips/notices').set(bearer(danish)).send({ text: { en: 'We send you tips.' } });
    expectProblem(english, 422);
    expect(english.body.errors).toEqual([expect.objectContaining({ path: 'text.da' })]);
    const both = await api.http.post('/v1/purposes/tips/notices').set(bearer(danish)).send({ text: { da: 'Vi sender dig tips.', en: 'We send you tips.' } });
    expect(both.status, JSON.stringify(both.body)).toBe(201);
    expect(both.body.version).toBe(1);
  });
});

describe('the missing-translations report', () => {
  it('lists what a Polish reader would not get in Polish, and stops listing it once translated', async () => {
    expect((await put('/v1/fact-keys/practice_time', { category: 'behavior', label: { en: 'Practice time', nb: 'Når du mediterer' } })).status).toBe(201);
    expect((await put('/v1/topics/breathing', { label: { en: 'Breathing' } })).status).toBe(201);
    const purpose = { key: 'tips', name: { en: 'Tips' }, legalBasis: 'consent', dataCategories: ['interests'] };
    expect((await api.http.post('/v1/purposes').set(bearer(brand.key)).send(purpose)).status).toBe(201);
    expect((await api.http.post('/v1/purposes/tips/notices').set(bearer(brand.key)).send({ text: { en: 'We send you tips.' } })).status).toBe(201);
    const report = await get('/v1/dictionary/missing?locale=pl');
    expect(report.status).toBe(200);
    expect(report.body.locales).toEqual(['pl']);
    const ids = report.body.data.map((m: { kind: string; key: string; value?: string; field: string }) => `${m.kind} ${m.key} ${m.value ?? ''} ${m.field}`);
    expect(ids).toContain('fact-key practice_time  label');
    expect(ids).toContain('topic breathing  label');
    expect(ids).toContain('fact-value motivation reduce_stress label');
    expect(ids).toContain('catalog-item evening-wind-down  description');
    expect(ids).toContain('purpose tips  name');
    expect(ids).toContain('notice tips 1 text');
    // Adopted from Candor's catalogue: named and noticed in its five languages.
    expect(ids.filter((i: string) => i.includes('personalization'))).toEqual([]);
    expect(ids).not.toContain('fact-key motivation  label');
    expect(ids).not.toContain('catalog-item barista-870  title');
    // Fact keys that facts use without a declaration are untranslated too.
    expect(report.body.data).toContainEqual(expect.objectContaining({ kind: 'fact-key', key: 'shoe_size', undeclared: true }));

    const listed = await get('/v1/fact-keys?missing=pl');
    expect(listed.body.data.map((k: { key: string }) => k.key)).toEqual(expect.arrayContaining(['practice_time', 'motivation']));
    expect(listed.body.data.map((k: { key: string }) => k.key)).not.toContain('sessions_per_week');

    expect((await put('/v1/fact-keys/practice_time', { category: 'behavior', label: { en: 'Practice time', pl: 'Pora medytacji' } })).status).toBe(200);
    expect((await put('/v1/topics/breathing', { label: { en: 'Breathing', pl: 'Oddychanie' } })).status).toBe(200);
    const after = (await get('/v1/dictionary/missing?locale=pl')).body.data.map((m: { kind: string; key: string }) => `${m.kind} ${m.key}`);
    expect(after).not.toContain('fact-key practice_time');
    expect(after).not.toContain('topic breathing');
    expect((await get('/v1/fact-keys?missing=pl')).body.data.map((k: { key: string }) => k.key)).not.toContain('practice_time');

    // Without a locale: every language of the brand.
    const all = await get('/v1/dictionary/missing');
    expect(all.body.locales).toEqual(['en', 'nb', 'da', 'pl', 'hu']);
    expect(all.body.data.some((m: { locale: string; key: string }) => m.locale === 'hu' && m.key === 'practice_time')).toBe(true);
    expectProblem(await get('/v1/dictionary/missing?locale=Polish!'), 422);
  });
});

describe('isolation between brands', () => {
  it('keeps each brand\'s dictionary its own', async () => {
    expect((await get('/v1/fact-keys/motivation', other.key)).status).toBe(404);
    expect((await get('/v1/fact-keys', other.key)).body.data).toEqual([]);
    expect((await get('/v1/sources', other.key)).body.data).toEqual([]);
    expect((await put('/v1/fact-keys/motivation', { category: 'interests', label: { en: 'Why you cook' } }, other.key)).status).toBe(201);
    expect((await get('/v1/fact-keys/motivation')).body.label.en).toBe('Motivation');
    // Brand B's declaration does not decide brand A's facts, nor the reverse.
    const b = await createSubject(api, other);
    expect((await fact(b.id, { key: 'sessions_per_week', value: 'often' }, other.key)).status).toBe(201);
    const keyOfA = await createKey(api, brand, ['config:write']);
    expect((await get('/v1/dictionary/missing?locale=pl', keyOfA)).body.data.some((m: { key: string; value?: string }) => m.value === 'often')).toBe(false);
  });
});

describe('the demo brands', () => {
  it('carry full dictionaries, start again on the same database, and complete one seeded before dictionaries existed', async () => {
    const seeder = api.app.get(DemoSeeder);
    const first = await seeder.seed();
    const key = /calm-harbor\) API key (\S+)/.exec(first.join('\n'))![1];
    const report = await get('/v1/dictionary/missing', key);
    // Every fact key, value, source, topic, question, catalogue title and notice in all five languages.
    expect(report.body.data).toEqual([]);
    expect(report.body.locales).toEqual(['en', 'nb', 'da', 'pl', 'hu']);

    // A brand seeded before the dictionary: no fact keys, sources or topics, catalogue titles in English.
    const sql = new Client({ connectionString: api.databaseUrl! });
    await sql.connect();
    try {
      const [{ brand_id }] = (await sql.query(`SELECT brand_id FROM brands WHERE slug = 'calm-harbor'`)).rows;
      await sql.query(`DELETE FROM fact_keys WHERE brand_id = $1`, [brand_id]);
      await sql.query(`DELETE FROM dictionary_labels WHERE brand_id = $1`, [brand_id]);
      await sql.query(`UPDATE catalog_items SET title = to_jsonb(title->>'en') WHERE brand_id = $1`, [brand_id]);
      await sql.query(`UPDATE catalog_items SET title = '"Our own title"'::jsonb WHERE brand_id = $1 AND sku = 'sound-bath'`, [brand_id]);
    } finally {
      await sql.end();
    }
    expect((await get('/v1/dictionary/missing?locale=pl', key)).body.data.length).toBeGreaterThan(0);

    const again = await seeder.seed();
    expect(again.join('\n')).toMatch(/Demo brands/);
    const missing = (await get('/v1/dictionary/missing?locale=pl', key)).body.data;
    expect(missing).toEqual([]);
    const items = (await get('/v1/catalog/items', key)).body.data as Array<{ sku: string; title: unknown }>;
    expect(items.find((i) => i.sku === 'evening-wind-down')!.title).toMatchObject({ pl: 'Wieczorne wyciszenie' });
    // What the brand wrote itself is left as it is.
    expect(items.find((i) => i.sku === 'sound-bath')!.title).toBe('Our own title');
    await seeder.seed();
  });
});
