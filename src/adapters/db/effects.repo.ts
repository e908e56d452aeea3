import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Effect } from '../../../agents/shared/agent.types.js';
import { SwapdError } from '../../errors.js';
import type { Executor } from '../../ports/database.js';
import type { EffectContext } from '../../ports/store.js';

type Of<K extends Effect['kind']> = Extract<Effect, { kind: K }>;

/** Guarded: the update only happens while used + increment stays within quota (SPEC §6.3). */
async function applyUsage(db: Executor, e: Of<'usage'>, ctx: EffectContext): Promise<void> {
  const result = await db
    .updateTable('service_states')
    .set({ used: sql`used + ${e.increment}::numeric`, updated_at: ctx.now })
    .where('plan_id', '=', ctx.planId)
    .where('service_id', '=', e.service_id)
    .where(sql<boolean>`used + ${e.increment}::numeric <= quota`)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new SwapdError('INTERNAL_ERROR', `usage of ${e.service_id} would exceed its quota`);
  }
}

async function applyQuota(db: Executor, e: Of<'quota'>, ctx: EffectContext): Promise<void> {
  await db
    .updateTable('service_states')
    .set({ quota: sql`quota + ${e.increment}::numeric`, updated_at: ctx.now })
    .where('plan_id', '=', ctx.planId)
    .where('service_id', '=', e.service_id)
    .execute();
}

async function applyCurrentAsset(db: Executor, e: Of<'current_asset'>, ctx: EffectContext): Promise<void> {
  await db
    .updateTable('service_states')
    .set({ current_asset: e.asset_id, updated_at: ctx.now })
    .where('plan_id', '=', ctx.planId)
    .where('service_id', '=', e.service_id)
    .execute();
}

async function applyAsset(db: Executor, e: Of<'asset'>, ctx: EffectContext): Promise<void> {
  const set = {
    status: e.status,
    holder_plan_id: e.holder_plan_id,
    updated_at: ctx.now,
    ...(e.station_id !== undefined ? { station_id: e.station_id } : {}),
  };
  let query = db.updateTable('assets').set(set).where('asset_id', '=', e.asset_id);
  // Issuing is guarded too: only a battery in stock can leave (SPEC §6.4).
  if (e.status === 'ISSUED') query = query.where('status', '=', 'IN_STOCK');
  const result = await query.executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new SwapdError('INTERNAL_ERROR', `battery ${e.asset_id} could not move to ${e.status}`);
  }
}

/** The event's history row and its outbox row, in the request's transaction (SPEC §6.1, §6.5). */
async function applyEvent(db: Executor, e: Of<'event'>, ctx: EffectContext): Promise<void> {
  const event_id = typeof e.payload.event_id === 'string' ? e.payload.event_id : randomUUID();
  const payload = { event_id, timestamp: ctx.now.toISOString(), ...e.payload, event_type: e.event_type };
  const text = JSON.stringify(payload);
  await db
    .insertInto('events')
    .values({
      event_id,
      event_type: e.event_type,
      plan_id: ctx.planId,
      correlation_id: ctx.correlationId,
      payload: text,
    })
    .execute();
  await db.insertInto('outbox').values({ event_id, topic: e.topic, payload: text, qos: 1 }).execute();
}

/** A payment is recorded once; a confirmation upgrades a pending one and nothing downgrades a confirmed one. */
async function applyPayment(db: Executor, e: Of<'payment'>, ctx: EffectContext): Promise<void> {
  const p = e.payment;
  const confirmedAt = p.status === 'CONFIRMED' ? ctx.now : null;
  await db
    .insertInto('payments')
    .values({ ...p, plan_id: ctx.planId, confirmed_at: confirmedAt })
    .onConflict((oc) =>
      oc.column('payment_id').doUpdateSet({
        status: sql`case when payments.status = 'CONFIRMED' then 'CONFIRMED' else excluded.status end`,
        confirmed_at: sql`coalesce(payments.confirmed_at, excluded.confirmed_at)`,
        odoo_receipt_id: sql`coalesce(payments.odoo_receipt_id, excluded.odoo_receipt_id)`,
      }),
    )
    .execute();
}

async function applyAudit(db: Executor, e: Of<'audit'>, ctx: EffectContext): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: ctx.now,
      kind: e.audit_kind,
      requester: e.requester,
      subject: ctx.planId,
      tag: null,
      value: null,
      decision: e.decision,
      details: JSON.stringify(e.details),
    })
    .execute();
}

async function applyReturned(db: Executor, e: Of<'returned'>, ctx: EffectContext): Promise<void> {
  await db
    .updateTable('plans')
    .set({
      returned_asset: e.asset_id,
      returned_kwh: e.kwh,
      returned_at: e.asset_id ? ctx.now : null,
      updated_at: ctx.now,
    })
    .where('plan_id', '=', ctx.planId)
    .execute();
}

/** A renewal starts a new period: usage back to zero, quotas back to the template's. */
async function applyRenewPeriod(db: Executor, e: Of<'renew_period'>, ctx: EffectContext): Promise<void> {
  for (const q of e.quotas) {
    await db
      .updateTable('service_states')
      .set({ used: '0', quota: q.quota, updated_at: ctx.now })
      .where('plan_id', '=', ctx.planId)
      .where('service_id', '=', q.service_id)
      .execute();
  }
}

export async function applyEffect(db: Executor, effect: Effect, ctx: EffectContext): Promise<void> {
  switch (effect.kind) {
    case 'usage':
      return applyUsage(db, effect, ctx);
    case 'quota':
      return applyQuota(db, effect, ctx);
    case 'current_asset':
      return applyCurrentAsset(db, effect, ctx);
    case 'asset':
      return applyAsset(db, effect, ctx);
    case 'event':
      return applyEvent(db, effect, ctx);
    case 'payment':
      return applyPayment(db, effect, ctx);
    case 'audit':
      return applyAudit(db, effect, ctx);
    case 'returned':
      return applyReturned(db, effect, ctx);
    case 'renew_period':
      return applyRenewPeriod(db, effect, ctx);
  }
}

/** In order: a returned battery is back in stock before it could be issued again, and so on. */
export async function applyEffects(
  db: Executor,
  effects: readonly Effect[],
  ctx: EffectContext,
): Promise<void> {
  // current_asset changes go after asset moves so the unique holder index never sees two plans.
  const ordered = [...effects].sort((a, b) => rank(a) - rank(b));
  for (const effect of ordered) await applyEffect(db, effect, ctx);
}

function rank(e: Effect): number {
  return e.kind === 'current_asset' ? 1 : e.kind === 'event' ? 2 : 0;
}
