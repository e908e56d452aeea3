import type { Migration, MigrationProvider } from 'kysely';
import * as init from './0001-init.js';
import * as pendingReturn from './0002-pending-return.js';
import * as claimAndRead from './0003-claim-and-read.js';
import * as scopedIdempotency from './0004-scoped-idempotency.js';
import * as telemetry from './0005-telemetry.js';
import * as paymentLedger from './0006-payment-ledger.js';
import * as genericPlans from './0007-generic-plans.js';
import * as stationPageIndexes from './0008-station-page-indexes.js';
import * as requestGroups from './0009-request-groups.js';
import * as writeChecks from './0010-write-checks.js';

/** Every migration, in order. Add new ones at the end with the next number. */
export const migrations: Record<string, Migration> = {
  '0001-init': init,
  '0002-pending-return': pendingReturn,
  '0003-claim-and-read': claimAndRead,
  '0004-scoped-idempotency': scopedIdempotency,
  '0005-telemetry': telemetry,
  '0006-payment-ledger': paymentLedger,
  '0007-generic-plans': genericPlans,
  '0008-station-page-indexes': stationPageIndexes,
  '0009-request-groups': requestGroups,
  '0010-write-checks': writeChecks,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
