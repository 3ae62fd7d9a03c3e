import { EntityManager, In } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

/**
 * The per-language names of the API keys among `actors` (actor references such as
 * `api-key:<id>`), by actor reference: who read or changed a customer's data, in words.
 */
export async function apiKeyLabels(em: EntityManager, brandId: string, actors: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const ids = [...new Set(actors.filter((a) => a.startsWith('api-key:')).map((a) => a.slice('api-key:'.length)))];
  if (!ids.length) return new Map();
  const keys = await em.getRepository(ApiKeyEntity).find({ where: { brandId, id: In(ids) }, select: { id: true, label: true } });
  return new Map(keys.filter((k) => k.label).map((k) => [`api-key:${k.id}`, k.label!]));
}
