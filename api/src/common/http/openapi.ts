import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/**
 * Builds the OpenAPI 3.1 document from the controllers and DTOs. `@nestjs/swagger` writes a few
 * 3.0 forms; they are rewritten here (`nullable: true` → a `null` member in `type`).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Candor API')
    .setDescription(
      'Consent, preferences and zero-party profiles. Brands authenticate with `Bearer cnd_…` keys carrying scopes; ' +
        'customers with session tokens; the platform operator with the operator key. Every error is an RFC 9457 ' +
        '`application/problem+json` document.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A brand API key (cnd_…), a customer session token or the operator key.' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  return toOpenApi31(document) as OpenAPIObject;
}

function toOpenApi31(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApi31);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = toOpenApi31(value);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    else if (out.$ref || out.allOf || out.oneOf) {
      const { description, ...schema } = out;
      return { ...(description ? { description } : {}), oneOf: [schema, { type: 'null' }] };
    }
  } else if (out.nullable === false) {
    delete out.nullable;
  }
  return out;
}

/** Stable, pretty JSON for the committed `docs/openapi.json`. */
export function serialiseOpenApi(document: OpenAPIObject): string {
  return JSON.stringify(document, null, 2) + '\n';
}
