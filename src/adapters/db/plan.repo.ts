import { sql } from 'kysely';
import type {
  AssetView,
  CycleView,
  PaymentView,
  PlanTemplate,
  PlanView,
} from '../../../agents/shared/plan.types.js';
import { type CycleName, type CycleRecord, restoreRecord } from '../../../fsm/index.js';
import type { Executor } from '../../ports/database.js';
import type { LoadedPlan } from '../../ports/store.js';

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

/** A plan with its template, service states and both cycles; `lock` takes the plan's row lock. */
export async function loadPlan(db: Executor, planId: string, lock: boolean): Promise<LoadedPlan | null> {
  let query = db
    .selectFrom('plans')
    .innerJoin('templates', 'templates.template_id', 'plans.template_id')
    .select([
      'plans.plan_id',
      'plans.customer_id',
      'plans.status',
      'plans.returned_asset',
      'plans.returned_kwh',
      'plans.returned_at',
      'templates.definition',
    ])
    .where('plans.plan_id', '=', planId);
  if (lock) query = query.forUpdate(['plans']);
  const plan = await query.executeTakeFirst();
  if (!plan) return null;
  const [states, snapshots] = await Promise.all([
    db
      .selectFrom('service_states')
      .select(['service_id', 'used', 'quota', 'current_asset'])
      .where('plan_id', '=', planId)
      .orderBy('position')
      .execute(),
    db.selectFrom('fsm_snapshots').selectAll().where('plan_id', '=', planId).execute(),
  ]);
  const cycles = Object.fromEntries(snapshots.map((s) => [s.cycle, toCycleRecord(s)])) as Record<
    CycleName,
    CycleRecord
  >;
  const view: PlanView = {
    plan_id: plan.plan_id,
    customer_id: plan.customer_id,
    status: plan.status,
    template: parseJson<PlanTemplate>(plan.definition),
    serviceStates: states.map((s) => ({ ...s, used: String(s.used), quota: String(s.quota) })),
    cycles: {
      service_cycle: cycleView(cycles.service_cycle),
      payment_cycle: cycleView(cycles.payment_cycle),
    },
    returned: returnedOf(plan),
  };
  return { view, cycles };
}

export async function loadAssets(db: Executor, ids: readonly string[], lock: boolean): Promise<AssetView[]> {
  if (ids.length === 0) return [];
  // Ordered by id so that concurrent requests lock batteries in the same order (no deadlock).
  let query = db
    .selectFrom('assets')
    .select(['asset_id', 'capacity_kwh', 'station_id', 'status', 'holder_plan_id'])
    .where('asset_id', 'in', [...ids])
    .orderBy('asset_id');
  if (lock) query = query.forUpdate();
  const rows = await query.execute();
  return rows.map((r) => ({
    ...r,
    capacity_kwh: String(r.capacity_kwh),
    status: r.status as AssetView['status'],
  }));
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

export const nowSql = sql<Date>`now()`;

export async function loadPayments(db: Executor, ids: readonly string[]): Promise<PaymentView[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('payments')
    .select(['payment_id', 'status', 'amount', 'payment_type', 'source'])
    .where('payment_id', 'in', [...ids])
    .forUpdate()
    .execute();
  return rows.map((r) => ({ ...r, amount: String(r.amount), status: r.status as PaymentView['status'] }));
}
