import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { Caller, Can, Public } from '../../common/authz/decorators';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { SignInLimiter } from '../../common/http/rate-limits';
import { notFoundOnBadUuid } from '../../common/http/params';
import { CreateSessionDto, PortalLinkResponse, RequestMagicLinkDto, SessionResponse } from './dto/auth.dto';
import { SignInService } from './sign-in.service';

@ApiTags('customers')
@Controller('v1')
export class AuthController {
  constructor(
    private readonly signIn: SignInService,
    private readonly limits: SignInLimiter,
  ) {}

  @Post('auth/magic-links')
  @ApiOp({
    id: 'requestMagicLink',
    summary: 'Email a sign-in link',
    description: 'Always 202, whether or not the brand knows the address (no account enumeration). A few links per address per window are sent at most.',
    example: {"brand": "calm-harbor", "email": "ingrid.solberg@example.com"},
  })
  @Public()
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Always 202: if the brand knows this email, a sign-in link is on its way.', schema: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { const: 'accepted' } } } as never })
  @ApiProblems(422, 429)
  async requestMagicLink(@Body() body: RequestMagicLinkDto): Promise<{ status: 'accepted' }> {
    // Besides the per-address limit at the edge (429): a few emails per address, whoever asks;
    // past that the answer is the same 202 and nothing is sent (the links already sent still work).
    if (await this.limits.mayEmail('customer', body.email)) this.signIn.requestMagicLink(body.brand, body.email, body.locale);
    return { status: 'accepted' };
  }

  @Post('auth/sessions')
  @ApiOp({
    id: 'createSession',
    summary: 'Sign in with a link token',
    description: 'Exchanges a magic-link or portal-link token (each works once) for a customer session token.',
    example: {"token": "cml_Zm9vYmFyYmF6cXV4cXV1eHh5eg"},
  })
  @Public()
  @ApiCreatedResponse({ type: SessionResponse })
  @ApiProblems(401, 422)
  createSession(@Body() body: CreateSessionDto): Promise<SessionResponse> {
    return this.signIn.createSession(body.token);
  }

  @Delete('auth/sessions/current')
  @ApiOp({ id: 'endSession', summary: 'Sign out', description: 'Ends the customer session at once.' })
  @HttpCode(204)
  @Can('delete', 'Me')
  @ApiNoContentResponse({ description: 'Signed out: the session token stops working at once.' })
  @ApiProblems(401, 403)
  endSession(@Caller() customer: CustomerActor): Promise<void> {
    return this.signIn.endSession(customer);
  }

  @Post('subjects/:id/portal-links')
  @ApiOp({
    id: 'createPortalLink',
    summary: 'Create a portal link',
    description: 'A one-time sign-in link for a "manage your preferences" email. The link becomes the customer\'s session, so only a key that holds everything a session can do may mint it: `subjects:read`, `subjects:write`, `consents:read`, `consents:write`, `profiles:read`, `recommendations:read` and `compliance`.',
  })
  @Can('create', 'PortalLink')
  @ApiCreatedResponse({ type: PortalLinkResponse, description: 'A one-time sign-in link for a "manage your preferences" email.' })
  @ApiProblems(401, 403, 404)
  portalLink(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) subjectId: string): Promise<PortalLinkResponse> {
    return this.signIn.issuePortalLink(caller, subjectId);
  }
}
