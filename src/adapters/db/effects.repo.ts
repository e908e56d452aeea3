import { randomUUID } from 'node:crypto';
import type { Effect } from '../../../agents/shared/agent.types.js';
import type { CycleRecord } from '../../../fsm/index.js';
import { SwapdError } from '../../errors.js';
import type { EffectContext, IdempotencyKey } from '../../ports/store.js';
import {
  ADD_QUOTA,
  RENEW_QUOTA,
  SET_PLAN_STATUS,
  UPDATE_PAYMENT,
  UPSERT_PAYMENT,
  WRITE,
} from './request-sql.js';
import type { SqlClient } from './sql-client.js';

type Of<K extends Effect['kind']> = Extract<Effect, { kind: K }>;

export interface StateRow {
  service_id: string;
  increment: string;
  guarded: boolean;
  set_asset: boolean;
  asset_id: string | null;
}

/** The rows of one WRITE statement; empty groups write nothing. */
export interface WriteSet {
  cycles: readonly CycleRecord[];
  assets: Of<'asset'>[];
  states: StateRow[];
  events: Of<'event'>[];
  returned: Of<'returned'> | null;
  audits: Of<'audit'>[];
  response: { key: IdempotencyKey; text: string } | null;
}

export function emptyWriteSet(): WriteSet {
  return { cycles: [], assets: [], states: [], events: [], returned: null, audits: [], response: null };
}

/**
 * The effects as one set, or null when one statement could not keep their one-by-one meaning
 * (quota and payment changes, or two changes to the same row: those run in order, one at a time).
 */
export function effectSet(effects: readonly Effect[]): WriteSet | null {
  const set = emptyWriteSet();
  const states = new Map<string, StateRow>();
  const assetIds = new Set<string>();
  for (const e of effects) {
    if (e.kind === 'usage' || e.kind === 'current_asset') {
      const row = states.get(e.service_id) ?? newStateRow(e.service_id);
      if (e.kind === 'usage' ? row.guarded : row.set_asset) return null;
      if (e.kind === 'usage') Object.assign(row, { increment: e.increment, guarded: true });
      else Object.assign(row, { set_asset: true, asset_id: e.asset_id });
      states.set(e.service_id, row);
    } else if (e.kind === 'asset') {
      if (assetIds.has(e.asset_id)) return null;
      assetIds.add(e.asset_id);
      set.assets.push(e);
    } else if (e.kind === 'event') set.events.push(e);
    else if (e.kind === 'audit') set.audits.push(e);
    else if (e.kind === 'returned' && set.returned === null) set.returned = e;
    else return null;
  }
  set.states = [...states.values()];
  return set;
}

function newStateRow(service_id: string): StateRow {
  return { service_id, increment: '0', guarded: false, set_asset: false, asset_id: null };
}

/**
 * One statement for the whole set; `last`: the transaction's last statement, which commits with it.
 * The statement itself checks that every battery moved and every guarded usage row stayed within its
 * quota, and a mismatch rolls the transaction back.
 */
export async function writeSet(
  client: SqlClient,
  set: WriteSet,
  ctx: EffectContext,
  last = false,
): Promise<void> {
  const guarded = set.states.filter((s) => s.guarded);
  const values = writeValues(set, ctx, guarded.length);
  const run = last ? client.queryAndCommit(WRITE, values) : client.query(WRITE, values);
  await refusedAsInternal(run, () => {
    const assets = set.assets.map((a) => `${a.asset_id} → ${a.status}`).join(', ');
    const usage = guarded.map((s) => s.service_id).join(', ');
    return `request write (batteries: ${assets || 'none'}; guarded usage: ${usage || 'none'})`;
  });
}

/**
 * Awaits a checked write; a refused count (SW001) becomes INTERNAL_ERROR naming the write (`what`),
 * any other error passes through unchanged. The transaction is rolled back either way by the caller.
 */
export async function refusedAsInternal(write: Promise<unknown>, what: () => string): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!isCountMismatch(err)) throw err;
    throw new SwapdError('INTERNAL_ERROR', `${what()} refused (${err.message})`);
  }
}

/** The request path's writes raise SQLSTATE SW001 when a count is not the expected one (migration 0010). */
export function isCountMismatch(err: unknown): err is Error {
  return err instanceof Error && (err as { code?: unknown }).code === 'SW001';
}

