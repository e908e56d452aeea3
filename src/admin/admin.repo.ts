import type { PlanTemplate } from '../../agents/shared/plan.types.js';
import { activateCycles, type CycleRecord, recordAt } from '../../fsm/index.js';
import { saveCycles } from '../adapters/db/plan.repo.js';
import { SwapdError } from '../errors.js';
import type { Db, Executor } from '../ports/database.js';
import { cycleParams } from '../router/cycles.js';
import type { AssetImport, PlanImport } from './admin-validation.js';

export async function upsertTemplates(db: Executor, templates: readonly PlanTemplate[]): Promise<void> {
  for (const t of templates) {
    const row = {
      template_id: t.template_id,
      version: t.version,
      currency: t.currency,
      definition: JSON.stringify(t),
    };
    await db
      .insertInto('templates')
      .values(row)
      .onConflict((oc) => oc.column('template_id').doUpdateSet({ ...row, updated_at: new Date() }))
      .execute();
  }
}

async function templateOf(db: Executor, templateId: string): Promise<PlanTemplate> {
  const row = await db
    .selectFrom('templates')
    .select('definition')
    .where('template_id', '=', templateId)
    .executeTakeFirst();
  if (!row) throw new SwapdError('NOT_FOUND', `template ${templateId} is not known`);
  return (typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition) as PlanTemplate;
}

function serviceRows(plan: PlanImport, template: PlanTemplate) {
  const given = new Map((plan.serviceStates ?? []).map((s) => [s.service_id, s]));
  for (const id of given.keys()) {
    if (!template.service_configurations.some((c) => c.service_id === id)) {
      throw new SwapdError(
        'INVALID_VALUE',
        `plan ${plan.plan_id}: service ${id} is not in template ${template.template_id}`,
      );
    }
  }
  return template.service_configurations.map((c, position) => {
    const s = given.get(c.service_id);
    const quota = s?.quota ?? c.quota;
    const used = s?.used ?? 0;
    if (used > quota)
      throw new SwapdError(
        'INVALID_VALUE',
        `plan ${plan.plan_id}: ${c.service_id} used ${used} exceeds quota ${quota}`,
      );
    const asset = s?.current_asset ?? null;
    if (asset && !c.tracks_asset) {
      throw new SwapdError('INVALID_VALUE', `plan ${plan.plan_id}: ${c.service_id} does not track a battery`);
    }
    return {
      plan_id: plan.plan_id,
      service_id: c.service_id,
      position,
      used: String(used),
      quota: String(quota),
      current_asset: asset,
    };
  });
}

/** The customer's battery: registered as issued to this plan (created with the template's default capacity if new). */
async function holdAsset(
  db: Executor,
  planId: string,
  assetId: string,
  template: PlanTemplate,
): Promise<void> {
  const asset = await db
    .selectFrom('assets')
    .selectAll()
    .where('asset_id', '=', assetId)
    .forUpdate()
    .executeTakeFirst();
  if (!asset) {
    const capacity = String(template.agent_params.electricity_tracking.default_battery_capacity_kwh);
    await db
      .insertInto('assets')
      .values({
        asset_id: assetId,
        capacity_kwh: capacity,
        station_id: null,
        status: 'ISSUED',
        holder_plan_id: planId,
      })
      .execute();
    return;
  }
  if (asset.holder_plan_id === planId) return;
  if (asset.status !== 'IN_STOCK') {
    throw new SwapdError(
      'INVALID_VALUE',
      `battery ${assetId} is ${asset.status} (held by ${asset.holder_plan_id ?? 'nobody'})`,
    );
  }
  await db
    .updateTable('assets')
    .set({ status: 'ISSUED', holder_plan_id: planId })
    .where('asset_id', '=', assetId)
    .execute();
}

function cyclesFor(plan: PlanImport, template: PlanTemplate, holds: boolean, now: Date): CycleRecord[] {
  const params = cycleParams(template);
  if (!plan.serviceStates && !plan.service_cycle && !plan.payment_cycle) {
    const active = activateCycles(params, now);
    return [active.service_cycle, active.payment_cycle];
  }
  const service = plan.service_cycle ?? (holds ? 'BATTERY_ISSUED' : 'WAIT_BATTERY_ISSUE');
  const payment = plan.payment_cycle ?? 'CURRENT';
  return [recordAt('service_cycle', service, params, now), recordAt('payment_cycle', payment, params, now)];
}

async function insertPlan(db: Executor, plan: PlanImport, now: Date): Promise<void> {
  const template = await templateOf(db, plan.template_id);
  const exists = await db
    .selectFrom('plans')
    .select('plan_id')
    .where('plan_id', '=', plan.plan_id)
    .executeTakeFirst();
  if (exists) throw new SwapdError('ALREADY_EXISTS', `plan ${plan.plan_id} exists already`);
  const rows = serviceRows(plan, template);
  await db
    .insertInto('plans')
    .values({
      plan_id: plan.plan_id,
      customer_id: plan.customer_id,
      template_id: template.template_id,
      status: plan.status ?? 'ACTIVE',
    })
    .execute();
  const held = rows.map((r) => r.current_asset).filter((a): a is string => a !== null);
  for (const asset of held) await holdAsset(db, plan.plan_id, asset, template);
  await db.insertInto('service_states').values(rows).execute();
  await saveCycles(db, plan.plan_id, cyclesFor(plan, template, held.length > 0, now), now);
}

/** Creates plans (new customers) or imports them with their usage (customers from another platform), all or none. */
export async function importPlans(db: Db, plans: readonly PlanImport[], now: Date): Promise<string[]> {
  await db.transaction().execute(async (tx) => {
    for (const plan of plans) await insertPlan(tx, plan, now);
  });
  return plans.map((p) => p.plan_id);
}

/** Registers batteries or updates their capacity and home station; who holds them is left as it is. */
export async function addAssets(db: Db, assets: readonly AssetImport[]): Promise<number> {
  await db.transaction().execute(async (tx) => {
    for (const a of assets) {
      await tx
        .insertInto('assets')
        .values({
          asset_id: a.asset_id,
          capacity_kwh: String(a.capacity_kwh),
          station_id: a.station_id ?? null,
          status: a.status ?? 'IN_STOCK',
          holder_plan_id: null,
        })
        .onConflict((oc) =>
          oc.column('asset_id').doUpdateSet({
            capacity_kwh: String(a.capacity_kwh),
            station_id: a.station_id ?? null,
            updated_at: new Date(),
          }),
        )
        .execute();
    }
  });
  return assets.length;
}

/** Batteries the station found in its own slots: registered if new, left alone if known. */
export async function registerStock(db: Db, assets: readonly AssetImport[]): Promise<void> {
  if (assets.length === 0) return;
  await db
    .insertInto('assets')
    .values(
      assets.map((a) => ({
        asset_id: a.asset_id,
        capacity_kwh: String(a.capacity_kwh),
        station_id: a.station_id ?? null,
        status: 'IN_STOCK',
        holder_plan_id: null,
      })),
    )
    .onConflict((oc) => oc.column('asset_id').doNothing())
    .execute();
}
