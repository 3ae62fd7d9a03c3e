import type { Locale as MailLocale } from '../../common/i18n/locale';

export interface ConfirmationMailContent {
  subject: string;
  text: string;
  html: string;
}

/**
 * The double opt-in email, in the person's language, as plain text and HTML: what was asked for
 * in whose name, that nothing starts until they confirm, how long the link works, and what to do
 * when it was not them. The link opens a page where they press "Confirm"; opening it changes nothing.
 */
export function confirmationMail(locale: MailLocale, brandName: string, purposeName: string, link: string, days: number): ConfirmationMailContent {
  const t = TEXTS[locale];
  const paragraphs = [t.intro(brandName, purposeName), t.confirm(days)];
  const text = [t.hello, '', ...paragraphs.flatMap((p) => [p, '']), link, '', t.ignore, ''].join('\n');
  const html = [
    '<!doctype html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject(brandName, purposeName))}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 36rem; margin: 0 auto; padding: 1rem;">',
    `<p>${escapeHtml(t.hello)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link)}" style="display: inline-block; padding: 0.6rem 1.2rem; background: #1f4e79; color: #ffffff; text-decoration: none; border-radius: 0.3rem;">${escapeHtml(t.button)}</a></p>`,
    `<p style="font-size: 0.9rem; color: #555555;">${escapeHtml(t.linkHint)}<br><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
    `<p style="font-size: 0.9rem; color: #555555;">${escapeHtml(t.ignore)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: t.subject(brandName, purposeName), text, html };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface Texts {
  subject: (brand: string, purpose: string) => string;
  hello: string;
  intro: (brand: string, purpose: string) => string;
  confirm: (days: number) => string;
  button: string;
  linkHint: string;
  ignore: string;
}

const TEXTS: Record<MailLocale, Texts> = {
  en: {
    subject: (brand, purpose) => `Please confirm: ${purpose} from ${brand}`,
    hello: 'Hello,',
    intro: (brand, purpose) => `Someone — most likely you — asked ${brand} for this, using your email address: “${purpose}”.`,
    confirm: (days) => `Nothing starts until you confirm. Open the link within ${days === 1 ? '1 day' : `${days} days`} and press “Confirm”.`,
    button: 'Confirm',
    linkHint: 'If the button does not work, copy this link into your browser:',
    ignore: 'If this was not you, ignore this email: without your confirmation nothing changes, and the link then expires.',
  },
  nb: {
    subject: (brand, purpose) => `Bekreft: ${purpose} fra ${brand}`,
    hello: 'Hei,',
    intro: (brand, purpose) => `Noen – mest sannsynlig du – har bedt ${brand} om dette med e-postadressen din: «${purpose}».`,
    confirm: (days) => `Ingenting starter før du bekrefter. Åpne lenken innen ${days === 1 ? '1 dag' : `${days} dager`} og trykk «Bekreft».`,
    button: 'Bekreft',
    linkHint: 'Virker ikke knappen? Kopier denne lenken inn i nettleseren:',
    ignore: 'Var det ikke deg, kan du se bort fra denne e-posten: uten din bekreftelse endres ingenting, og lenken slutter så å virke.',
  },
  da: {
    subject: (brand, purpose) => `Bekræft: ${purpose} fra ${brand}`,
    hello: 'Hej,',
    intro: (brand, purpose) => `Nogen – sandsynligvis dig – har bedt ${brand} om dette med din e-mailadresse: »${purpose}«.`,
    confirm: (days) => `Intet starter, før du bekræfter. Åbn linket inden for ${days === 1 ? '1 dag' : `${days} dage`}, og tryk på »Bekræft«.`,
    button: 'Bekræft',
    linkHint: 'Virker knappen ikke? Kopiér dette link ind i din browser:',
    ignore: 'Hvis det ikke var dig, kan du se bort fra denne e-mail: uden din bekræftelse ændres intet, og linket holder derefter op med at virke.',
  },
  pl: {
    subject: (brand, purpose) => `Potwierdź: ${purpose} – ${brand}`,
    hello: 'Dzień dobry,',
    intro: (brand, purpose) => `Do ${brand} wpłynęła prośba dotycząca Twojego adresu e-mail: „${purpose}”. Najpewniej wysłałeś ją Ty.`,
    confirm: (days) => `Nic się nie zacznie, dopóki tego nie potwierdzisz. Otwórz link w ciągu ${days === 1 ? '1 dnia' : `${days} dni`} i naciśnij „Potwierdź”.`,
    button: 'Potwierdź',
    linkHint: 'Jeśli przycisk nie działa, skopiuj ten link do przeglądarki:',
    ignore: 'Jeśli to nie Ty, zignoruj tę wiadomość: bez Twojego potwierdzenia nic się nie zmieni, a link potem wygaśnie.',
  },
  hu: {
    subject: (brand, purpose) => `Kérjük, erősítsd meg: ${purpose} – ${brand}`,
    hello: 'Kedves Ügyfelünk!',
    intro: (brand, purpose) => `Valaki – valószínűleg te – a következőt kérte tőlünk (${brand}) az e-mail-címeddel: „${purpose}”.`,
    confirm: (days) => `Semmi sem indul el, amíg meg nem erősíted. Nyisd meg a linket ${days} napon belül, és nyomd meg a „Megerősítés” gombot.`,
    button: 'Megerősítés',
    linkHint: 'Ha a gomb nem működik, másold ezt a linket a böngésződbe:',
    ignore: 'Ha nem te voltál, hagyd figyelmen kívül ezt az e-mailt: megerősítésed nélkül semmi sem változik, és a link ezután lejár.',
  },
};
