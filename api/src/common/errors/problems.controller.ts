import { Controller, Get, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../authz/decorators';
import { DomainError } from './domain-error';
import { PROBLEM_TYPES, ProblemCode } from './problem-types';

/** Makes every problem `type` URI resolvable: `/problems/{code}` describes that problem. */
@ApiExcludeController()
@Controller('problems')
export class ProblemsController {
  @Get()
  @Public()
  list() {
    return { data: Object.entries(PROBLEM_TYPES).map(([code, p]) => ({ code, ...p })), nextCursor: null };
  }

  @Get(':code')
  @Public()
  describe(@Param('code') code: string) {
    if (!Object.hasOwn(PROBLEM_TYPES, code)) throw new DomainError('not-found', 'There is no problem type with that code.');
    return { code, ...PROBLEM_TYPES[code as ProblemCode] };
  }
}
