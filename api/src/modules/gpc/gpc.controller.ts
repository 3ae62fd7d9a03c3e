import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../common/authz/decorators';

/** The Global Privacy Control support resource (https://privacycg.github.io/gpc-spec/). */
@ApiExcludeController()
@Controller('.well-known')
export class GpcController {
  @Get('gpc.json')
  @Public()
  support(): { gpc: true; lastUpdate: string } {
    return { gpc: true, lastUpdate: '2026-11-28' };
  }
}
