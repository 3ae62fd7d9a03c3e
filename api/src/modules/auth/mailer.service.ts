import { Inject, Injectable, Logger } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { confirmationMail } from '../consents/confirmation-mail';
import { erasureReceiptMail, MailLocale } from './erasure-receipt-mail';

export interface SignInEmail {
  to: string;
  brandName: string;
  link: string;
  /** For the log line: never the address. */
  subjectId: string;
}

export interface ErasureReceiptEmail {
  to: string;
  brandName: string;
  locale: MailLocale;
  /** When the erasure happened, already formatted for the reader. */
  erasedOn: string;
  link: string;
  /** For the log line: the privacy request, never the address. */
  requestId: string;
}

export interface ConsentConfirmationEmail {
  to: string;
  locale: MailLocale;
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
 * Sends sign-in emails through SMTP when `SMTP_URL` is set. Without it the link goes to the log
 * instead — shown in development so a newcomer can sign in, redacted in production.
 */
@Injectable()
export class MailerService {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter | null;

  constructor(@Inject(CANDOR_CONFIG) private readonly config: CandorConfig) {
    this.transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : null;
  }

  async sendSignInLink(mail: SignInEmail): Promise<void> {
    if (!this.transport) {
      const link = this.config.env === 'production' ? '[redacted: set SMTP_URL to send sign-in emails]' : mail.link;
      this.logger.log({ subjectId: mail.subjectId, link }, 'sign-in link (no SMTP_URL set, so it was not emailed)');
      return;
    }
    await this.transport.sendMail({
      from: this.config.mailFrom,
      to: mail.to,
      subject: `Your sign-in link for ${mail.brandName}`,
      text:
        `Hello,\n\nUse this link within 15 minutes to see and manage what ${mail.brandName} knows about you:\n\n${mail.link}\n\n` +
        `If you did not ask for it, ignore this email: nothing happens without the link.\n`,
    });
    this.logger.log({ subjectId: mail.subjectId }, 'sign-in link emailed');
  }

  /** The erasure receipt's link, in the customer's language. Without SMTP the link goes to the log like sign-in links. */
  async sendErasureReceipt(mail: ErasureReceiptEmail): Promise<void> {
    if (!this.transport) {
      const link = this.config.env === 'production' ? '[redacted: set SMTP_URL to send erasure receipts]' : mail.link;
      this.logger.log({ requestId: mail.requestId, link }, 'erasure receipt (no SMTP_URL set, so it was not emailed)');
      return;
    }
    const { subject, text } = erasureReceiptMail(mail.locale, mail.brandName, mail.erasedOn, mail.link);
    await this.transport.sendMail({ from: this.config.mailFrom, to: mail.to, subject, text });
    this.logger.log({ requestId: mail.requestId }, 'erasure receipt emailed');
  }

  /** A double opt-in confirmation link, in the person's language (text and HTML). Without SMTP the link goes to the log like sign-in links. */
  async sendConsentConfirmation(mail: ConsentConfirmationEmail): Promise<void> {
    if (!this.transport) {
      const link = this.config.env === 'production' ? '[redacted: set SMTP_URL to send confirmation emails]' : mail.link;
      this.logger.log({ confirmationId: mail.confirmationId, link }, 'consent confirmation (no SMTP_URL set, so it was not emailed)');
      return;
    }
    const { subject, text, html } = confirmationMail(mail.locale, mail.brandName, mail.purposeName, mail.link, mail.days);
    await this.transport.sendMail({ from: this.config.mailFrom, to: mail.to, subject, text, html });
    this.logger.log({ confirmationId: mail.confirmationId }, 'consent confirmation emailed');
  }
}
