import { schemaComponent } from '../../common/http/openapi.decorators';
import { REQUEST_CHANNELS } from './privacy-request.entity';

/** Identifies the export format; bump with incompatible changes. */
export const EXPORT_FORMAT = 'candor-subject-export/1';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** One event of a consent history, as the ledger answers it, with its notice text. */
const CONSENT_EVENT = {
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
    seq: { type: 'integer', minimum: 1 },
    hash: str,
    prevHash: nullableStr,
    cites: { type: 'string', description: 'A merge event (source `merge`): the hash of the merged record\'s last event for the purpose, which this event\'s hash covers.' },
  },
} as const;

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
    identifiers: {
      type: 'array',
      description: 'The other identifiers the brand knows the person by (another system\'s id, another email or phone), including those of records merged into this one.',
      items: {
        type: 'object',
        required: ['type', 'value'],
        additionalProperties: false,
        properties: {
          type: { enum: ['email', 'phone', 'external'] },
          system: nullableStr,
          value: str,
          origin: { enum: ['api', 'merge', 'import'] },
          addedAt: time,
        },
      },
    },
    mergedRecords: {
      type: 'array',
      description: 'Other records of the person that were found and joined into this one: their ids (which now answer 410 `subject-merged`), when, and each one\'s consent history as it was recorded under it.',
      items: {
        type: 'object',
        required: ['subjectId', 'mergedAt'],
        additionalProperties: false,
        properties: {
          subjectId: str,
          mergedAt: time,
          consentHistory: { type: 'array', items: CONSENT_EVENT },
        },
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
    factUse: {
      description:
        'What the customer chose each purpose may use: `declared-only` ("use only what I told you") or `all` (also what the brand observed or inferred), and when. ' +
        'A purpose not listed uses its default (declared-only when it rests on consent, else all). An import leaves it out: the choice belongs to the brand it was made for.',
      type: 'array',
      items: {
        type: 'object',
        required: ['purpose', 'use', 'updatedAt'],
        additionalProperties: false,
        properties: { purpose: str, use: { enum: ['declared-only', 'all'] }, updatedAt: time },
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
        purposes: {
          description: 'The channels the person chose per purpose.',
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['channels'],
            additionalProperties: false,
            properties: { channels: { type: 'array', uniqueItems: true, items: { enum: ['email', 'sms', 'push', 'messenger', 'post'] } } },
          },
        },
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
          items: CONSENT_EVENT,
        },
      },
    },
    consentRecords: {
      type: 'array',
      items: { type: 'object', required: ['@context', '@type', 'dpv:hasConsentStatus'], properties: { '@context': { type: 'object' }, '@type': str, 'dpv:hasConsentStatus': { type: 'object' } } },
    },
    preferenceChanges: {
      description: 'Who changed the preferences, how and when, and which settings (oldest first).',
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'changedBy', 'source', 'fields'],
        properties: { at: time, changedBy: str, source: str, fields: { type: 'array', items: str } },
      },
    },
    accessLog: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'reader', 'kind', 'fields'],
        properties: { at: time, reader: str, kind: str, purpose: nullableStr, fields: { type: 'array', items: str } },
      },
    },
    privacyRequests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type', 'status', 'receivedAt', 'dueAt'],
        properties: {
          id: str,
          type: str,
          status: str,
          jurisdiction: str,
          channel: { enum: [...REQUEST_CHANNELS] },
          receivedAt: time,
          dueAt: time,
          completedAt: nullableTime,
        },
      },
    },
    context: {
      type: 'object',
      required: ['purposes', 'dataCategories', 'recipients', 'sources'],
      properties: {
        purposes: {
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'legalBasis', 'dataCategories', 'retention'],
            properties: {
              key: str,
              name: localeMap,
              legalBasis: str,
              dpvTerm: nullableStr,
              dataCategories: { type: 'array', items: str },
              retentionDays: { type: ['integer', 'null'], description: 'Days after collection that facts used for this purpose are kept; null: until erased (or, for consent, withdrawn).' },
              retention: { type: 'string', description: 'The same period as an English sentence.' },
            },
          },
        },
        dataCategories: { type: 'array', items: str },
        recipients: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str } } },
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

/** The export schema as an OpenAPI component: `$schema` and `$id` belong to the standalone file only. */
export const EXPORT_SCHEMA_COMPONENT: Record<string, unknown> = (({ $schema: _s, $id: _i, ...schema }) => schema)(EXPORT_SCHEMA);

/** The subject export as `#/components/schemas/SubjectExport`. */
export const SUBJECT_EXPORT_SCHEMA = schemaComponent('SubjectExport', EXPORT_SCHEMA_COMPONENT);

/** The two forms of an export: JSON by default, a readable page with `Accept: text/html`. */
export const EXPORT_CONTENT = {
  'application/json': { schema: SUBJECT_EXPORT_SCHEMA },
  'text/html': { schema: { type: 'string', description: 'The same export as a page a person can read (`Accept: text/html` without `application/json`).' } },
};
