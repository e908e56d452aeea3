import { Migrator } from 'kysely';
import { migrationProvider } from '../../../migrations/index.js';
import type { Db } from '../../ports/database.js';

export interface MigrationReport {
  applied: string[];
}

/** Applies every pending migration; safe to run again (and concurrently: Kysely takes a lock). */
export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
