import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../api/src/common/clock';
import { DemoSeeder } from '../../api/src/modules/demo/demo.seeder';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';

/**
 * Timed follow-ups: "7 days after the shop saw an espresso machine bought, ask how it is doing". A
 * follow-up is asked neither before its days are up nor forgotten after; the customer's next
 * question and the brand's list of due follow-ups agree, through the HTTP stack and the database,
 * with the API's clock moved forward instead of waiting a week.
 */
let api: TestApi;
const DAY = 86_400_000;
const travel = (ms: number) => api.app.get(Clock).travel(ms);

beforeAll(async () => {
  api = await startApi();
});
afterEach(() => api.app.get(Clock).reset());
afterAll(() => api?.close());

const options = [
  { value: 'works_well', label: { en: 'It works well', da: 'Den fungerer godt' } },
  { value: 'needs_help', label: { en: 'It could use some help', da: 'Den har brug for lidt hjælp' } },
];
/** A question about `key`'s own fact, asked at once or — with `after` — as a follow-up. */
const question = (key: string, after?: unknown) => ({ key, text: { en: `About ${key}?`, da: `Om ${key}?` }, factKey: `${key}_answer`, category: 'behavior', options, ...(after === undefined ? {} : { after }) });
const MACHINE_CHECKIN = {
  ...question('machine_checkin', { factKey: 'owns', value: 'espresso_machine', days: 7 }),
  text: { en: 'How is your espresso machine doing?', da: 'Hvordan går det med din espressomaskine?' },
};

async function define(brand: TestBrand, body: object) {
  const res = await api.http.post('/v1/questions').set(bearer(brand.key)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A brand with an ordinary question (asked first by position) and the espresso follow-up after it. */
async function kitchen(): Promise<TestBrand> {
  const brand = await createBrand(api, 'Kitchen Atelier');
  await define(brand, question('coffee_roast'));
  await define(brand, MACHINE_CHECKIN);
  return brand;
}

async function customerWith(brand: TestBrand, facts: Array<{ key: string; value: unknown; provenance?: string; collectedAt?: string; category?: string }>) {
  const subject = await createSubject(api, brand, { locale: 'da' });
  const recorded = [];
  for (const f of facts) recorded.push(await recordFact(api, brand, subject.id, { category: 'behavior', provenance: 'observed', source: 'order:10442', ...f } as never));
  return { subject, recorded: recorded as unknown as Array<{ id: string; collectedAt: string }>, session: await signInCustomer(api, brand, subject.id) };
}

const nextFor = async (session: string) => {
  const res = await api.http.get('/v1/me/questions/next').set(bearer(session));
  expect([200, 204], JSON.stringify(res.body)).toContain(res.status);
  return res.status === 204 ? null : (res.body.key as string);
};
const dueFor = async (brand: TestBrand, subjectId: string, query: Record<string, string | number> = {}, key = brand.key) =>
  api.http.get(`/v1/subjects/${subjectId}/questions/due`).query(query).set(bearer(key));
const dueKeys = async (brand: TestBrand, subjectId: string) => {
  const res = await dueFor(brand, subjectId);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.data as Array<{ key: string }>).map((q) => q.key);
};

describe('a follow-up waits for its days', () => {
  it('is not asked the week the machine was bought, is asked — before other questions — once the week is up, and never again once answered', async () => {
    const brand = await kitchen();
    const { subject, recorded, session } = await customerWith(brand, [{ key: 'owns', value: 'espresso_machine' }]);
    const bought = Date.parse(recorded[0].collectedAt);

    // Bought today: the ordinary question is asked, the follow-up is not due.
    expect(await nextFor(session)).toBe('coffee_roast');
    expect(await dueKeys(brand, subject.id)).toEqual([]);
    travel(7 * DAY - 60_000);
    expect(await nextFor(session)).toBe('coffee_roast');
    expect(await dueKeys(brand, subject.id)).toEqual([]);

    // A week later it is due, and comes first: its moment is the reason for asking.
    travel(60_000);
    expect(await nextFor(session)).toBe('machine_checkin');
    const brandNext = await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(brand.key));
    expect(brandNext.body).toMatchObject({ key: 'machine_checkin', after: { factKey: 'owns', value: 'espresso_machine', days: 7 } });
    const due = await dueFor(brand, subject.id);
    expect(due.status).toBe(200);
    expect(due.body).toEqual({
      data: [
        {
          key: 'machine_checkin',
          text: MACHINE_CHECKIN.text,
          dueSince: new Date(bought + 7 * DAY).toISOString(),
          because: { factKey: 'owns', value: 'espresso_machine', collectedAt: recorded[0].collectedAt },
        },
      ],
      nextCursor: null,
    });

    // Answered: it is not asked again, and the ordinary question is next.
    const answered = await api.http.post('/v1/me/questions/machine_checkin/answer').set(bearer(session)).send({ values: ['works_well'] });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(await nextFor(session)).toBe('coffee_roast');
    expect(await dueKeys(brand, subject.id)).toEqual([]);
    travel(365 * DAY);
    expect(await dueKeys(brand, subject.id)).toEqual([]);
  });

  it('counts from when the fact was collected, not when it reached Candor', async () => {
    const brand = await kitchen();
    const tenDaysAgo = new Date(Date.now() - 10 * DAY).toISOString();
    const { subject, session } = await customerWith(brand, [{ key: 'owns', value: 'espresso_machine', collectedAt: tenDaysAgo }]);
    expect(await nextFor(session)).toBe('machine_checkin');
    const due = await dueFor(brand, subject.id);
    expect(due.body.data[0]).toMatchObject({ key: 'machine_checkin', dueSince: new Date(Date.parse(tenDaysAgo) + 7 * DAY).toISOString() });
  });

  it('is never asked of a customer without the fact, and a dismissed one stays dismissed', async () => {
    const brand = await kitchen();
    const { subject, session } = await customerWith(brand, [{ key: 'interest', value: 'cookware', category: 'interests' }]);
    travel(30 * DAY);
    expect(await nextFor(session)).toBe('coffee_roast');
    expect(await dueKeys(brand, subject.id)).toEqual([]);
    expect((await api.http.post('/v1/me/questions/coffee_roast/answer').set(bearer(session)).send({ dismissed: true })).status).toBe(200);
    expect(await nextFor(session)).toBeNull();

    const owner = await customerWith(brand, [{ key: 'owns', value: 'espresso_machine' }]);
    travel(8 * DAY);
    expect((await api.http.post('/v1/me/questions/machine_checkin/answer').set(bearer(owner.session)).send({ dismissed: true })).status).toBe(200);
    expect(await nextFor(owner.session)).toBe('coffee_roast');
    expect(await dueKeys(brand, owner.subject.id)).toEqual([]);
  });
});

