/**
 * The authorization matrix: for every route of docs/openapi.json, what each kind of caller gets.
 *
 * It is written by hand from the API contract (docs/api-guide.md, the design's api-contract.md),
 * not derived from the code, so a change in `abilities.ts` or a controller that opens or closes a
 * route shows up as a failing cell in e2e/api/authorization-matrix.e2e-spec.ts. A route added to
 * the API without a row here fails that file too: add the row when you add the route.
 *
 * Actors (all of brand A unless said otherwise):
 * - `anonymous`: no Authorization header; `unknown`: a well-formed key nobody issued;
 * - `operator`: CANDOR_ADMIN_KEY; `key:<scope>`: a key of brand A with exactly that one scope;
 * - `brandKey`: brand A's first key (every scope);
 * - `otherBrandKey`: brand B's first key (every scope) sent with brand A's ids;
 * - `customer`: customer A1's session; `otherCustomer`: a session of customer A2 (same brand)
 *   sent with A1's ids.
 */

export const SCOPES = [
  'subjects:write',
  'subjects:read',
  'consents:write',
  'consents:read',
  'profiles:read',
  'audiences:read',
  'recommendations:read',
  'catalog:write',
  'webhooks:manage',
  'config:write',
  'compliance',
] as const;
export type MatrixScope = (typeof SCOPES)[number];

export const ACTORS = [
  'anonymous',
  'unknown',
  'operator',
  ...SCOPES.map((s) => `key:${s}` as const),
  'brandKey',
  'otherBrandKey',
  'customer',
  'otherCustomer',
] as const;
export type MatrixActor = (typeof ACTORS)[number];

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface MatrixRow {
  method: Method;
  /** The path exactly as docs/openapi.json writes it. */
  path: string;
  /** Status of a well-formed request by a caller who may make it. */
  ok: number;
  /** Open to anyone: every actor gets `ok`. */
  public?: true;
  /** The operator may call it. */
  operator?: true;
  /** Brand key scopes that allow it (`'any'`: every brand key, whatever its scopes). */
  scopes?: readonly MatrixScope[] | 'any';
  /** Needs several scopes at once: only the all-scope key passes. */
  allScopesOf?: readonly MatrixScope[];
  /**
   * What brand B's all-scope key gets when it sends brand A's ids: 404 when the request names one
   * of A's records (existence is never revealed), `ok` when it only reaches B's own data.
   */
  otherBrand?: 404 | 'ok';
  /** What customer A1's session gets (403 unless given). */
  customer?: number;
  /** What customer A2 gets with A1's ids: 404 for A1's records, `ok` for A2's own data. */
  otherCustomer?: 404 | 'ok';
}

