import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor, BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiProblems } from '../../common/http/openapi.decorators';
import { BrandsService } from './brands.service';
import { BrandResponse, CreateBrandDto, CreatedBrandResponse } from './dto/brand.dto';

@ApiTags('configuration')
@Controller('v1')
export class BrandsController {
  constructor(private readonly brands: BrandsService) {}

  @Post('brands')
  @Can('create', 'Brand')
  @ApiCreatedResponse({ type: CreatedBrandResponse, description: 'Operator only. The first API key is shown only here.' })
  @ApiProblems(401, 403, 409, 422)
  create(@Caller() caller: Actor, @Body() body: CreateBrandDto): Promise<CreatedBrandResponse> {
    return this.brands.create(caller, body);
  }

  @Get('brand')
  @Can('read', 'Brand')
  @ApiOkResponse({ type: BrandResponse, description: 'The brand of the calling key.' })
  @ApiProblems(401, 403)
  current(@Caller() caller: BrandActor): Promise<BrandResponse> {
    return this.brands.current(caller);
  }
}
