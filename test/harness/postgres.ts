import { createThrowawayDatabase, type ThrowawayDatabase } from '../../bench/infra.js';

export const PG_ADMIN_URL = process.env.SWAPD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabase = ThrowawayDatabase;

/** A fresh, empty database of its own for one test file (swapd applies the migrations). */
export function createTestDatabase(prefix = 'swapd_t'): Promise<TestDatabase> {
  return createThrowawayDatabase({}, prefix, PG_ADMIN_URL);
}
