import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { AuthController } from './auth.controller';
import { MailModule } from '../mail/mail.module';
import { SignInService } from './sign-in.service';

@Module({ imports: [SubjectsModule, BrandsModule, MailModule], controllers: [AuthController], providers: [SignInService], exports: [SignInService] })
export class AuthModule {}
