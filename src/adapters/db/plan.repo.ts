import type {
  AssetView,
  CycleView,
  PaymentView,
  PlanTemplate,
  PlanView,
} from '../../../agents/shared/plan.types.js';
import { type CycleName, type CycleRecord, restoreRecord } from '../../../fsm/index.js';
import type { Executor } from '../../ports/database.js';
import type { LoadedRequest } from '../../ports/store.js';

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function cycleView(record: CycleRecord): CycleView {
  return {
    state: record.state,
    deadline_at: record.deadlineAt ? record.deadlineAt.toISOString() : null,
    deadline_input: record.deadlineInput,
  };
}

interface SnapshotRow {
  cycle: string;
  machine_version: number;
  state: string;
  snapshot: unknown;
  deadline_at: Date | null;
  deadline_input: string | null;
}

export function toCycleRecord(row: SnapshotRow): CycleRecord {
  return restoreRecord({
    cycle: row.cycle as CycleName,
    machineVersion: row.machine_version,
    state: row.state,
    snapshot: parseJson(row.snapshot),
    deadlineAt: row.deadline_at ? new Date(row.deadline_at) : null,
    deadlineInput: row.deadline_input,
  });
}

function returnedOf(plan: {
  returned_asset: string | null;
  returned_kwh: string | null;
  returned_at: Date | null;
}) {
  if (!plan.returned_asset || plan.returned_kwh === null) return null;
  const at = plan.returned_at ? new Date(plan.returned_at).toISOString() : new Date(0).toISOString();
  return { asset_id: plan.returned_asset, kwh: String(plan.returned_kwh), at };
}

type StateTuple = [string, string, string, string | null];
type CycleTuple = [string, number, string, unknown, string | null, string | null];
type AssetTuple = [string, string, string | null, string, string | null];
type PaymentTuple = [string, string, string, string | null, string];

/** One row of the request read (request-sql.ts READ): the plan and its aggregates as JSON arrays. */
export interface RequestRow {
  plan_id: string;
  customer_id: string;
  status: string;
  returned_asset: string | null;
  returned_kwh: string | null;
  returned_at: Date | null;
  definition: unknown;
  states: unknown;
  cycles: unknown;
  assets: unknown;
  payments: unknown;
}

export function toLoadedRequest(row: RequestRow): LoadedRequest {
  const snapshots = parseJson<CycleTuple[]>(row.cycles).map(([cycle, version, state, snapshot, at, input]) =>
    toCycleRecord({
      cycle,
      machine_version: version,
      state,
      snapshot,
      deadline_at: at === null ? null : new Date(at),
      deadline_input: input,
    }),
  );
  const cycles = Object.fromEntries(snapshots.map((c) => [c.cycle, c])) as Record<CycleName, CycleRecord>;
  const view: PlanView = {
    plan_id: row.plan_id,
    customer_id: row.customer_id,
    status: row.status,
    template: parseJson<PlanTemplate>(row.definition),
    serviceStates: parseJson<StateTuple[]>(row.states).map(([service_id, used, quota, current_asset]) => ({
      service_id,
      used,
      quota,
      current_asset,
    })),
    cycles: {
      service_cycle: cycleView(cycles.service_cycle),
      payment_cycle: cycleView(cycles.payment_cycle),
    },
    returned: returnedOf(row),
  };
  const assets = parseJson<AssetTuple[]>(row.assets).map(
    ([asset_id, capacity_kwh, station_id, status, holder]) => ({
      asset_id,
      capacity_kwh,
      station_id,
      status: status as AssetView['status'],
      holder_plan_id: holder,
    }),
  );
  const payments = parseJson<PaymentTuple[]>(row.payments).map(
    ([payment_id, status, amount, type, source]) => ({
      payment_id,
      status: status as PaymentView['status'],
      amount,
      payment_type: type,
      source,
    }),
  );
  return { plan: { view, cycles }, assets, payments };
}

/** One row of request-sql.ts PLAN_PAYMENTS. */
export interface PaymentRow {
  payment_id: string;
  plan_id: string;
  status: string;
  amount: string;
  payment_type: string | null;
  source: string;
  currency: string;
  payment_method: string;
  credited: string;
  credit_service_id: string | null;
  provisional_amount: string;
  reversed: string;
  unrecovered: string;
  created_at: Date | string;
  rejected_at: Date | string | null;
}

export function toPaymentView(row: PaymentRow): PaymentView {
  return {
    payment_id: row.payment_id,
    status: row.status as PaymentView['status'],
    amount: String(row.amount),
    payment_type: row.payment_type,
    source: row.source,
    ledger: {
      plan_id: row.plan_id,
      currency: row.currency,
      payment_method: row.payment_method,
      credited: String(row.credited),
      credit_service_id: row.credit_service_id,
      provisional_amount: String(row.provisional_amount),
      reversed: String(row.reversed),
      unrecovered: String(row.unrecovered),
      created_at: new Date(row.created_at).toISOString(),
      rejected_at: row.rejected_at === null ? null : new Date(row.rejected_at).toISOString(),
    },
  };
}

export async function saveCycles(
  db: Executor,
  planId: string,
  records: readonly CycleRecord[],
  now: Date,
): Promise<void> {
  if (records.length === 0) return;
  await db
    .insertInto('fsm_snapshots')
    .values(
      records.map((r) => ({
        plan_id: planId,
        cycle: r.cycle,
        machine_version: r.machineVersion,
        state: r.state,
        snapshot: JSON.stringify(r.snapshot),
        deadline_at: r.deadlineAt,
        deadline_input: r.deadlineInput,
        updated_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['plan_id', 'cycle']).doUpdateSet((eb) => ({
        machine_version: eb.ref('excluded.machine_version'),
        state: eb.ref('excluded.state'),
        snapshot: eb.ref('excluded.snapshot'),
        deadline_at: eb.ref('excluded.deadline_at'),
        deadline_input: eb.ref('excluded.deadline_input'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}
