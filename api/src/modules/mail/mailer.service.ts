import { Inject, Injectable, Logger } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { consentConfirmationMail, erasureReceiptMail, signInMail, staffSignInMail, type ComposedMail } from './compose';
import type { Locale } from '../../common/i18n/locale';

export interface SignInEmail {
  to: string;
  brandName: string;
  locale: Locale;
  link: string;
  /** How long the link works, for the text. */
  minutes: number;
  /** For the log line: never the address. */
  subjectId: string;
}

export interface StaffSignInEmail {
  to: string;
  brandName: string;
  locale: Locale;
  link: string;
  minutes: number;
  /** For the log line: never the address. */
  staffId: string;
}

export interface ErasureReceiptEmail {
  to: string;
  brandName: string;
  locale: Locale;
  /** When the erasure happened, already formatted for the reader. */
  erasedOn: string;
  link: string;
  /** For the log line: the privacy request, never the address. */
  requestId: string;
}

export interface ConsentConfirmationEmail {
  to: string;
  locale: Locale;
  brandName: string;
  /** The purpose's name in `locale`. */
  purposeName: string;
  link: string;
  /** How long the link works. */
  days: number;
  /** For the log line: the confirmation, never the address. */
  confirmationId: string;
}

/**
 * Sends Candor's emails (sign-in links, erasure receipts, double opt-in confirmations) through SMTP when `SMTP_URL` is set,
 * each with a subject, a plain-text and an HTML part in the reader's language (copy: ./messages).
 * Without SMTP the link goes to the log instead — shown in development so a newcomer can sign in,
 * redacted in production.
 */
@Injectable()
export class MailerService {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter | null;

  constructor(@Inject(CANDOR_CONFIG) private readonly config: CandorConfig) {
    this.transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : null;
  }

  sendSignInLink(mail: SignInEmail): Promise<void> {
    return this.send(mail.to, signInMail(mail.locale, mail), mail.link, { subjectId: mail.subjectId }, 'sign-in link');
  }

  sendStaffSignInLink(mail: StaffSignInEmail): Promise<void> {
    return this.send(mail.to, staffSignInMail(mail.locale, mail), mail.link, { subjectId: `staff:${mail.staffId}` }, 'sign-in link');
  }

  sendErasureReceipt(mail: ErasureReceiptEmail): Promise<void> {
    return this.send(mail.to, erasureReceiptMail(mail.locale, mail), mail.link, { requestId: mail.requestId }, 'erasure receipt');
  }

  /** A double opt-in confirmation link. */
  sendConsentConfirmation(mail: ConsentConfirmationEmail): Promise<void> {
    return this.send(mail.to, consentConfirmationMail(mail.locale, mail), mail.link, { confirmationId: mail.confirmationId }, 'consent confirmation');
  }

  private async send(to: string, mail: ComposedMail, link: string, logFields: Record<string, string>, what: string): Promise<void> {
    if (!this.transport) {
      const shown = this.config.env === 'production' ? `[redacted: set SMTP_URL to send ${what}s]` : link;
      this.logger.log({ ...logFields, link: shown }, `${what} (no SMTP_URL set, so it was not emailed)`);
      return;
    }
    await this.transport.sendMail({
      from: this.config.mailFrom,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'Content-Language': mail.locale },
    });
    this.logger.log(logFields, `${what} emailed`);
  }
}
