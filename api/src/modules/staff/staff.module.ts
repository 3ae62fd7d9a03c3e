import { Global, Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module';
import { MailModule } from '../mail/mail.module';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';

/** Global: the auth guard resolves staff sessions through StaffService. */
@Global()
@Module({ imports: [BrandsModule, MailModule], controllers: [StaffController], providers: [StaffService], exports: [StaffService] })
export class StaffModule {}