function writeValues(set: WriteSet, ctx: EffectContext, guarded: number): unknown[] {
  return [
    ctx.planId,
    ctx.now,
    JSON.stringify(set.cycles.map(cycleRow)),
    JSON.stringify(set.assets.map(assetRow)),
    JSON.stringify(set.states),
    set.assets.length,
    ctx.correlationId,
    JSON.stringify(set.events.map((e) => eventRow(e, ctx))),
    set.returned !== null,
    set.returned?.asset_id ?? null,
    set.returned?.kwh ?? null,
    JSON.stringify(set.audits.map(auditRow)),
    set.response?.text ?? null,
    set.response?.key.scope ?? '',
    set.response?.key.key ?? '',
    set.response?.key.operation ?? '',
    set.assets.map((a) => a.asset_id),
    guarded,
  ];
}

function cycleRow(r: CycleRecord) {
  return {
    cycle: r.cycle,
    machine_version: r.machineVersion,
    state: r.state,
    snapshot: r.snapshot,
    deadline_at: r.deadlineAt ? r.deadlineAt.toISOString() : null,
    deadline_input: r.deadlineInput,
  };
}

export function assetRow(e: Of<'asset'>) {
  const setStation = e.station_id !== undefined;
  return {
    asset_id: e.asset_id,
    status: e.status,
    holder_plan_id: e.holder_plan_id,
    set_station: setStation,
    station_id: setStation ? e.station_id : null,
  };
}

/** The event's history row and its outbox row share one text: what is stored is what is published. */
export function eventRow(e: Of<'event'>, ctx: EffectContext) {
  const event_id = typeof e.payload.event_id === 'string' ? e.payload.event_id : randomUUID();
  const payload = { event_id, timestamp: ctx.now.toISOString(), ...e.payload, event_type: e.event_type };
  return { event_id, event_type: e.event_type, topic: e.topic, payload: JSON.stringify(payload) };
}

export function auditRow(e: Of<'audit'>) {
  return { kind: e.audit_kind, requester: e.requester, decision: e.decision, details: e.details };
}

/** The effects one at a time, in order: for sets that one statement could not express. */
export async function applyInOrder(
  client: SqlClient,
  effects: readonly Effect[],
  ctx: EffectContext,
): Promise<void> {
  // current_asset changes go after asset moves so the unique holder index never sees two plans.
  const ordered = [...effects].sort((a, b) => rank(a) - rank(b));
  for (const effect of ordered) await applyOne(client, effect, ctx);
}

async function applyOne(client: SqlClient, e: Effect, ctx: EffectContext): Promise<void> {
  switch (e.kind) {
    case 'quota':
      await client.query(ADD_QUOTA, [ctx.planId, e.service_id, e.increment, ctx.now]);
      return;
    case 'renew_period':
      for (const q of e.quotas) await client.query(RENEW_QUOTA, [ctx.planId, q.service_id, q.quota, ctx.now]);
      return;
    case 'payment':
      await client.query(UPSERT_PAYMENT, paymentValues(e, ctx));
      return;
    case 'payment_update': {
      const result = await client.query(UPDATE_PAYMENT, paymentUpdateValues(e, ctx));
      if (result.rowCount !== 1) {
        throw new SwapdError('INTERNAL_ERROR', `payment ${e.update.payment_id} could not be updated`);
      }
      return;
    }
    case 'plan_status':
      await client.query(SET_PLAN_STATUS, [ctx.planId, e.status, ctx.now]);
      return;
    default:
      await writeSet(client, effectSet([e]) ?? emptyWriteSet(), ctx);
  }
}

function paymentValues(e: Of<'payment'>, ctx: EffectContext): unknown[] {
  const p = e.payment;
  return [
    p.payment_id,
    p.source,
    p.status,
    p.amount,
    p.currency,
    p.payment_method,
    p.payment_type,
    p.service_id,
    p.odoo_receipt_id,
    p.correlation_id,
    p.payment_timestamp,
    ctx.planId,
    p.status === 'CONFIRMED' ? ctx.now : null,
    p.credited,
    p.credit_service_id,
    p.provisional_amount,
    p.status === 'REJECTED' ? ctx.now : null,
  ];
}

function paymentUpdateValues(e: Of<'payment_update'>, ctx: EffectContext): unknown[] {
  const u = e.update;
  return [
    u.payment_id,
    u.status,
    u.amount ?? null,
    u.credited ?? null,
    u.credit_service_id !== undefined,
    u.credit_service_id ?? null,
    u.provisional_amount ?? null,
    u.reversed ?? null,
    u.unrecovered ?? null,
    ctx.now,
  ];
}

function rank(e: Effect): number {
  return e.kind === 'current_asset' ? 1 : e.kind === 'event' ? 2 : 0;
}