describe('the value a follow-up waits for', () => {
  it('starts the wait only for a fact with that value (or a list holding it); without a value any fact of the key does', async () => {
    const brand = await createBrand(api, 'Kitchen Atelier');
    await define(brand, MACHINE_CHECKIN);
    await define(brand, question('kitchen_checkin', { factKey: 'owns', days: 3 }));

    const moka = await customerWith(brand, [{ key: 'owns', value: 'moka_pot' }]);
    const both = await customerWith(brand, [{ key: 'owns', value: ['grinder', 'espresso_machine'] }]);
    travel(30 * DAY);
    expect(await dueKeys(brand, moka.subject.id)).toEqual(['kitchen_checkin']);
    expect(await nextFor(moka.session)).toBe('kitchen_checkin');
    // Both due: the one waiting longest (3 days after, against 7) first.
    expect(await dueKeys(brand, both.subject.id)).toEqual(['kitchen_checkin', 'machine_checkin']);
    const due = await dueFor(brand, both.subject.id);
    expect(due.body.data[1].because).toMatchObject({ factKey: 'owns', value: ['grinder', 'espresso_machine'] });
  });

  it('does not count a guess under a key a question asks about first (askBeforeUse); the declared answer does', async () => {
    const brand = await kitchen();
    await define(brand, { ...question('what_you_own'), factKey: 'owns', askBeforeUse: true, options: [{ value: 'espresso_machine', label: { en: 'An espresso machine' } }, { value: 'moka_pot', label: { en: 'A moka pot' } }] });
    const { subject, session } = await customerWith(brand, [{ key: 'owns', value: 'espresso_machine', provenance: 'inferred' }]);
    travel(10 * DAY);
    expect(await dueKeys(brand, subject.id)).toEqual([]);
    expect(await nextFor(session)).toBe('coffee_roast');
    travel(-10 * DAY);
    const said = await api.http.post('/v1/me/questions/what_you_own/answer').set(bearer(session)).send({ values: ['espresso_machine'] });
    expect(said.status, JSON.stringify(said.body)).toBe(200);
    travel(7 * DAY);
    expect(await dueKeys(brand, subject.id)).toEqual(['machine_checkin']);
    expect(await nextFor(session)).toBe('machine_checkin');
  });
});

