/**
 * Consent records aligned with ISO/IEC TS 27560 (consent record information structure), written as
 * JSON-LD with W3C Data Privacy Vocabulary terms, so regulators and other tools can read them.
 */
export interface ConsentRecordInput {
  eventId: string;
  subjectId: string;
  brandName: string;
  purpose: { key: string; dpvTerm: string | null; legalBasis: string; dataCategories: string[]; name: Record<string, string> };
  granted: boolean;
  expired: boolean;
  noticeVersion: number | null;
  noticeText: Record<string, string> | null;
  source: string;
  actor: string;
  capturedAt: string;
  recordedAt: string;
  expiresAt: string | null;
  hash: string;
}

const LEGAL_BASIS: Record<string, string> = {
  consent: 'dpv:Consent',
  legitimate_interest: 'dpv:LegitimateInterest',
  contract: 'dpv:Contract',
  legal_obligation: 'dpv:LegalObligation',
};

export const CONSENT_RECORD_CONTEXT = {
  dpv: 'https://w3id.org/dpv#',
  dct: 'http://purl.org/dc/terms/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
};

export function consentStatus(granted: boolean, expired: boolean): string {
  if (!granted) return 'dpv:ConsentWithdrawn';
  return expired ? 'dpv:ConsentExpired' : 'dpv:ConsentGiven';
}

/** One consent decision as a JSON-LD record. */
export function toConsentRecord(r: ConsentRecordInput): Record<string, unknown> {
  return {
    '@context': CONSENT_RECORD_CONTEXT,
    '@id': `urn:candor:consent-event:${r.eventId}`,
    '@type': 'dpv:ConsentRecord',
    'dct:identifier': r.eventId,
    'dpv:hasDataSubject': { '@id': `urn:candor:subject:${r.subjectId}`, '@type': 'dpv:DataSubject' },
    'dpv:hasDataController': { '@type': 'dpv:DataController', 'dct:title': r.brandName },
    'dpv:hasPurpose': {
      '@type': r.purpose.dpvTerm ?? 'dpv:Purpose',
      'dct:identifier': r.purpose.key,
      'dct:title': r.purpose.name,
    },
    'dpv:hasLegalBasis': { '@type': LEGAL_BASIS[r.purpose.legalBasis] ?? 'dpv:LegalBasis' },
    'dpv:hasPersonalDataCategory': r.purpose.dataCategories.map((c) => ({ '@type': 'dpv:PersonalData', 'dct:identifier': c })),
    'dpv:hasConsentStatus': { '@type': consentStatus(r.granted, r.expired) },
    // The notice is identified by purpose and version; its text is embedded when given (a full
    // export carries each text once, in the consent history, and refers to it from here).
    'dpv:hasNotice': r.noticeVersion
      ? {
          '@id': `urn:candor:notice:${r.purpose.key}:${r.noticeVersion}`,
          '@type': 'dpv:ConsentNotice',
          'dct:hasVersion': String(r.noticeVersion),
          ...(r.noticeText ? { 'dct:description': r.noticeText } : {}),
        }
      : null,
    'dpv:isIndicatedBy': { '@type': r.actor.startsWith('subject:') ? 'dpv:DataSubject' : 'dpv:DataController', 'dct:identifier': r.actor },
    'dpv:hasConsentIndicationMethod': r.source,
    'dpv:isIndicatedAtTime': { '@value': r.capturedAt, '@type': 'xsd:dateTime' },
    'dct:created': { '@value': r.recordedAt, '@type': 'xsd:dateTime' },
    'dpv:hasExpiryTime': r.expiresAt ? { '@value': r.expiresAt, '@type': 'xsd:dateTime' } : null,
    'dpv:hasIntegrityProof': { algorithm: 'SHA-256/RFC8785', hash: r.hash },
  };
}

const typed = (description?: string) => ({ type: 'object', required: ['@type'], properties: { '@type': { type: 'string' } }, ...(description ? { description } : {}) });
const xsdTime = { type: 'object', required: ['@value', '@type'], properties: { '@value': { type: 'string', format: 'date-time' }, '@type': { const: 'xsd:dateTime' } } };

/** JSON Schema of one record of `toConsentRecord`, for the OpenAPI document. */
export const CONSENT_RECORD_SCHEMA = {
  type: 'object',
  description: 'One consent decision as an ISO/IEC TS 27560-aligned JSON-LD record with W3C DPV terms.',
  required: [
    '@context', '@id', '@type', 'dct:identifier', 'dpv:hasDataSubject', 'dpv:hasDataController', 'dpv:hasPurpose', 'dpv:hasLegalBasis',
    'dpv:hasPersonalDataCategory', 'dpv:hasConsentStatus', 'dpv:hasNotice', 'dpv:isIndicatedBy', 'dpv:hasConsentIndicationMethod',
    'dpv:isIndicatedAtTime', 'dct:created', 'dpv:hasExpiryTime', 'dpv:hasIntegrityProof',
  ],
  additionalProperties: false,
  properties: {
    '@context': { type: 'object', additionalProperties: { type: 'string', format: 'uri' } },
    '@id': { type: 'string', example: 'urn:candor:consent-event:0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10' },
    '@type': { const: 'dpv:ConsentRecord' },
    'dct:identifier': { type: 'string', format: 'uuid', description: 'The consent event id.' },
    'dpv:hasDataSubject': typed(),
    'dpv:hasDataController': typed(),
    'dpv:hasPurpose': typed('The purpose, with its DPV term as `@type`.'),
    'dpv:hasLegalBasis': typed(),
    'dpv:hasPersonalDataCategory': { type: 'array', items: typed() },
    'dpv:hasConsentStatus': { type: 'object', required: ['@type'], properties: { '@type': { enum: ['dpv:ConsentGiven', 'dpv:ConsentWithdrawn', 'dpv:ConsentExpired'] } } },
    'dpv:hasNotice': { oneOf: [typed('The notice version agreed to; its text per language as `dct:description`.'), { type: 'null' }] },
    'dpv:isIndicatedBy': typed(),
    'dpv:hasConsentIndicationMethod': { type: 'string', description: 'The source: portal, api, import, gpc or the brand\'s label.' },
    'dpv:isIndicatedAtTime': xsdTime,
    'dct:created': xsdTime,
    'dpv:hasExpiryTime': { oneOf: [xsdTime, { type: 'null' }] },
    'dpv:hasIntegrityProof': { type: 'object', required: ['algorithm', 'hash'], properties: { algorithm: { type: 'string' }, hash: { type: 'string' } } },
  },
} as const;
