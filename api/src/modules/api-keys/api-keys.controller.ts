import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../common/http/pagination';
import { ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyResponse, CreateApiKeyDto, IssuedApiKeyResponse } from './dto/api-key.dto';

@ApiTags('configuration')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOp({
    id: 'createApiKey',
    summary: 'Create an API key',
    description: 'A new key with the scopes (and, optionally, the purposes) given. A key may never hold more than the key that creates it. The secret is shown only in this answer.',
    example: {"name": "newsletter service", "scopes": ["consents:read"], "purposes": ["email_marketing"]},
  })
  @Can('create', 'ApiKey')
  @ApiCreatedResponse({ type: IssuedApiKeyResponse, description: 'The key, shown only in this response.' })
  @ApiProblems(401, 403, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreateApiKeyDto): Promise<IssuedApiKeyResponse> {
    return this.apiKeys.create(caller, body);
  }

  @Get()
  @ApiOp({ id: 'listApiKeys', summary: 'List API keys', description: 'The brand\'s keys (never their secrets), oldest first, revoked ones included.' })
  @Can('read', 'ApiKey')
  @ApiPage(ApiKeyResponse)
  @ApiProblems(401, 403)
  list(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<ApiKeyResponse>> {
    return this.apiKeys.list(caller, query);
  }

  @Delete(':id')
  @ApiOp({ id: 'revokeApiKey', summary: 'Revoke an API key', description: 'The key stops working at once.' })
  @HttpCode(204)
  @Can('delete', 'ApiKey')
  @ApiNoContentResponse({ description: 'Revoked: the key stops working at once.' })
  @ApiProblems(401, 403, 404)
  revoke(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('API key')) id: string): Promise<void> {
    return this.apiKeys.revoke(caller, id);
  }
}
