import { describe, expect, it } from 'vitest';
import {
  activateCycles,
  applyInput,
  type CycleParams,
  type CycleRecord,
  createCycle,
  DAY_MS,
  MACHINE_VERSIONS,
  type MigrationTable,
  migrateRaw,
  type RawCycleRecord,
  recordAt,
  renameStates,
  restoreRecord,
} from '../../fsm/index.js';

const PARAMS: CycleParams = { billingPeriodDays: 30, gracePeriodDays: 7, depositRequired: false };
const T0 = new Date('2025-01-15T10:00:00Z');

/** What a database round trip does to a record: JSON for the snapshot, Date for the timestamp column. */
function throughStorage(record: CycleRecord): RawCycleRecord {
  const parsed = JSON.parse(JSON.stringify(record)) as Omit<RawCycleRecord, 'deadlineAt'> & {
    deadlineAt: string | null;
  };
  return { ...parsed, deadlineAt: parsed.deadlineAt === null ? null : new Date(parsed.deadlineAt) };
}

describe('snapshot persistence', () => {
  it('starts both cycles at version 1', () => {
    expect(MACHINE_VERSIONS).toEqual({ service_cycle: 1, payment_cycle: 1 });
    expect(createCycle('payment_cycle', PARAMS, T0)).toMatchObject({ state: 'INITIAL', machineVersion: 1 });
  });

  it('round-trips every state of both cycles through JSON', () => {
    const records = [
      ...[
        'INITIAL',
        'WAIT_BATTERY_ISSUE',
        'BATTERY_ISSUED',
        'BATTERY_RETURNED',
        'BATTERY_LOST',
        'COMPLETE',
      ].map((s) => recordAt('service_cycle', s, PARAMS, T0)),
      ...['INITIAL', 'DEPOSIT_DUE', 'CURRENT', 'RENEWAL_DUE', 'FINAL_DUE', 'COMPLETE'].map((s) =>
        recordAt('payment_cycle', s, PARAMS, T0),
      ),
    ];
    for (const record of records) {
      expect(JSON.parse(JSON.stringify(record.snapshot))).toEqual(record.snapshot);
      expect(restoreRecord(throughStorage(record))).toEqual(record);
    }
  });

  it('keeps working on a restored record: same results as on the original', () => {
    const { payment_cycle } = activateCycles(PARAMS, T0);
    const restored = restoreRecord(throughStorage(payment_cycle));
    const input = {
      cycle: 'payment_cycle',
      input: 'PAYMENT_RECEIVED',
      params: { payment_type: 'RENEWAL' },
    } as const;
    const later = new Date(T0.getTime() + 3 * DAY_MS);
    expect(applyInput(restored, input, PARAMS, later)).toEqual(
      applyInput(payment_cycle, input, PARAMS, later),
    );
  });

  it('takes the deadline from the snapshot, not from an edited column', () => {
    const record = recordAt('payment_cycle', 'CURRENT', PARAMS, T0);
    const edited = { ...throughStorage(record), deadlineAt: new Date('2030-01-01T00:00:00Z') };
    expect(restoreRecord(edited).deadlineAt).toEqual(record.deadlineAt);
  });

  it('rejects a corrupt snapshot with a clear error', () => {
    const record = throughStorage(recordAt('service_cycle', 'BATTERY_ISSUED', PARAMS, T0));
    expect(() => restoreRecord({ ...record, snapshot: null })).toThrow(/corrupt: snapshot is not an object/);
    expect(() => restoreRecord({ ...record, state: 'BATTERY_RETURNED' })).toThrow(
      /column says BATTERY_RETURNED/,
    );
    const badValue = { ...(record.snapshot as object), value: 'BATTERY_STOLEN' };
    expect(() => restoreRecord({ ...record, snapshot: badValue, state: 'BATTERY_STOLEN' })).toThrow(
      /snapshot.value is not a service_cycle state/,
    );
    const badContext = {
      ...(record.snapshot as object),
      context: { deadlineAt: 'soon', deadlineInput: null },
    };
    expect(() => restoreRecord({ ...record, snapshot: badContext })).toThrow(/snapshot.context/);
  });
});

