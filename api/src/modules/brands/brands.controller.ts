import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor, BrandActor } from '../../common/authz/actor';
import { Caller, Can, Public } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { BrandsService } from './brands.service';
import { BrandResponse, CreateBrandDto, CreatedBrandResponse, PublicBrandResponse } from './dto/brand.dto';

@ApiTags('configuration')
@Controller('v1')
export class BrandsController {
  constructor(private readonly brands: BrandsService) {}

  @Post('brands')
  @ApiOp({
    id: 'createBrand',
    summary: 'Create a brand',
    description: 'The platform operator creates a tenant. The answer carries the brand\'s first API key, with every scope, shown only here.',
    example: {"slug": "calm-harbor", "name": "Calm Harbor", "defaultLocale": "en"},
  })
  @Can('create', 'Brand')
  @ApiCreatedResponse({ type: CreatedBrandResponse, description: 'Operator only. The first API key is shown only here.' })
  @ApiProblems(401, 403, 409, 422)
  create(@Caller() caller: Actor, @Body() body: CreateBrandDto): Promise<CreatedBrandResponse> {
    return this.brands.create(caller, body);
  }

  @Get('brands/by-slug/:slug')
  @ApiOp({
    id: 'getPublicBrand',
    summary: 'Get a brand\'s public details',
    description: 'What a sign-in page may show about a brand (name, default language). No credential needed.',
  })
  @Public()
  @ApiOkResponse({ type: PublicBrandResponse, description: 'What a sign-in page may show about a brand: no credential needed.' })
  @ApiProblems(404)
  async bySlug(@Param('slug') slug: string): Promise<PublicBrandResponse> {
    const brand = await this.brands.findBySlug(slug);
    if (!brand) throw new DomainError('not-found', 'No brand has that slug.');
    return { slug: brand.slug, name: brand.name, defaultLocale: brand.defaultLocale };
  }

  @Get('brand')
  @ApiOp({ id: 'getCurrentBrand', summary: 'Get the calling key\'s brand', description: 'The brand the credential belongs to.' })
  @Can('read', 'Brand')
  @ApiOkResponse({ type: BrandResponse, description: 'The brand of the calling key.' })
  @ApiProblems(401, 403)
  current(@Caller() caller: BrandActor): Promise<BrandResponse> {
    return this.brands.current(caller);
  }
}
