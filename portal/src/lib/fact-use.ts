/**
 * What each purpose may use of what the brand knows: "only what you told us" or "also what we
 * observed or inferred", as the customer chose (or the purpose's standard setting), and the
 * one-click switch between the two.
 */
import { ok, type ApiClient, type Schemas } from './api';
import { formatDate, humanize, type Locale } from './i18n';
import { purposeNames, type Me } from './profile';

export type FactUse = Schemas['FactUseResponse']['use'];
export const FACT_USES: readonly FactUse[] = ['declared-only', 'all'];

export function isFactUse(value: unknown): value is FactUse {
  return typeof value === 'string' && (FACT_USES as readonly string[]).includes(value);
}

export interface FactUseView {
  purpose: string;
  /** The purpose's name in the reader's language. */
  name: string;
  use: FactUse;
  /** The customer chose it (else it is the purpose's standard setting). */
  chosen: boolean;
  /** When they chose it, in words (null: never). */
  chosenOn: string | null;
}

/**
 * Every purpose of the brand that uses facts at all (one covering no data category has nothing to
 * choose), in the order `GET /v1/me` gives them.
 */
export function factUseViews(me: Me, locale: Locale): FactUseView[] {
  const names = purposeNames(me, locale);
  const usesFacts = new Set(me.consents.filter((c) => c.dataCategories.length > 0).map((c) => c.purpose));
  return me.factUse.filter((u) => usesFacts.has(u.purpose)).map((u) => ({
    purpose: u.purpose,
    name: names.get(u.purpose) ?? humanize(u.purpose),
    use: u.use,
    chosen: u.chosen,
    chosenOn: u.updatedAt ? formatDate(u.updatedAt, locale, me.subject.timezone) : null,
  }));
}

export async function setFactUse(api: ApiClient, purpose: string, use: FactUse): Promise<Schemas['FactUseResponse']> {
  return ok(await api.PUT('/v1/me/fact-use/{purpose}', { params: { path: { purpose } }, body: { use } }));
}
