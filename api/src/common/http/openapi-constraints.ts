import { RequestMethod } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { LOCALE_PATTERN } from './validators';

/**
 * The request rules the server enforces (class-validator decorators on the DTOs), written into the
 * OpenAPI document, so the document is never weaker than the server: integer vs number, lengths,
 * sizes, patterns, enums, formats, and `additionalProperties: false` on every body object (the
 * global pipe refuses unknown fields). Read from the same decorators the pipe runs — one source.
 */

type Schema = Record<string, any>;

const QUERY = 4; // Nest's RouteParamtypes.QUERY
const OPENAPI_METHOD: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
};

/** Classes the validation pipe checks (request DTOs), by class name. */
export function validatedClasses(): Map<string, Function> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, ValidationMetadata[]> };
  const out = new Map<string, Function>();
  for (const target of storage.validationMetadatas.keys()) if (typeof target === 'function' && target.name) out.set(target.name, target);
  return out;
}

function metadatasOf(cls: Function): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  }
  return byProperty;
}

/** What one validation rule says in JSON Schema terms. */
function ruleSchema(m: ValidationMetadata): Schema {
  const c = m.constraints ?? [];
  switch (m.name) {
    case 'isInt':
      return { type: 'integer' };
    case 'isNumber':
      return { type: 'number' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isString':
      return { type: 'string' };
    case 'isObject':
      return { type: 'object' };
    case 'isArray':
      return { type: 'array' };
    case 'min':
      return { minimum: c[0] };
    case 'max':
      return { maximum: c[0] };
    case 'minLength':
      return { minLength: c[0] };
    case 'maxLength':
      return { maxLength: c[0] };
    case 'arrayMinSize':
      return { minItems: c[0] };
    case 'arrayMaxSize':
      return { maxItems: c[0] };
    case 'arrayUnique':
      return { uniqueItems: true };
    case 'isIn':
      return { enum: [...c[0]] };
    case 'equals':
      return { const: c[0] };
    case 'matches':
      return { pattern: (c[0] as RegExp).source };
    case 'isUuid':
      return { type: 'string', format: 'uuid' };
    case 'isEmail':
      return { type: 'string', format: 'email' };
    case 'isUrl':
      return { type: 'string', format: 'uri' };
    case 'isDate':
      return { type: 'string', format: 'date-time' };
    case 'isTimeZone':
      return { type: 'string', maxLength: 64 };
    case 'isLocaleTextMap':
      return {
        type: 'object',
        minProperties: 1,
        maxProperties: 50,
        propertyNames: { pattern: LOCALE_PATTERN.source },
        // Not empty and not only white space.
        additionalProperties: { type: 'string', pattern: '\\S', maxLength: c[0] },
      };
    default:
      return {};
  }
}

/** Merges a rule into a property schema: `type` is narrowed (number → integer), other keywords are added where missing. */
function merge(target: Schema, rule: Schema): void {
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'type') {
      // A nullable object is `anyOf: [{ $ref }, { type: 'null' }]`: its members carry the types.
      if (target.anyOf || target.oneOf || target.$ref) continue;
      const nullable = Array.isArray(target.type) && target.type.includes('null');
      const current = Array.isArray(target.type) ? target.type.find((t: string) => t !== 'null') : target.type;
      if (current === undefined || current === value || (current === 'number' && value === 'integer') || current === 'object') {
        if (current === 'object' && value !== 'object' && target.additionalProperties !== undefined) continue;
        target.type = nullable ? [value, 'null'] : value;
      }
    } else if (key === 'additionalProperties' && typeof value === 'object' && typeof target.additionalProperties === 'object') {
      merge(target.additionalProperties, value);
    } else if (target[key] === undefined) {
      target[key] = value;
    }
  }
}

/** Applies the rules of one property to its schema (rules with `each` go to the array's items). */
function applyRules(schema: Schema, rules: ValidationMetadata[]): void {
  const inner = schema.oneOf?.find((s: Schema) => s.type !== 'null') ?? schema;
  if (inner.$ref || inner.allOf) return; // a nested DTO: its own schema carries its rules
  for (const rule of rules) {
    const patch = ruleSchema(rule);
    if (!Object.keys(patch).length) continue;
    if (rule.each && inner.type === 'array') {
      inner.items ??= {};
      if (!inner.items.$ref) merge(inner.items, patch);
    } else {
      merge(inner, patch);
    }
  }
  // A string parsed into a Date is still a string on the wire.
  if (inner.format === 'date-time' && inner.type === 'object') inner.type = 'string';
}

/** Adds the rules of every validated class to its component schema, which gets `additionalProperties: false`. */
export function applyRequestRules(document: { components?: { schemas?: Record<string, Schema> } }): void {
  const schemas = document.components?.schemas ?? {};
  for (const [name, cls] of validatedClasses()) {
    const schema = schemas[name];
    if (!schema || schema.type !== 'object') continue;
    for (const [property, rules] of metadatasOf(cls)) {
      const prop = schema.properties?.[property];
      if (prop) applyRules(prop, rules);
    }
    schema.additionalProperties = false;
  }
}

/**
 * Adds the rules of each route's query DTO (`@Query() query: SomeQuery`) to its query parameters.
 * The routes are read from Nest's own route metadata, as the document generator reads them.
 */
export function applyQueryRules(app: INestApplication, document: { paths: Record<string, Record<string, Schema>> }): void {
  const container = app.get(ModulesContainer);
  for (const module of container.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function | undefined;
      if (!controller?.prototype) continue;
      const base = String(Reflect.getMetadata('path', controller) ?? '');
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const handler: unknown = controller.prototype[method];
        if (typeof handler !== 'function' || method === 'constructor') continue;
        const verb = OPENAPI_METHOD[Reflect.getMetadata('method', handler as object) as RequestMethod];
        if (!verb || Reflect.getMetadata('path', handler as object) === undefined) continue;
        const path = `/${[base, String(Reflect.getMetadata('path', handler as object))].join('/')}`
          .replace(/\/+/g, '/')
          .replace(/\/$/, '')
          .replace(/:(\w+)/g, '{$1}') || '/';
        const operation = document.paths[path]?.[verb];
        if (!operation) continue;
        const args: Record<string, { index: number; data?: unknown }> = Reflect.getMetadata('__routeArguments__', controller, method) ?? {};
        const types: Function[] = Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? [];
        for (const [key, arg] of Object.entries(args)) {
          if (Number(key.split(':')[0]) !== QUERY || arg.data !== undefined) continue;
          const dto = types[arg.index];
          if (!dto || !validatedClasses().has(dto.name)) continue;
          for (const [property, rules] of metadatasOf(dto)) {
            const parameter = (operation.parameters ?? []).find((p: Schema) => p.in === 'query' && p.name === property);
            if (parameter?.schema) applyRules(parameter.schema, rules);
          }
        }
      }
    }
  }
}