export const AUTHORIZATION_MATRIX: readonly MatrixRow[] = [
  // Platform and health
  { method: 'get', path: '/healthz', ok: 200, public: true },
  { method: 'get', path: '/readyz', ok: 200, public: true },
  { method: 'post', path: '/v1/brands', ok: 201, operator: true },
  { method: 'get', path: '/v1/brands/by-slug/{slug}', ok: 200, public: true },
  { method: 'get', path: '/v1/brand', ok: 200, scopes: 'any', otherBrand: 'ok' },

  // Brand configuration
  { method: 'post', path: '/v1/api-keys', ok: 201, scopes: ['config:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/api-keys', ok: 200, scopes: ['config:write'], otherBrand: 'ok' },
  { method: 'delete', path: '/v1/api-keys/{id}', ok: 204, scopes: ['config:write'], otherBrand: 404 },
  { method: 'post', path: '/v1/purposes', ok: 201, scopes: ['config:write'], otherBrand: 'ok' },
  // Customers read purposes and notices: the portal shows them what they consent to.
  { method: 'get', path: '/v1/purposes', ok: 200, scopes: 'any', otherBrand: 'ok', customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/purposes/{key}', ok: 200, scopes: 'any', otherBrand: 404, customer: 200, otherCustomer: 'ok' },
  { method: 'post', path: '/v1/purposes/{key}/notices', ok: 201, scopes: ['config:write'], otherBrand: 404 },
  { method: 'get', path: '/v1/purposes/{key}/notices', ok: 200, scopes: 'any', otherBrand: 404, customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/purpose-catalogue', ok: 200, scopes: 'any', otherBrand: 'ok', customer: 200, otherCustomer: 'ok' },
  { method: 'post', path: '/v1/purpose-catalogue/{key}/adopt', ok: 201, scopes: ['config:write'], otherBrand: 'ok' },
  { method: 'post', path: '/v1/questions', ok: 201, scopes: ['config:write'], otherBrand: 'ok' },
  // Brand B asks a question under the same key: it changes its own.
  { method: 'patch', path: '/v1/questions/{key}', ok: 200, scopes: ['config:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/questions', ok: 200, scopes: ['subjects:read', 'config:write'], otherBrand: 'ok', customer: 200, otherCustomer: 'ok' },
  // The data dictionary: written with config:write, read by every brand credential (customers get the words in their read models).
  { method: 'put', path: '/v1/fact-keys/{key}', ok: 201, scopes: ['config:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/fact-keys', ok: 200, scopes: 'any', otherBrand: 'ok' },
  { method: 'get', path: '/v1/fact-keys/{key}', ok: 200, scopes: 'any', otherBrand: 404 },
  { method: 'put', path: '/v1/sources/{key}', ok: 201, scopes: ['config:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/sources', ok: 200, scopes: 'any', otherBrand: 'ok' },
  { method: 'put', path: '/v1/topics/{key}', ok: 201, scopes: ['config:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/topics', ok: 200, scopes: 'any', otherBrand: 'ok' },
  { method: 'get', path: '/v1/dictionary/missing', ok: 200, scopes: 'any', otherBrand: 'ok' },

  // Subjects, consent, facts (brand side)
  { method: 'post', path: '/v1/subjects', ok: 201, scopes: ['subjects:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/subjects', ok: 200, scopes: ['subjects:read'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/subjects/{id}', ok: 200, scopes: ['subjects:read'], otherBrand: 404 },
  // One person across silos: identifiers are written with subjects:write and read with subjects:read, like the subject.
  { method: 'get', path: '/v1/subjects/lookup', ok: 200, scopes: ['subjects:read'], otherBrand: 404 },
  { method: 'post', path: '/v1/subjects/{id}/identifiers', ok: 201, scopes: ['subjects:write'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/identifiers', ok: 200, scopes: ['subjects:read'], otherBrand: 404 },
  { method: 'delete', path: '/v1/subjects/{id}/identifiers/{identifierId}', ok: 204, scopes: ['subjects:write'], otherBrand: 404 },
  { method: 'post', path: '/v1/subjects/{id}/merge', ok: 200, scopes: ['subjects:write'], otherBrand: 404 },
  { method: 'post', path: '/v1/subjects/{id}/consents', ok: 201, scopes: ['consents:write'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/consents', ok: 200, scopes: ['consents:read', 'compliance'], otherBrand: 404 },
  { method: 'post', path: '/v1/subjects/{id}/facts', ok: 201, scopes: ['subjects:write'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/questions/next', ok: 200, scopes: ['subjects:read'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/questions/due', ok: 200, scopes: ['subjects:read'], otherBrand: 404 },
  // A portal link becomes the customer's session: only a key holding all a session can do may mint it.
  { method: 'post', path: '/v1/subjects/{id}/portal-links', ok: 201, allScopesOf: ['subjects:read', 'subjects:write', 'consents:read', 'consents:write', 'profiles:read', 'recommendations:read', 'compliance'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/profile', ok: 200, scopes: ['profiles:read'], otherBrand: 404 },
  { method: 'get', path: '/v1/decisions/contact', ok: 200, scopes: ['consents:read'], otherBrand: 404 },
  // A batch answers per check; another brand's subject is "not found" inside the 200.
  { method: 'post', path: '/v1/decisions/contact', ok: 200, scopes: ['consents:read'], otherBrand: 'ok' },
  { method: 'post', path: '/v1/subjects/{id}/contacts', ok: 201, scopes: ['consents:write'], otherBrand: 404 },
  { method: 'post', path: '/v1/subjects/{id}/suppressions', ok: 201, scopes: ['consents:write'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/suppressions', ok: 200, scopes: ['consents:read'], otherBrand: 404 },
  // Ending a "not now" window early (the checkout, when the cart is bought).
  { method: 'delete', path: '/v1/subjects/{id}/suppressions/{suppressionId}', ok: 204, scopes: ['consents:write'], otherBrand: 404 },
  // What the person tells the call centre: read with subjects:read, changed with subjects:write (If-Match).
  { method: 'get', path: '/v1/subjects/{id}/preferences', ok: 200, scopes: ['subjects:read'], otherBrand: 404 },
  { method: 'put', path: '/v1/subjects/{id}/preferences', ok: 200, scopes: ['subjects:write'], otherBrand: 404 },
  // Revoking a subject's one-click unsubscribe links (204 even when there is nothing to revoke).
  { method: 'delete', path: '/v1/subjects/{id}/unsubscribe-links', ok: 204, scopes: ['consents:write'], otherBrand: 404 },
  { method: 'post', path: '/v1/audiences/query', ok: 200, scopes: ['audiences:read'], otherBrand: 'ok' },
  // Counts only the caller's own brand: brand B's key gets B's count (0), never A's.
  { method: 'post', path: '/v1/audiences/count', ok: 200, scopes: ['audiences:read'], otherBrand: 'ok' },

  // Compliance
  { method: 'get', path: '/v1/ledger/verify', ok: 200, scopes: ['compliance'], otherBrand: 'ok' },
  { method: 'post', path: '/v1/privacy-requests', ok: 201, scopes: ['compliance'], otherBrand: 404 },
  { method: 'get', path: '/v1/privacy-requests', ok: 200, scopes: ['compliance'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/privacy-requests/{id}', ok: 200, scopes: ['compliance'], otherBrand: 404 },
  { method: 'post', path: '/v1/privacy-requests/{id}/execute', ok: 200, scopes: ['compliance'], otherBrand: 404 },
  { method: 'post', path: '/v1/privacy-requests/{id}/extend', ok: 200, scopes: ['compliance'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/export', ok: 200, scopes: ['compliance'], otherBrand: 404 },
  { method: 'post', path: '/v1/subjects/import', ok: 201, allScopesOf: ['subjects:write', 'consents:write'], otherBrand: 'ok' },
  { method: 'post', path: '/v1/imports', ok: 202, allScopesOf: ['subjects:write', 'consents:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/imports/{id}', ok: 200, allScopesOf: ['subjects:write', 'consents:write'], otherBrand: 404 },
  { method: 'get', path: '/v1/subjects/{id}/consent-records', ok: 200, scopes: ['consents:read', 'compliance'], otherBrand: 404 },
  { method: 'get', path: '/v1/records-of-processing', ok: 200, scopes: ['compliance'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/audit-log', ok: 200, scopes: ['compliance'], otherBrand: 'ok' },
  // Bulk erasure (NDJSON): another brand's subject ids are rejected lines inside its own 202 job.
  { method: 'post', path: '/v1/erasure-jobs', ok: 202, scopes: ['compliance'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/erasure-jobs/{id}', ok: 200, scopes: ['compliance'], otherBrand: 404 },

  // Webhooks
  { method: 'post', path: '/v1/webhooks', ok: 201, scopes: ['webhooks:manage'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/webhooks', ok: 200, scopes: ['webhooks:manage'], otherBrand: 'ok' },
  { method: 'delete', path: '/v1/webhooks/{id}', ok: 204, scopes: ['webhooks:manage'], otherBrand: 404 },
  { method: 'get', path: '/v1/webhooks/{id}/deliveries', ok: 200, scopes: ['webhooks:manage'], otherBrand: 404 },

  { method: 'get', path: '/v1/audit-log/verify', ok: 200, scopes: ['compliance'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/consent-stats', ok: 200, scopes: ['compliance'], otherBrand: 'ok' },
  { method: 'put', path: '/v1/purposes/{key}/retention', ok: 200, scopes: ['config:write'], otherBrand: 404 },
  { method: 'post', path: '/v1/retention/run', ok: 200, scopes: ['compliance'], otherBrand: 'ok' },

  // Bulk import (NDJSON): writes subjects and consents, so it takes both scopes.
  { method: 'post', path: '/v1/imports', ok: 202, allScopesOf: ['subjects:write', 'consents:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/imports/{id}', ok: 200, allScopesOf: ['subjects:write', 'consents:write'], otherBrand: 404 },

  // Catalogue and recommendations
  { method: 'put', path: '/v1/catalog/items/{sku}', ok: 200, scopes: ['catalog:write'], otherBrand: 'ok' },
  { method: 'post', path: '/v1/catalog/items/bulk', ok: 200, scopes: ['catalog:write'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/catalog/items', ok: 200, scopes: ['catalog:write'], otherBrand: 'ok' },
  { method: 'post', path: '/v1/recommendations', ok: 200, scopes: ['recommendations:read'], otherBrand: 404 },
  { method: 'post', path: '/v1/explanations/validate', ok: 200, scopes: ['recommendations:read'], otherBrand: 404 },
  { method: 'get', path: '/v1/me/recommendations', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'post', path: '/v1/me/recommendations/{sku}/feedback', ok: 200, customer: 200, otherCustomer: 'ok' },

  // Brand staff (console). No actor column signs in as staff yet: every actor here is refused.
  // A staff member holds no more than its creator: a viewer needs the compliance scope's reads too.
  { method: 'post', path: '/v1/staff', ok: 201, allScopesOf: ['config:write', 'compliance'], otherBrand: 'ok' },
  { method: 'get', path: '/v1/staff', ok: 200, scopes: ['config:write'], otherBrand: 'ok' },
  // Disabling staff is within the grant rule like creating them: a viewer needs what a viewer holds.
  { method: 'delete', path: '/v1/staff/{id}', ok: 204, allScopesOf: ['config:write', 'compliance'], otherBrand: 404 },
  { method: 'post', path: '/v1/auth/staff-links', ok: 202, public: true },
  // Sent with a well-formed token nobody issued: refused alike for everyone.
  { method: 'post', path: '/v1/auth/staff-sessions', ok: 401, public: true },
  { method: 'delete', path: '/v1/auth/staff-sessions/current', ok: 204 },
  { method: 'get', path: '/v1/staff/me', ok: 200 },

  // Customers
  { method: 'post', path: '/v1/auth/magic-links', ok: 202, public: true },
  // Exchanging a link's token needs no credential: the token is the credential.
  { method: 'post', path: '/v1/auth/sessions', ok: 201, public: true },
  { method: 'delete', path: '/v1/auth/sessions/current', ok: 204, customer: 204, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'post', path: '/v1/me/facts', ok: 201, customer: 201, otherCustomer: 'ok' },
  { method: 'patch', path: '/v1/me/facts/{id}', ok: 200, customer: 200, otherCustomer: 404 },
  { method: 'delete', path: '/v1/me/facts/{id}', ok: 204, customer: 204, otherCustomer: 404 },
  { method: 'put', path: '/v1/me/consents/{purpose}', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'put', path: '/v1/me/fact-use/{purpose}', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/consents', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/consents/receipts/{id}', ok: 200, customer: 200, otherCustomer: 404 },
  { method: 'get', path: '/v1/me/preferences', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'put', path: '/v1/me/preferences', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/preference-changes', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/decisions', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'post', path: '/v1/me/privacy-requests', ok: 201, customer: 201, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/questions/next', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'post', path: '/v1/me/questions/{key}/answer', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/export', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'post', path: '/v1/me/erasure', ok: 202, customer: 202, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/propagation', ok: 200, customer: 200, otherCustomer: 'ok' },
  { method: 'get', path: '/v1/me/access-log', ok: 200, customer: 200, otherCustomer: 'ok' },
  // An erasure receipt needs no credential: the emailed token is the credential. Sent with a
  // well-formed token nobody issued, it is 404 alike for everyone.
  { method: 'get', path: '/v1/erasure-receipts/{token}', ok: 404, public: true },
  // One-click unsubscribe (RFC 8058): the link is the credential, so any caller — a mailbox
  // provider sends none — reads and uses a real link alike; a credential changes nothing.
  { method: 'get', path: '/v1/unsubscribe/{token}', ok: 200, public: true },
  { method: 'post', path: '/v1/unsubscribe/{token}', ok: 200, public: true },
  // Double opt-in links, like erasure receipts: a well-formed token nobody issued is 404 for everyone.
  { method: 'get', path: '/v1/consent-confirmations/{token}', ok: 404, public: true },
  { method: 'post', path: '/v1/consent-confirmations/{token}', ok: 404, public: true },
];

/** The status `actor` must get on `row`: the matrix cell. */
export function expectedStatus(row: MatrixRow, actor: MatrixActor): number {
  if (row.public) return row.ok;
  switch (actor) {
    case 'anonymous':
    case 'unknown':
      return 401;
    case 'operator':
      return row.operator ? row.ok : 403;
    case 'customer':
      return row.customer ?? 403;
    case 'otherCustomer':
      if (row.customer === undefined) return 403;
      return row.otherCustomer === 404 ? 404 : row.customer;
    case 'brandKey':
      return row.scopes || row.allScopesOf ? row.ok : 403;
    case 'otherBrandKey':
      if (!row.scopes && !row.allScopesOf) return 403;
      return row.otherBrand === 404 ? 404 : row.ok;
    default: {
      const scope = actor.slice('key:'.length) as MatrixScope;
      if (row.scopes === 'any') return row.ok;
      // One scope alone never covers a route that needs several.
      return row.scopes?.includes(scope) ? row.ok : 403;
    }
  }
}

export const routeId = (row: Pick<MatrixRow, 'method' | 'path'>) => `${row.method.toUpperCase()} ${row.path}`;
