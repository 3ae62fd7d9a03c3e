import type { Locale } from '../locale';
import { da } from './da';
import { en, type Messages } from './en';
import { hu } from './hu';
import { nb } from './nb';
import { pl } from './pl';

export type { Messages };

const CATALOGUE: Record<Locale, Messages> = { en, nb, da, pl, hu };

/** Every email and page the API writes for a person, in one language. */
export function messagesFor(locale: Locale): Messages {
  return CATALOGUE[locale];
}
