import { ApiProperty } from '@nestjs/swagger';

export class ErasureRejectionResponse {
  @ApiProperty({ description: 'Line number in the uploaded file, counting from 1.' }) line: number;
  @ApiProperty({ example: 'unknown-subject: no subject of this brand has id "0b9f…"' }) reason: string;
}

export class ErasureJobResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    enum: ['queued', 'running', 'completed', 'failed'],
    description: 'Lines are checked and staged when the upload is answered (`queued`); a background worker then erases chunk by chunk (`running`).',
  })
  status: 'queued' | 'running' | 'completed' | 'failed';
  @ApiProperty({ description: 'Non-empty lines received.' }) totalLines: number;
  @ApiProperty({ description: 'Subjects erased by this job.' }) erased: number;
  @ApiProperty({ description: 'Lines naming a subject that was already erased (before, or by an earlier line of this job): nothing left to do.' })
  alreadyErased: number;
  @ApiProperty({ description: 'Lines rejected; see `rejections`.' }) rowsRejected: number;
  @ApiProperty({ description: 'Share of lines handled, 0–100 (100 only once the job has completed).' }) progress: number;
  @ApiProperty({ type: [ErasureRejectionResponse], description: 'Rejected lines in line order; the first 1000.' })
  rejections: ErasureRejectionResponse[];
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Whether the brand\'s whole consent ledger verified after the last subject was erased (checked once per job); null until then.',
  })
  ledgerVerified: boolean | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the job stopped, when it failed.' }) error: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
}
