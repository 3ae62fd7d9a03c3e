import { CreateFoundation1764300000000 } from './1764300000000-create-foundation';

/** Every migration, oldest first. The API's data source and the migrate command both use this list. */
export const migrations = [CreateFoundation1764300000000];
