/** "Tell us more": one progressive-profiling question at a time. */
import { ok, type ApiClient, type Schemas } from './api';
import { localized, type Locale } from './i18n';

export interface QuestionView {
  key: string;
  text: string;
  multiple: boolean;
  options: Array<{ value: string; label: string }>;
}

export async function loadNextQuestion(api: ApiClient, locale: Locale, brandDefault: string): Promise<QuestionView | null> {
  const result = await api.GET('/v1/me/questions/next');
  if (result.response.status === 204) return null;
  const question: Schemas['QuestionResponse'] = ok(result);
  return {
    key: question.key,
    text: localized(question.text, locale, brandDefault),
    multiple: question.multiple,
    options: question.options.map((o) => ({ value: o.value, label: localized(o.label, locale, brandDefault) })),
  };
}

export async function answerQuestion(api: ApiClient, key: string, answer: { values: string[] } | { dismissed: true }): Promise<void> {
  ok(await api.POST('/v1/me/questions/{key}/answer', { params: { path: { key } }, body: answer }));
}
