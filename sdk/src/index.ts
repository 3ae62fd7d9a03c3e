export { CandorClient, createCandorClient } from './client.js';
export type { CandorClientOptions, CandorJob, ErasureLine, ImportLine, ListItem, ListOperation, Page, UploadOptions, WaitOptions } from './client.js';
export { CandorProblemError } from './errors.js';
export type { CandorFieldError, CandorProblem } from './errors.js';
export type { NdjsonRecord, UploadProgress } from './ndjson.js';
export type { RetryEvent, RetryOptions } from './retry.js';
export { verifyWebhook, WebhookVerificationError } from './webhooks.js';
export type { CandorWebhookEvent, CandorWebhookEventType, WebhookHeaders } from './webhooks.js';
/** Every request and response type of the API, generated from its OpenAPI document. */
export type * from './generated/types.gen.js';