describe('a brand changes when a question is asked', () => {
  it('turns a question into a follow-up and back with PATCH, and lists it with its trigger', async () => {
    const brand = await createBrand(api, 'Kitchen Atelier');
    await define(brand, question('machine_checkin'));
    const { subject, session } = await customerWith(brand, [{ key: 'owns', value: 'espresso_machine' }]);
    expect(await nextFor(session)).toBe('machine_checkin');

    const timed = await api.http.patch('/v1/questions/machine_checkin').set(bearer(brand.key)).send({ after: { factKey: 'owns', value: 'espresso_machine', days: 7 } });
    expect(timed.status, JSON.stringify(timed.body)).toBe(200);
    expect(timed.body).toMatchObject({ key: 'machine_checkin', askBeforeUse: false, after: { factKey: 'owns', value: 'espresso_machine', days: 7 } });
    expect(await nextFor(session)).toBeNull();
    const listed = await api.http.get('/v1/questions').set(bearer(brand.key));
    expect(listed.body.data).toEqual([expect.objectContaining({ key: 'machine_checkin', after: { factKey: 'owns', value: 'espresso_machine', days: 7 } })]);

    // Other changes leave the trigger as it is.
    const worded = await api.http.patch('/v1/questions/machine_checkin').set(bearer(brand.key)).send({ text: { en: 'Happy with your machine?' } });
    expect(worded.body.after).toEqual({ factKey: 'owns', value: 'espresso_machine', days: 7 });

    const plain = await api.http.patch('/v1/questions/machine_checkin').set(bearer(brand.key)).send({ after: null });
    expect(plain.status).toBe(200);
    expect(plain.body.after).toBeNull();
    expect(await nextFor(session)).toBe('machine_checkin');
    expect(await dueKeys(brand, subject.id)).toEqual([]);
    const audit = await api.http.get('/v1/audit-log').query({ limit: 200 }).set(bearer(brand.key));
    expect(audit.body.data.filter((e: { action: string }) => e.action === 'question.updated').map((e: { details: Record<string, unknown> }) => e.details.after)).toEqual(
      expect.arrayContaining([{ factKey: 'owns', value: 'espresso_machine', days: 7 }, null]),
    );
  });

  it('refuses a trigger it cannot keep with 422 problems naming each field, and changes nothing', async () => {
    const brand = await kitchen();
    const cases: Array<[unknown, string]> = [
      [{ factKey: 'owns', days: 3.5 }, 'after.days'],
      [{ factKey: 'owns', days: -1 }, 'after.days'],
      [{ factKey: 'owns', days: 3651 }, 'after.days'],
      [{ factKey: 'owns', days: '7' }, 'after.days'],
      [{ factKey: 'owns' }, 'after.days'],
      [{ factKey: 'Owns machine', days: 7 }, 'after.factKey'],
      [{ days: 7 }, 'after.factKey'],
      [{ factKey: 'owns', value: '', days: 7 }, 'after.value'],
      [{ factKey: 'owns', value: 5, days: 7 }, 'after.value'],
      [{ factKey: 'owns', days: 7, within: 30 }, 'after.(unknown field)'],
      [7, 'after'],
      [[{ factKey: 'owns', days: 7 }], 'after'],
      ['owns after 7 days', 'after'],
    ];
    for (const [after, path] of cases) {
      const created = await api.http.post('/v1/questions').set(bearer(brand.key)).send({ ...question('refused'), after });
      expect(created.status, `${JSON.stringify(after)}: ${JSON.stringify(created.body)}`).toBe(422);
      expect(created.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(created.body.errors.map((e: { path: string }) => e.path), JSON.stringify(after)).toContain(path);
      const changed = await api.http.patch('/v1/questions/machine_checkin').set(bearer(brand.key)).send({ text: { en: 'Changed?' }, after });
      expect(changed.status, JSON.stringify(after)).toBe(422);
      expect(changed.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const questions = await api.http.get('/v1/questions').set(bearer(brand.key));
    expect(questions.body.data.map((q: { key: string }) => q.key)).toEqual(['coffee_roast', 'machine_checkin']);
    expect(questions.body.data[1]).toMatchObject({ text: MACHINE_CHECKIN.text, after: MACHINE_CHECKIN.after });
    // The edges are kept: 0 (due as soon as the fact is there) and ten years.
    for (const days of [0, 3650]) expect((await define(brand, question(`edge_${days}`, { factKey: 'owns', days }))).after).toEqual({ factKey: 'owns', value: null, days });
  });
});

describe('the brand\'s list of due follow-ups', () => {
  it('pages the one waiting longest first, is in the customer\'s access log, and keeps its cursors to this subject', async () => {
    const brand = await createBrand(api, 'Kitchen Atelier');
    const keys = ['kettle', 'grinder', 'scale', 'pan'];
    for (const key of keys) await define(brand, question(`${key}_checkin`, { factKey: `owns_${key}`, days: 2 }));
    const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    // Collected 5, 20, 9 and 30 days ago: due 3, 18, 7 and 28 days ago.
    const { subject, session } = await customerWith(brand, [
      { key: 'owns_kettle', value: 'yes', collectedAt: ago(5) },
      { key: 'owns_grinder', value: 'yes', collectedAt: ago(20) },
      { key: 'owns_scale', value: 'yes', collectedAt: ago(9) },
      { key: 'owns_pan', value: 'yes', collectedAt: ago(30) },
    ]);
    const expected = ['pan_checkin', 'grinder_checkin', 'scale_checkin', 'kettle_checkin'];
    const walked: string[] = [];
    const dueSince: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await dueFor(brand, subject.id, cursor ? { limit: 1, cursor } : { limit: 1 });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toHaveLength(1);
      walked.push(res.body.data[0].key);
      dueSince.push(res.body.data[0].dueSince);
      cursor = res.body.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(walked).toEqual(expected);
    expect([...dueSince].sort()).toEqual(dueSince);
    expect(await nextFor(session)).toBe('pan_checkin');

    const log = await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(session));
    expect(log.body.data[0]).toMatchObject({ kind: 'questions', purpose: null, fields: ['questions', 'facts.owns_kettle'] });

    // A cursor of this subject's list opens no other subject's list.
    const other = await customerWith(brand, [{ key: 'owns_pan', value: 'yes', collectedAt: ago(30) }]);
    const first = await dueFor(brand, subject.id, { limit: 2 });
    const replayed = await dueFor(brand, other.subject.id, { limit: 2, cursor: first.body.nextCursor });
    expect(replayed.status).toBe(422);
    expect(replayed.body).toMatchObject({ code: 'validation-failed', errors: [expect.objectContaining({ path: 'cursor' })] });
    expect((await dueFor(brand, subject.id, { limit: 0 })).status).toBe(422);
  });

  it('shows a key limited to purposes only the follow-ups whose fact its purposes cover, while the customer consents to them', async () => {
    const brand = await kitchen();
    for (const p of ['personalization', 'order_updates']) await adoptPurpose(api, brand, p);
    const { subject, session } = await customerWith(brand, [{ key: 'owns', value: 'espresso_machine', collectedAt: new Date(Date.now() - 8 * DAY).toISOString() }]);
    // The purchase was observed: personalization may use it once the customer lets it use what was observed.
    expect((await api.http.put('/v1/me/fact-use/personalization').set(bearer(session)).send({ use: 'all' })).status).toBe(200);
    const orders = await createKey(api, brand, ['subjects:read'], ['order_updates']);
    const suggestions = await createKey(api, brand, ['subjects:read'], ['personalization']);
    const hidden = await dueFor(brand, subject.id, {}, orders);
    expect(hidden.status).toBe(200);
    expect(hidden.body.data).toEqual([]);
    expect(JSON.stringify(hidden.body)).not.toContain('espresso_machine');
    expect((await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(orders))).body.key).toBe('coffee_roast');
    // Personalization covers the fact's category (behaviour), but only while the customer consents to it.
    expect((await dueFor(brand, subject.id, {}, suggestions)).body.data).toEqual([]);
    await grant(api, brand, subject.id, 'personalization');
    expect((await dueFor(brand, subject.id, {}, suggestions)).body.data.map((q: { key: string }) => q.key)).toEqual(['machine_checkin']);
    expect((await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(suggestions))).body.key).toBe('machine_checkin');
    await grant(api, brand, subject.id, 'personalization', false);
    expect((await dueFor(brand, subject.id, {}, suggestions)).body.data).toEqual([]);
    // A key not limited to purposes sees it whatever the consents.
    expect((await dueFor(brand, subject.id)).body.data.map((q: { key: string }) => q.key)).toEqual(['machine_checkin']);
  });

  it('shows a key limited to purposes a guess only when the customer lets its purpose use guesses, as its profile read does', async () => {
    const brand = await kitchen();
    await adoptPurpose(api, brand, 'personalization');
    const { subject, session } = await customerWith(brand, [
      { key: 'owns', value: 'espresso_machine', provenance: 'inferred', collectedAt: new Date(Date.now() - 8 * DAY).toISOString() },
    ]);
    await grant(api, brand, subject.id, 'personalization');
    const suggestions = await createKey(api, brand, ['subjects:read', 'profiles:read'], ['personalization']);
    const profile = async () => {
      const res = await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(suggestions));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const lastRead = async () => (await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(session))).body.data[0];

    // Personalization rests on consent: by default it uses only what the customer said. The guess
    // that she owns an espresso machine is not in its profile read, nor in its due list, and the
    // follow-up it would start is not asked through that key.
    const before = await profile();
    expect(before.factUse).toMatchObject({ purpose: 'personalization', use: 'declared-only', chosen: false });
    expect(JSON.stringify(before)).not.toContain('espresso_machine');
    const hidden = await dueFor(brand, subject.id, {}, suggestions);
    expect(hidden.status).toBe(200);
    expect(hidden.body.data).toEqual([]);
    expect(JSON.stringify(hidden.body)).not.toContain('espresso_machine');
    // Her access log says a list of questions was read, not the fact it did not show.
    expect(await lastRead()).toMatchObject({ kind: 'questions', fields: ['questions'] });
    expect((await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(suggestions))).body.key).toBe('coffee_roast');
    // A key not limited to purposes (the brand's own) sees the guess, as it sees every fact.
    expect((await dueKeys(brand, subject.id))).toEqual(['machine_checkin']);

    // She lets personalization use what was observed or inferred: the profile and the due list show it alike.
    expect((await api.http.put('/v1/me/fact-use/personalization').set(bearer(session)).send({ use: 'all' })).status).toBe(200);
    expect(JSON.stringify(await profile())).toContain('espresso_machine');
    const shown = await dueFor(brand, subject.id, {}, suggestions);
    expect(shown.body.data).toEqual([expect.objectContaining({ key: 'machine_checkin', because: expect.objectContaining({ factKey: 'owns', value: 'espresso_machine' }) })]);
    expect(await lastRead()).toMatchObject({ kind: 'questions', fields: ['questions', 'facts.owns'] });
    expect((await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(suggestions))).body.key).toBe('machine_checkin');

    // And back to "only what I told you": hidden again.
    expect((await api.http.put('/v1/me/fact-use/personalization').set(bearer(session)).send({ use: 'declared-only' })).status).toBe(200);
    expect((await dueFor(brand, subject.id, {}, suggestions)).body.data).toEqual([]);
  });

  it('answers 404 for another brand\'s subject and an id that is not one, 403 without subjects:read or to a customer', async () => {
    const brand = await kitchen();
    const { subject, session } = await customerWith(brand, [{ key: 'owns', value: 'espresso_machine', collectedAt: new Date(Date.now() - 8 * DAY).toISOString() }]);
    const other = await kitchen();
    const foreign = await dueFor(other, subject.id);
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(foreign.body)).not.toContain('machine_checkin');
    expect((await dueFor(brand, 'not-a-uuid')).status).toBe(404);
    expect((await dueFor(brand, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await dueFor(brand, subject.id, {}, await createKey(api, brand, ['config:write']))).status).toBe(403);
    expect((await dueFor(brand, subject.id, {}, session)).status).toBe(403);
    expect((await api.http.get(`/v1/subjects/${subject.id}/questions/due`)).status).toBe(401);
  });
});

