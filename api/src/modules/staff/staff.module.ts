import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BrandsModule } from '../brands/brands.module';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';

/** Global: the auth guard resolves staff sessions through StaffService. */
@Global()
@Module({ imports: [AuthModule, BrandsModule], controllers: [StaffController], providers: [StaffService], exports: [StaffService] })
export class StaffModule {}
