import type { TestProject } from 'vitest/node';
import { setupDatabase } from './global-setup';

/** The `api-embedded` project: the API journeys on the embedded PostgreSQL that `npm start` runs. */
export default function setup(project: TestProject) {
  return setupDatabase(project, 'embedded');
}