describe('the demo', () => {
  it('asks Mette how her espresso machine is doing a week after she bought it, in her language, and never asks Olivia', async () => {
    const banner = await api.app.get(DemoSeeder).seed();
    const key = /\(kitchen-atelier\) API key (cnd_\S+)/.exec(banner.join('\n'))?.[1];
    expect(key, banner.join('\n')).toBeTruthy();
    const brand: TestBrand = { id: '', slug: 'kitchen-atelier', key: key! };
    const idOf = async (externalId: string) => (await api.http.get('/v1/subjects').query({ externalId }).set(bearer(brand.key))).body.data[0].id as string;
    const mette = await idOf('ka-customer-5001');
    const due = await dueFor(brand, mette);
    expect(due.body.data).toEqual([expect.objectContaining({ key: 'machine_checkin', because: expect.objectContaining({ factKey: 'owns', value: 'espresso_machine' }) })]);
    expect(Object.keys(due.body.data[0].text).sort()).toEqual(['da', 'en', 'hu', 'nb', 'pl']);
    expect(due.body.data[0].text.da).toBe('Hvordan går det med din espressomaskine?');
    expect(await nextFor(await signInCustomer(api, brand, mette))).toBe('machine_checkin');
    const olivia = await idOf('ka-customer-5002');
    expect(await dueKeys(brand, olivia)).toEqual([]);
    expect(await nextFor(await signInCustomer(api, brand, olivia))).toBe('machine_for_whom');
    // Every word of the follow-up and its answers is in the brand's five languages.
    expect((await api.http.get('/v1/dictionary/missing').set(bearer(brand.key))).body.data).toEqual([]);
  });
});
