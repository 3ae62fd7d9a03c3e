import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { FACT_USES, type FactUse } from '../fact-use';

export class SetFactUseDto {
  @ApiProperty({
    enum: FACT_USES,
    example: 'declared-only',
    description: '`declared-only`: use only what I told you. `all`: also what you observed or inferred about me.',
  })
  @IsIn(FACT_USES, { message: 'must be "declared-only" or "all"' })
  use: FactUse;
}

/** What one purpose may use of the customer's facts, and whether the customer chose it. */
export class FactUseResponse {
  @ApiProperty({ example: 'personalization' }) purpose: string;
  @ApiProperty({
    enum: FACT_USES,
    description: 'In force now. `declared-only`: only facts the customer declared count for this purpose; `all`: observed and inferred facts count too (except under a key an `askBeforeUse` question asks about).',
  })
  use: FactUse;
  @ApiProperty({ description: 'true: the customer chose `use`; false: it is the purpose\'s default.' }) chosen: boolean;
  @ApiProperty({
    enum: FACT_USES,
    description: 'What the purpose uses while the customer has not chosen: `declared-only` when it rests on consent, else `all`.',
  })
  default: FactUse;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the customer chose (null: never).' }) updatedAt: string | null;
}
