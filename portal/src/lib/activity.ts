/** Activity: the access log — who read the customer's data, for which purpose, when. */
import { ok, type ApiClient } from './api';
import { formatDateTime, formatList, humanize, type Locale, type Messages } from './i18n';
import { loadMe, purposeNames } from './profile';

export interface AccessView {
  id: string;
  when: string;
  who: string;
  what: string;
  purpose: string;
  fields: string;
}

export async function loadActivity(api: ApiClient, locale: Locale, t: Messages): Promise<AccessView[]> {
  const [me, log] = await Promise.all([loadMe(api), api.GET('/v1/me/access-log', { params: { query: { limit: 100 } } }).then(ok)]);
  const names = purposeNames(me, locale);
  return log.data.map((record) => ({
    id: record.id,
    when: formatDateTime(record.at, locale, me.subject.timezone),
    who: record.reader,
    what: t.activity.kinds[record.kind] ?? humanize(record.kind),
    purpose: record.purpose ? (names.get(record.purpose) ?? humanize(record.purpose)) : '—',
    fields: record.fields.length ? formatList(record.fields.map((f) => fieldLabel(f, t)), locale) : t.activity.nothing,
  }));
}

/** Access records name fields as `facts.<key>` or `preferences`: say them in words. */
function fieldLabel(field: string, t: Messages): string {
  if (field === 'preferences') return t.activity.preferencesField;
  return humanize(field.replace(/^facts\./, ''));
}
