import type { MailLocale } from '../mail-locale';
import { da } from './da';
import { en, type MailMessages } from './en';
import { hu } from './hu';
import { nb } from './nb';
import { pl } from './pl';

export type { MailMessages };

const CATALOGUE: Record<MailLocale, MailMessages> = { en, nb, da, pl, hu };

/** Every email's copy in one language. */
export function mailMessages(locale: MailLocale): MailMessages {
  return CATALOGUE[locale];
}
