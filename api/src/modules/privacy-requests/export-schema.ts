import { REQUEST_CHANNELS } from './privacy-request.entity';

/** Identifies the export format; bump with incompatible changes. */
export const EXPORT_FORMAT = 'candor-subject-export/1';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/**
 * JSON Schema (2020-12) of `GET /v1/subjects/{id}/export` and `GET /v1/me/export`, published as
 * docs/export.schema.json. The import route validates against it too.
 */
export const EXPORT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://candor.example/schemas/subject-export-1.json',
  title: 'Candor subject export',
  description: 'Everything a brand holds about one customer, with the context GDPR Art. 15 requires.',
  type: 'object',
  required: ['format', 'generatedAt', 'brand', 'subject', 'facts', 'preferences', 'consents', 'consentRecords', 'accessLog', 'privacyRequests', 'context'],
  additionalProperties: false,
  properties: {
    format: { const: EXPORT_FORMAT },
    generatedAt: time,
    brand: { type: 'object', required: ['slug', 'name'], additionalProperties: false, properties: { slug: str, name: str } },
    subject: {
      type: 'object',
      required: ['id', 'externalId'],
      additionalProperties: false,
      properties: {
        id: str,
        externalId: str,
        email: nullableStr,
        phone: nullableStr,
        locale: nullableStr,
        timezone: nullableStr,
        createdAt: time,
        updatedAt: time,
      },
    },
    facts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'value', 'category', 'provenance', 'source', 'collectedAt'],
        additionalProperties: false,
        properties: {
          key: str,
          value: {
            description: 'Text, a number, true/false or a list of texts (a fact key\'s declared type).',
            oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: str }],
          },
          category: str,
          provenance: { enum: ['declared', 'observed', 'inferred'] },
          source: str,
          collectedAt: time,
          expiresAt: nullableTime,
          disputed: { type: 'boolean' },
        },
      },
    },
    preferences: {
      type: 'object',
      required: ['channels', 'topics'],
      additionalProperties: false,
      properties: {
        channels: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['optedIn', 'frequency'],
            additionalProperties: false,
            properties: { optedIn: { type: 'boolean' }, frequency: { enum: ['immediately', 'daily', 'weekly', 'monthly'] } },
          },
        },
        quietHours: {
          oneOf: [
            { type: 'null' },
            { type: 'object', required: ['start', 'end'], additionalProperties: false, properties: { start: str, end: str } },
          ],
        },
        topics: { type: 'array', items: str },
      },
    },
    consents: {
      type: 'object',
      required: ['current', 'history'],
      additionalProperties: false,
      properties: {
        current: { type: 'array', items: { type: 'object' } },
        history: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'purpose', 'granted', 'source', 'capturedAt', 'hash'],
            properties: {
              id: str,
              purpose: str,
              granted: { type: 'boolean' },
              noticeVersion: { type: ['integer', 'null'] },
              noticeText: { oneOf: [{ type: 'null' }, localeMap] },
              source: str,
              actor: str,
              capturedAt: time,
              recordedAt: time,
              expiresAt: nullableTime,
              hash: str,
              prevHash: nullableStr,
            },
          },
        },
      },
    },
    consentRecords: { type: 'array', items: { type: 'object', required: ['@context', '@type', 'dpv:hasConsentStatus'] } },
    accessLog: { type: 'array', items: { type: 'object', required: ['at', 'reader', 'kind', 'fields'] } },
    privacyRequests: {
      type: 'array',
      items: { type: 'object', required: ['id', 'type', 'status', 'receivedAt', 'dueAt'], properties: { channel: { enum: [...REQUEST_CHANNELS] } } },
    },
    context: {
      type: 'object',
      required: ['purposes', 'dataCategories', 'recipients', 'sources'],
      properties: {
        purposes: { type: 'array', items: { type: 'object', required: ['key', 'legalBasis', 'dataCategories', 'retention'] } },
        dataCategories: { type: 'array', items: str },
        recipients: { type: 'array', items: { type: 'object', required: ['name'] } },
        sources: { type: 'array', items: str },
        rights: str,
        dictionary: {
          type: 'object',
          description:
            'The brand\'s words for what this document names, per language (its default language, then the code in plain words, where it has none): ' +
            'fact keys, fact values (by key, then the value as text — a typed value as its JSON), sources, preference topics and readers.',
          properties: {
            locales: { type: 'array', items: str },
            factKeys: { type: 'object', additionalProperties: localeMap },
            values: { type: 'object', additionalProperties: { type: 'object', additionalProperties: localeMap } },
            sources: { type: 'object', additionalProperties: localeMap },
            topics: { type: 'object', additionalProperties: localeMap },
            readers: { type: 'object', additionalProperties: localeMap },
          },
        },
      },
    },
  },
} as const;
