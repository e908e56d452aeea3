import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { seedFleet } from '../../bench/seed.js';
import { type DatabaseHandle, openDatabase } from '../../src/adapters/db/connect.js';
import { migrateToLatest } from '../../src/adapters/db/migrate.js';
import { loadTemplates } from '../../src/adapters/templates/template-loader.js';
import { upsertTemplates } from '../../src/admin/admin.repo.js';
import { PROJECT_ROOT } from '../../src/main.js';
import { FaultLoad, type FaultLoadOptions, type Reconciled, reconcileLoad } from './fault-load.js';
import { type MosquittoProcess, startMosquitto } from './mosquitto.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/** Long variants run behind `npm run soak` (SWAPD_SOAK=1): more rounds, longer outages. */
export const SOAK = process.env.SWAPD_SOAK === '1';

export interface FaultRig {
  pg: TestDatabase;
  mosquitto: MosquittoProcess;
  /** The rig's own connection to the test database (seeding and reconciliation). */
  database: DatabaseHandle;
  load: FaultLoad;
  close(): Promise<void>;
}

export const FLEET_PLANS = 60;

/** A migrated, seeded Postgres database of its own, a Mosquitto of its own, and an app fleet ready to load. */
export async function startFaultRig(
  options: Partial<FaultLoadOptions> & { persistentBroker?: boolean } = {},
): Promise<FaultRig> {
  const pg = await createTestDatabase('swapd_fault');
  const mosquitto = await startMosquitto({ persistent: options.persistentBroker ?? false });
  const database = await openDatabase({ url: pg.url, dataDir: '', poolSize: 2 });
  await migrateToLatest(database.db);
  await upsertTemplates(database.db, loadTemplates(`${PROJECT_ROOT}/templates`));
  await seedFleet(database.db, options.plans ?? FLEET_PLANS);
  const load = await FaultLoad.connect(mosquitto.urlFor('tester'), {
    inFlight: 16,
    plans: FLEET_PLANS,
    resendMs: 1500,
    runId: `fault-${randomBytes(3).toString('hex')}`,
    clientId: `fault-app-${randomBytes(4).toString('hex')}`,
    ...options,
  });
  return {
    pg,
    mosquitto,
    database,
    load,
    async close() {
      await load.close().catch(() => {});
      await database.close().catch(() => {});
      await mosquitto.dispose();
      await pg.drop();
    },
  };
}

/** Stops the load, reconciles, prints the counts and fails on anything lost, doubled or unanswered. */
export async function finishAndReconcile(
  rig: FaultRig,
  label: string,
  eventWaitMs = 15_000,
): Promise<Reconciled> {
  await rig.load.stop();
  const r = await reconcileLoad(rig.database.db, rig.load, eventWaitMs);
  process.stdout.write(
    `[fault] ${label}: ${JSON.stringify({ ...r.counts, swaps_in_ledger: r.swaps_in_ledger, events_committed: r.events_committed, events_missing: r.events_missing.length, answered_twice: r.answered_twice.length, violations: r.violations.length })}\n`,
  );
  expect(r.violations).toEqual([]);
  expect(r.counts.unanswered).toBe(0);
  expect(r.counts.refused).toBe(0);
  expect(r.answered_twice).toEqual([]);
  expect(r.events_missing).toEqual([]);
  expect(r.swaps_in_ledger).toBe(r.counts.succeeded);
  expect(r.counts.succeeded).toBeGreaterThan(0);
  return r;
}