describe('machine versions', () => {
  it('migrates a version-0 row (state and deadline columns, no snapshot) to the current version', () => {
    const deadline = new Date(T0.getTime() + 4 * DAY_MS);
    const v0: RawCycleRecord = {
      cycle: 'payment_cycle',
      machineVersion: 0,
      state: 'RENEWAL_DUE',
      snapshot: null,
      deadlineAt: deadline,
      deadlineInput: 'GRACE_PERIOD_EXPIRED',
    };
    const restored = restoreRecord(v0);
    expect(restored).toEqual(recordAt('payment_cycle', 'RENEWAL_DUE', PARAMS, T0, deadline));
    const late = new Date(deadline.getTime() + 1);
    const result = applyInput(v0, { cycle: 'payment_cycle', input: 'GRACE_PERIOD_EXPIRED' }, PARAMS, late);
    expect(result).toMatchObject({
      ok: true,
      from: 'RENEWAL_DUE',
      to: 'FINAL_DUE',
      record: { machineVersion: 1 },
    });
  });

  it('migrates a version-0 COMPLETE row to a done snapshot', () => {
    const v0: RawCycleRecord = {
      cycle: 'service_cycle',
      machineVersion: 0,
      state: 'COMPLETE',
      snapshot: 'anything',
      deadlineAt: null,
      deadlineInput: null,
    };
    expect(restoreRecord(v0)).toEqual(recordAt('service_cycle', 'COMPLETE', PARAMS, T0));
  });

  it('chains migrations one version at a time (fabricated v0 → v1 → v2 with a state rename)', () => {
    const toV1 = (raw: RawCycleRecord): RawCycleRecord => ({
      ...raw,
      machineVersion: 1,
      snapshot: { value: raw.state, context: {} },
    });
    const table: MigrationTable = { 0: toV1, 1: renameStates(2, { BATTERY_MISSING: 'BATTERY_LOST' }) };
    const v0: RawCycleRecord = {
      cycle: 'service_cycle',
      machineVersion: 0,
      state: 'BATTERY_MISSING',
      snapshot: null,
      deadlineAt: null,
      deadlineInput: null,
    };
    expect(migrateRaw(v0, 2, table)).toEqual({
      ...v0,
      machineVersion: 2,
      state: 'BATTERY_LOST',
      snapshot: { value: 'BATTERY_LOST', context: {} },
    });
    expect(migrateRaw({ ...v0, machineVersion: 2 }, 2, table)).toEqual({ ...v0, machineVersion: 2 });
  });

  it('fails clearly when a migration is missing or skips a version', () => {
    const v0: RawCycleRecord = {
      cycle: 'payment_cycle',
      machineVersion: 0,
      state: 'CURRENT',
      snapshot: null,
      deadlineAt: null,
      deadlineInput: null,
    };
    expect(() => migrateRaw(v0, 2, {})).toThrow(/no migration from version 0 to 1/);
    expect(() => migrateRaw(v0, 2, { 0: (raw) => ({ ...raw, machineVersion: 2 }) })).toThrow(
      /migration from version 0 produced version 2/,
    );
  });

  it('throws a clear error for a newer or an unknown version', () => {
    const record = throughStorage(recordAt('payment_cycle', 'CURRENT', PARAMS, T0));
    expect(() => restoreRecord({ ...record, machineVersion: 2 })).toThrow(
      /payment_cycle record: machine version 2 is newer than this swapd's version 1; upgrade swapd/,
    );
    expect(() => restoreRecord({ ...record, machineVersion: -1 })).toThrow(/unknown machine version -1/);
    expect(() => restoreRecord({ ...record, machineVersion: 1.5 })).toThrow(/unknown machine version 1.5/);
    expect(() => restoreRecord({ ...record, machineVersion: 2 })).toThrow(
      expect.objectContaining({ code: 'INTERNAL_ERROR' }),
    );
  });

  it('throws for an unknown cycle', () => {
    const record = throughStorage(recordAt('payment_cycle', 'CURRENT', PARAMS, T0));
    const raw = { ...record, cycle: 'loyalty_cycle' } as unknown as RawCycleRecord;
    expect(() => restoreRecord(raw)).toThrow(/unknown cycle loyalty_cycle/);
  });
});
