import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { AuthController } from './auth.controller';
import { MailerService } from './mailer.service';
import { SignInService } from './sign-in.service';

@Module({ imports: [SubjectsModule, BrandsModule], controllers: [AuthController], providers: [SignInService, MailerService], exports: [SignInService, MailerService] })
export class AuthModule {}
