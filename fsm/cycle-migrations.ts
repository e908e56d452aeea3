import { SwapdError } from '../src/errors.js';
import type { CycleName, RawCycleRecord } from './cycle.types.js';

/**
 * Snapshot migrations. A migration takes a record written by machine version N and returns it as
 * version N + 1; tables are keyed by the version they migrate from. restoreRecord runs the chain on
 * read; the migrated record is written back on the next transition. See fsm/README.md.
 */
export type SnapshotMigration = (raw: RawCycleRecord) => RawCycleRecord;
export type MigrationTable = Readonly<Record<number, SnapshotMigration>>;

/**
 * v0 → v1. Version 0 is a row that holds only the state and deadline columns and no XState snapshot
 * (written by importers or tooling that predate snapshots): the snapshot is rebuilt from the columns.
 */
export function fromColumnsOnly(raw: RawCycleRecord): RawCycleRecord {
  const snapshot = {
    status: raw.state === 'COMPLETE' ? 'done' : 'active',
    value: raw.state,
    historyValue: {},
    context: { deadlineAt: epochOrNull(raw.deadlineAt), deadlineInput: raw.deadlineInput },
    children: {},
  };
  return { ...raw, machineVersion: 1, snapshot };
}

/** A migration for a release that renames states: maps `state` and the snapshot's `value`. */
export function renameStates(
  toVersion: number,
  renames: Readonly<Record<string, string>>,
): SnapshotMigration {
  return (raw) => {
    const state = renames[raw.state] ?? raw.state;
    const snapshot = isObject(raw.snapshot) ? { ...raw.snapshot, value: state } : raw.snapshot;
    return { ...raw, machineVersion: toVersion, state, snapshot };
  };
}

export const SNAPSHOT_MIGRATIONS: Readonly<Record<CycleName, MigrationTable>> = Object.freeze({
  service_cycle: Object.freeze({ 0: fromColumnsOnly }),
  payment_cycle: Object.freeze({ 0: fromColumnsOnly }),
});

/** Runs the table's migrations from the record's version up to `target`, one version at a time. */
export function migrateRaw(raw: RawCycleRecord, target: number, table: MigrationTable): RawCycleRecord {
  let current = raw;
  while (current.machineVersion < target) {
    const from = current.machineVersion;
    const migrate = table[from];
    if (!migrate) throw migrationFault(raw, `no migration from version ${from} to ${from + 1}`);
    current = migrate(current);
    if (current.machineVersion !== from + 1) {
      throw migrationFault(raw, `migration from version ${from} produced version ${current.machineVersion}`);
    }
  }
  return current;
}

function migrationFault(raw: RawCycleRecord, message: string): SwapdError {
  return new SwapdError('INTERNAL_ERROR', `${raw.cycle} snapshot migration failed: ${message}`, {
    details: [{ path: 'machineVersion', message: `stored version ${raw.machineVersion}` }],
  });
}

function epochOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new SwapdError('INTERNAL_ERROR', `stored deadline ${String(value)} is not a date`);
  return ms;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
