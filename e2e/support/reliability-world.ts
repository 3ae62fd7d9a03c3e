import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { SCOPES, type MatrixScope } from '../../api/test/authorization-matrix';
import type { TestApi } from './api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, recordFact, signInCustomer, TestBrand } from './factories';

/**
 * Two brands with everything the reliability tests point at: keys with one scope each, customers
 * with sessions, facts, consents, questions, a webhook and privacy requests. Brand B mirrors A so
 * that A's ids sent with B's credentials (and the other way round) can be tried everywhere.
 */
export interface World {
  a: TenantWorld;
  b: TenantWorld;
  /** Every personal value seeded (emails, phones, fact values): they must never reach a log. */
  personalValues: string[];
}

export interface TenantWorld {
  brand: TestBrand;
  keys: Record<MatrixScope, string>;
  subjects: Array<{ id: string; externalId: string; email: string; phone: string }>;
  /** Sessions of subjects[0] and subjects[1]. */
  sessions: [string, string];
  /** Facts of subjects[0]. */
  factIds: string[];
  /** Consent event ids of subjects[0]. */
  consentEventIds: string[];
  questionKeys: string[];
  webhookId: string;
  privacyRequestId: string;
  /** Purpose adopted here and not by the other brand. */
  ownPurpose: string;
}

export const SHARED_PURPOSES = ['email_marketing', 'order_updates'] as const;

export async function buildWorld(api: TestApi, opts: { subjectsPerBrand?: number } = {}): Promise<World> {
  const personalValues: string[] = [];
  const tenant = async (name: string, ownPurpose: string): Promise<TenantWorld> => {
    const brand = await createBrand(api, name);
    for (const p of [...SHARED_PURPOSES, ownPurpose]) await adoptPurpose(api, brand, p);
    const keys = {} as Record<MatrixScope, string>;
    for (const scope of SCOPES) keys[scope] = await createKey(api, brand, [scope]);
    const subjects: TenantWorld['subjects'] = [];
    for (let i = 0; i < (opts.subjectsPerBrand ?? 3); i++) {
      const tag = randomBytes(4).toString('hex');
      const identity = { externalId: `ext-${tag}`, email: `person.${tag}@example.com`, phone: `+4790${parseInt(tag, 16).toString().slice(0, 6).padStart(6, '0')}` };
      const s = await createSubject(api, brand, { ...identity, timezone: 'Europe/Oslo' });
      subjects.push({ ...identity, id: s.id });
      personalValues.push(identity.email, identity.phone);
    }
    const first = subjects[0].id;
    await grant(api, brand, first, ownPurpose);
    await grant(api, brand, first, 'email_marketing');
    const factIds: string[] = [];
    for (const [key, category] of [['motivation', 'motivations'], ['hobby', 'interests']]) {
      const value = `${key}-value-${randomBytes(4).toString('hex')}`;
      personalValues.push(value);
      factIds.push((await recordFact(api, brand, first, { key, value, category })).id);
    }
    const sessions: [string, string] = [await signInCustomer(api, brand, first), await signInCustomer(api, brand, subjects[1].id)];
    const history = await api.http.get('/v1/me/consents').set(bearer(sessions[0]));
    expect(history.status).toBe(200);
    const questionKeys = ['why_here', 'for_whom', 'what_time'];
    for (const key of questionKeys) {
      const res = await api.http.post('/v1/questions').set(bearer(brand.key)).send(question(key));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const hook = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: 'http://127.0.0.1:9/hook', events: ['consent.changed'] });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const request = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subjects[2 % subjects.length].id, type: 'access' });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    return {
      brand,
      keys,
      subjects,
      sessions,
      factIds,
      consentEventIds: history.body.data.map((e: { id: string }) => e.id),
      questionKeys,
      webhookId: hook.body.id,
      privacyRequestId: request.body.id,
      ownPurpose,
    };
  };
  const a = await tenant('Calm Harbor', 'personalization');
  const b = await tenant('Kitchen Atelier', 'analytics');
  return { a, b, personalValues };
}

export function question(key: string) {
  return {
    key,
    text: { en: `Question ${key}?` },
    factKey: `answer_${key}`,
    category: 'motivations',
    options: [
      { value: 'yes', label: { en: 'Yes' } },
      { value: 'no', label: { en: 'No' } },
    ],
  };
}

/** A customer of `brand` signed in afresh (for requests that end a session or erase the subject). */
export async function freshCustomer(api: TestApi, brand: TestBrand): Promise<{ subjectId: string; session: string }> {
  const subject = await createSubject(api, brand);
  return { subjectId: subject.id, session: await signInCustomer(api, brand, subject.id) };
}
