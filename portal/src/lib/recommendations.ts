/**
 * "For you": the brand's suggestions, each with the explanation the API gives (the facts it used,
 * where they came from, the consent that allows it), and the correction loop: "not relevant"
 * hides a suggestion, "wrong reason" sets the cited fact aside and leads to correcting or deleting it.
 */
import { ApiProblem, ok, type ApiClient, type Schemas } from './api';
import { formatDate, formatNumber, humanize, localized, type Locale } from './i18n';
import { factUseViews, type FactUseView } from './fact-use';
import { factLabel, factValue, loadMe, purposeNames, type Me } from './profile';

/** The purpose that personalised suggestions need. */
export const PERSONALIZATION = 'personalization';

export interface ReasonView {
  factId: string;
  /** "Motivation" */
  label: string;
  /** "To sleep better" — the brand's own words in the page's language, from the API. */
  value: string;
  provenance: Schemas['CitedFactResponse']['provenance'];
  /** Where it came from, in the page's language ("Your answer to “…”"), from the API. */
  source: string;
  collected: string;
  /** What this reason adds to the score, formatted for the page ("1,8"): only in the details. */
  points: string;
}

export interface CardView {
  sku: string;
  title: string;
  url: string | null;
  /** The API's sentence ("Because you told us on 2 March…"), in `textLocale`. */
  text: string;
  counterfactual: string;
  /** The language the API wrote the explanation in (the page's, which the portal asks for), for `lang`. */
  textLocale: string;
  purpose: string;
  /** The numbers and ids behind the suggestion: shown only in its "details" disclosure. */
  score: string;
  consentEventId: string;
  reasons: ReasonView[];
}

/** A fact the customer just set aside: the page offers to correct or delete it. */
export interface CorrectionView {
  factId: string;
  label: string;
  value: string;
}

/**
 * The page: suggestions (`ready`), the way to turn them on (`consent-required`), or — for a brand
 * that has no personalization purpose at all — a page that says so (`unavailable`). `use` is what
 * suggestions may use ("only what you told us" or also observations and guesses), with the switch.
 */
export type ForYouView =
  | { kind: 'ready'; cards: CardView[]; correction: CorrectionView | null; use: FactUseView | null }
  | { kind: 'consent-required'; purposeName: string; notice: string; withdrawn: boolean; correction: CorrectionView | null; use: FactUseView | null }
  | { kind: 'unavailable'; correction: null; use: null };

export async function loadForYou(api: ApiClient, locale: Locale, brandDefault: string, correctFactId: string | null): Promise<ForYouView> {
  const me = await loadMe(api);
  // A brand may well not personalise: then there is nothing to ask the API for.
  if (!me.consents.some((c) => c.purpose === PERSONALIZATION)) return { kind: 'unavailable', correction: null, use: null };
  // The page's language, not the one stored for the customer: every word of the reasons matches the page.
  const result = await api.GET('/v1/me/recommendations', { params: { query: { locale } } });
  const correction = correctionOf(me, correctFactId, locale);
  const use = factUseViews(me, locale).find((u) => u.purpose === PERSONALIZATION) ?? null;
  if (result.response.status === 403) {
    const problem = (result.error ?? {}) as Partial<Schemas['ProblemDto']>;
    if (problem.code !== 'consent-required') throw new ApiProblem(403, problem.code, problem.detail);
    const consent = me.consents.find((c) => c.purpose === PERSONALIZATION);
    return {
      kind: 'consent-required',
      purposeName: purposeNames(me, locale).get(PERSONALIZATION) ?? humanize(PERSONALIZATION),
      notice: localized(consent?.noticeText, locale, brandDefault),
      withdrawn: consent?.granted === false,
      correction,
      use,
    };
  }
  const { data } = ok(result);
  const tz = me.subject.timezone;
  const labels = new Map(me.facts.map((f) => [f.id, f]));
  return {
    kind: 'ready',
    correction,
    use,
    cards: data.map((r) => ({
      sku: r.sku,
      title: localized(r.titleLabel, locale) || r.title,
      url: r.url,
      text: r.explanation.text,
      counterfactual: r.explanation.counterfactual,
      textLocale: r.explanation.locale,
      purpose: purposeNames(me, locale).get(r.explanation.purpose) ?? humanize(r.explanation.purpose),
      score: formatNumber(r.score, locale),
      consentEventId: r.explanation.consentEventId,
      reasons: r.explanation.because.map((b) => {
        const known = labels.get(b.factId);
        return {
          factId: b.factId,
          // The key in the brand's words; the value and source as the API's explanation says them, in its language.
          label: known ? factLabel(known, locale) : humanize(b.key),
          value: b.label,
          provenance: b.provenance,
          source: sentenceCase(b.sourceLabel, locale),
          collected: formatDate(b.collectedAt, locale, tz),
          points: formatNumber(b.points, locale),
        };
      }),
    })),
  };
}

/** "your answer to …" → "Your answer to …", as a line of its own. */
function sentenceCase(text: string, locale: Locale): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/** The fact the customer just said is wrong, when it is still theirs (never another's id). */
function correctionOf(me: Me, factId: string | null, locale: Locale): CorrectionView | null {
  const fact = factId ? me.facts.find((f) => f.id === factId) : undefined;
  if (!fact) return null;
  return { factId: fact.id, label: factLabel(fact, locale), value: factValue(fact, locale) };
}

export type FeedbackKind = Schemas['FeedbackDto']['kind'];

export async function sendFeedback(api: ApiClient, sku: string, kind: FeedbackKind, factId?: string): Promise<void> {
  ok(await api.POST('/v1/me/recommendations/{sku}/feedback', { params: { path: { sku } }, body: factId ? { kind, factId } : { kind } }));
}
