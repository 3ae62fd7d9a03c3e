import { ApiProperty } from '@nestjs/swagger';

export class ImportRejectionResponse {
  @ApiProperty({ description: 'Line number in the uploaded file, counting from 1.' }) line: number;
  @ApiProperty({ example: 'unknown-purpose: "sms_promos" is not a purpose of this brand' }) reason: string;
}

export class ImportJobResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['merging', 'completed', 'failed'], description: 'Lines are staged when the upload is answered; merging follows.' })
  status: 'merging' | 'completed' | 'failed';
  @ApiProperty({ description: 'Non-empty lines received.' }) totalLines: number;
  @ApiProperty({ description: 'Lines merged (including ones already present, which change nothing).' }) rowsDone: number;
  @ApiProperty({ description: 'Lines rejected; see `rejections`.' }) rowsRejected: number;
  @ApiProperty({ description: 'Share of lines handled, 0–100.' }) progress: number;
  @ApiProperty({ type: [ImportRejectionResponse], description: 'Rejected lines in line order; the first 1000.' })
  rejections: ImportRejectionResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Why merging stopped, when it failed.' }) error: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
}
