import type { Migration, MigrationProvider } from 'kysely';
import * as init from './0001-init.js';

/** Every migration, in order. Add new ones at the end with the next number. */
export const migrations: Record<string, Migration> = {
  '0001-init': init,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
