import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { BrandActor, StaffActor } from '../../common/authz/actor';
import { Caller, Can, Public } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { SignInLimiter } from '../../common/http/rate-limits';
import { type Page, PageQuery } from '../../common/http/pagination';
import { ConsentStatsResponse, CreateStaffDto, StaffLinkDto, StaffResponse, StaffSessionDto, StaffSessionResponse } from './dto/staff.dto';
import { StaffService } from './staff.service';

@ApiTags('staff')
@Controller('v1')
export class StaffController {
  constructor(
    private readonly staff: StaffService,
    private readonly limits: SignInLimiter,
  ) {}

  @Post('staff')
  @ApiOp({
    id: 'createStaff',
    summary: 'Add a staff member',
    description: 'A console account with a role: viewer (watches), compliance (acts on requests) or admin (also manages staff).',
    example: {"email": "dpo@calmharbor.example", "name": "Astrid Berg", "role": "compliance"},
  })
  @Can('create', 'Staff')
  @ApiCreatedResponse({ type: StaffResponse })
  @ApiProblems(401, 403, 409, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreateStaffDto): Promise<StaffResponse> {
    return this.staff.create(caller, body);
  }

  @Get('staff')
  @ApiOp({ id: 'listStaff', summary: 'List staff', description: 'The brand\'s staff accounts, oldest first.' })
  @Can('read', 'Staff')
  @ApiPage(StaffResponse)
  @ApiProblems(401, 403)
  list(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<StaffResponse>> {
    return this.staff.list(caller, query);
  }

  @Delete('staff/:id')
  @ApiOp({ id: 'disableStaff', summary: 'Disable a staff member', description: 'Their sessions end at once.' })
  @HttpCode(204)
  @Can('delete', 'Staff')
  @ApiNoContentResponse({ description: 'Disabled: their sessions end at once.' })
  @ApiProblems(401, 403, 404)
  disable(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('staff member')) id: string): Promise<void> {
    return this.staff.disable(caller, id);
  }

  @Post('auth/staff-links')
  @ApiOp({
    id: 'requestStaffLink',
    summary: 'Email a console sign-in link',
    description: 'Always 202, whether or not the address belongs to staff.',
    example: {"brand": "calm-harbor", "email": "dpo@calmharbor.example"},
  })
  @Public()
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Always 202: if the address belongs to staff, a console sign-in link is on its way.', schema: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { const: 'accepted' } } } as never })
  @ApiProblems(422, 429)
  async requestLink(@Body() body: StaffLinkDto): Promise<{ status: 'accepted' }> {
    // Besides the per-address limit at the edge (429): a few emails per address, whoever asks;
    // past that the answer is the same 202 and nothing is sent (the links already sent still work).
    if (await this.limits.mayEmail('staff', body.email)) this.staff.requestLink(body.brand, body.email, body.locale);
    return { status: 'accepted' };
  }

  @Post('auth/staff-sessions')
  @ApiOp({
    id: 'createStaffSession',
    summary: 'Sign in to the console',
    description: 'Exchanges a staff sign-in token (it works once) for a console session.',
    example: {"token": "ssl_Zm9vYmFyYmF6cXV4cXV1eHh5eg"},
  })
  @Public()
  @ApiCreatedResponse({ type: StaffSessionResponse })
  @ApiProblems(401, 422)
  createSession(@Body() body: StaffSessionDto): Promise<StaffSessionResponse> {
    return this.staff.createSession(body.token);
  }

  @Delete('auth/staff-sessions/current')
  @ApiOp({ id: 'endStaffSession', summary: 'Sign out of the console', description: 'Ends the console session at once.' })
  @HttpCode(204)
  @Can('delete', 'StaffSession')
  @ApiNoContentResponse()
  @ApiProblems(401, 403)
  endSession(@Caller() caller: StaffActor): Promise<void> {
    return this.staff.endSession(caller);
  }

  @Get('staff/me')
  @ApiOp({ id: 'getStaffMe', summary: 'Who am I (staff)', description: 'The signed-in staff member\'s name and role.' })
  @Can('read', 'StaffSession')
  @ApiOkResponse({ schema: { type: 'object', properties: { staffId: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } } })
  @ApiProblems(401, 403)
  whoAmI(@Caller() caller: StaffActor): { staffId: string; name: string; role: string } {
    return { staffId: caller.staffId, name: caller.name, role: caller.role };
  }

  @Get('consent-stats')
  @ApiOp({ id: 'getConsentStats', summary: 'Get consent statistics', description: 'Grants and withdrawals per purpose per day, for the last `days` days (UTC).' })
  @Can('read', 'ConsentStats')
  @ApiQuery({ name: 'days', required: false, schema: { type: 'integer', minimum: 1, maximum: 366, default: 90 } })
  @ApiOkResponse({ type: ConsentStatsResponse })
  @ApiProblems(401, 403, 422)
  stats(@Caller() caller: BrandActor, @Query('days') days?: string): Promise<ConsentStatsResponse> {
    const n = days === undefined ? 90 : Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 366) throw DomainError.validation([{ path: 'days', message: 'must be a whole number from 1 to 366' }]);
    return this.staff.consentStats(caller, n);
  }
}
