import { Module } from '@nestjs/common';
import { MailerService } from './mailer.service';

/** Candor's emails to people: the mailer and, in ./messages, their copy in every language. */
@Module({ providers: [MailerService], exports: [MailerService] })
export class MailModule {}
