import type { Locale } from '../../common/i18n/locale';
import { messagesFor } from '../../common/i18n/messages';

/** A piece of an email, rendered once as plain text and once as HTML. */
export type MailBlock =
  | { kind: 'text'; text: string }
  | { kind: 'list'; items: string[] }
  /** The one link the email exists for: a button in HTML (with the address spelled out below it), the bare address in text. */
  | { kind: 'action'; label: string; url: string }
  | { kind: 'footer'; text: string };

/** An email ready to send: the subject line and both parts, all in one language. */
export interface ComposedMail {
  locale: Locale;
  subject: string;
  text: string;
  html: string;
}

/** The customer's sign-in link (magic link) and how long it works. */
export function signInMail(locale: Locale, input: { brandName: string; link: string; minutes: number }): ComposedMail {
  const m = messagesFor(locale);
  return compose(locale, m.signIn.subject(input.brandName), [
    { kind: 'text', text: m.common.hello },
    { kind: 'text', text: m.signIn.body(input.brandName, input.minutes) },
    { kind: 'action', label: m.signIn.action, url: input.link },
    { kind: 'text', text: m.signIn.ignore },
    { kind: 'footer', text: m.common.footer(input.brandName) },
  ]);
}

/** A staff member's sign-in link to the brand's privacy console. */
export function staffSignInMail(locale: Locale, input: { brandName: string; link: string; minutes: number }): ComposedMail {
  const m = messagesFor(locale);
  return compose(locale, m.staffSignIn.subject(input.brandName), [
    { kind: 'text', text: m.common.hello },
    { kind: 'text', text: m.staffSignIn.body(input.brandName, input.minutes) },
    { kind: 'action', label: m.staffSignIn.action, url: input.link },
    { kind: 'text', text: m.staffSignIn.ignore },
    { kind: 'footer', text: m.common.footer(input.brandName) },
  ]);
}

/**
 * The email that carries an erasure receipt's link: what was erased, where the receipt is, and
 * that it holds nothing identifying. `erasedOn` is the day, already formatted for the reader.
 */
export function erasureReceiptMail(locale: Locale, input: { brandName: string; erasedOn: string; link: string }): ComposedMail {
  const m = messagesFor(locale);
  const t = m.erasureReceipt;
  return compose(locale, t.subject(input.brandName), [
    { kind: 'text', text: m.common.hello },
    { kind: 'text', text: t.intro(input.brandName, input.erasedOn) },
    { kind: 'list', items: t.erased },
    { kind: 'text', text: t.receipt(input.brandName) },
    { kind: 'action', label: t.action, url: input.link },
    { kind: 'text', text: t.keep },
    { kind: 'footer', text: m.common.footer(input.brandName) },
  ]);
}

/**
 * Double opt-in: a grant asked for in the person's name, that nothing starts until they confirm,
 * how long the link works, and what to do when it was not them. The link opens a page where they
 * press "Confirm"; opening it changes nothing.
 */
export function consentConfirmationMail(locale: Locale, input: { brandName: string; purposeName: string; link: string; days: number }): ComposedMail {
  const m = messagesFor(locale);
  const t = m.doubleOptIn;
  return compose(locale, t.subject(input.brandName, input.purposeName), [
    { kind: 'text', text: m.common.hello },
    { kind: 'text', text: t.intro(input.brandName, input.purposeName) },
    { kind: 'text', text: t.body(input.days) },
    { kind: 'action', label: t.action, url: input.link },
    { kind: 'text', text: t.ignore },
    { kind: 'footer', text: m.common.footer(input.brandName) },
  ]);
}

function compose(locale: Locale, subject: string, blocks: MailBlock[]): ComposedMail {
  return { locale, subject, text: renderText(blocks), html: renderHtml(locale, subject, blocks) };
}

/** Plain text: blocks apart by a blank line, list items as "- ", the link on a line of its own so mail programs make it clickable. */
export function renderText(blocks: MailBlock[]): string {
  const parts = blocks.map((block) => {
    switch (block.kind) {
      case 'text':
      case 'footer':
        return block.text;
      case 'list':
        return block.items.map((item) => `- ${item}`).join('\n');
      case 'action':
        return block.url;
    }
  });
  return `${parts.join('\n\n')}\n`;
}

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Mail programs drop style sheets and scripts: every style is inline, the layout one column.
const STYLE = {
  body: 'margin:0;padding:24px 16px;background:#f4f6f5;color:#1d2b2a;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif',
  card: 'max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px',
  p: 'margin:0 0 16px',
  ul: 'margin:0 0 16px;padding-left:20px',
  button: 'display:inline-block;padding:12px 20px;background:#1f5f5b;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600',
  small: 'margin:0 0 16px;font-size:14px;color:#4a5a58',
  url: 'color:#1f5f5b;word-break:break-all',
  footer: 'margin:24px 0 0;padding-top:16px;border-top:1px solid #d5dcda;font-size:13px;color:#4a5a58',
};

/** HTML: the same words, escaped, in the reader's language (`lang`), readable without images or styles. */
export function renderHtml(locale: Locale, subject: string, blocks: MailBlock[]): string {
  const m = messagesFor(locale);
  const body = blocks
    .map((block) => {
      switch (block.kind) {
        case 'text':
          return `<p style="${STYLE.p}">${escape(block.text)}</p>`;
        case 'list':
          return `<ul style="${STYLE.ul}">${block.items.map((item) => `<li>${escape(item)}</li>`).join('')}</ul>`;
        case 'action': {
          const url = escape(block.url);
          return (
            `<p style="${STYLE.p}"><a href="${url}" style="${STYLE.button}">${escape(block.label)}</a></p>` +
            `<p style="${STYLE.small}">${escape(m.common.linkFallback)}<br><a href="${url}" style="${STYLE.url}">${url}</a></p>`
          );
        }
        case 'footer':
          return `<p style="${STYLE.footer}">${escape(block.text)}</p>`;
      }
    })
    .join('\n');
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(subject)}</title>
</head>
<body style="${STYLE.body}">
<div style="${STYLE.card}">
${body}
</div>
</body>
</html>
`;
}
