import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import type { Executor } from '../ports/database.js';

/**
 * The ledger checks an operator runs after a fault (`swapd check --reconcile`) and the fault suite runs
 * after every test: read-only queries over the committed state, each violation named with its subject.
 */
export const RECONCILE_RULES = [
  'QUOTA_BOUNDS',
  'USAGE_LEDGER',
  'SWAP_APPLIED_ONCE',
  'BATTERY_ONE_HOLDER',
  'EVENT_QUEUED',
  'EVENT_PUBLISHED',
  'REQUEST_ANSWERED',
] as const;
export type ReconcileRule = (typeof RECONCILE_RULES)[number];

export const RULE_MEANING: Record<ReconcileRule, string> = {
  QUOTA_BOUNDS: "every service's used is between 0 and its quota",
  USAGE_LEDGER: "every service's used equals what its committed swaps added (service_completed events)",
  SWAP_APPLIED_ONCE: 'no swap (plan, action, correlation_id) was committed twice',
  BATTERY_ONE_HOLDER: 'a battery is held by at most one plan, and holder and plan agree',
  EVENT_QUEUED: 'every stored event has its outbox row',
  EVENT_PUBLISHED: 'no outbox row waits unpublished longer than the allowed lag',
  REQUEST_ANSWERED: 'every committed request has its stored answer',
};

export interface Violation {
  rule: ReconcileRule;
  subject: string;
  message: string;
}

export interface ReconcileReport {
  ok: boolean;
  checked_at: string;
  counts: {
    plans: number;
    services: number;
    swaps: number;
    batteries_held: number;
    events: number;
    outbox_pending: number;
    requests: number;
  };
  violations: Violation[];
}

export interface ReconcileOptions {
  now: Date;
  /** An outbox row unpublished for longer than this is a violation (default 5 minutes). */
  publishLagMs?: number;
}

interface SwapRow {
  plan_id: string;
  created_at: Date;
  payload: unknown;
}

interface QuotaUpdateWire {
  service_id: string;
  used_before: Decimal;
  used_after: Decimal;
}

type Collector = (rule: ReconcileRule, subject: string, message: string) => void;

function record(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

function decimalOrNull(value: unknown): Decimal | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  try {
    return new Decimal(value);
  } catch {
    return null;
  }
}

function quotaUpdates(payload: unknown): QuotaUpdateWire[] {
  const data = record(record(payload).service_data);
  const list = Array.isArray(data.quota_updates) ? data.quota_updates : [];
  return list.flatMap((u: unknown) => {
    const item = record(u);
    const before = decimalOrNull(item.used_before);
    const after = decimalOrNull(item.used_after);
    if (typeof item.service_id !== 'string' || !before || !after) return [];
    return [{ service_id: item.service_id, used_before: before, used_after: after }];
  });
}

async function checkQuotaBounds(db: Executor, add: Collector): Promise<number> {
  const rows = await db
    .selectFrom('service_states')
    .select(['plan_id', 'service_id', 'used', 'quota'])
    .execute();
  for (const r of rows) {
    const used = new Decimal(r.used);
    if (used.isNegative() || used.gt(r.quota))
      add('QUOTA_BOUNDS', `${r.plan_id}/${r.service_id}`, `used ${r.used} is outside 0..${r.quota}`);
  }
  return rows.length;
}

/** Renewals reset usage: a confirmed RENEWAL payment starts a new period for every service of its plan. */
async function renewalsByPlan(db: Executor): Promise<Map<string, Date[]>> {
  const rows = await db
    .selectFrom('payments')
    .select(['plan_id', 'confirmed_at'])
    .where('payment_type', '=', 'RENEWAL')
    .where('status', '=', 'CONFIRMED')
    .where('confirmed_at', 'is not', null)
    .execute();
  const map = new Map<string, Date[]>();
  for (const r of rows) map.set(r.plan_id, [...(map.get(r.plan_id) ?? []), new Date(r.confirmed_at as Date)]);
  return map;
}

/** The swaps of one service in one period, ordered along the chain of used values they record. */
function checkChain(subject: string, updates: QuotaUpdateWire[], startsAtZero: boolean, add: Collector) {
  const sorted = [...updates].sort(
    (a, b) => a.used_before.cmp(b.used_before) || a.used_after.cmp(b.used_after),
  );
  let expected: Decimal | null = startsAtZero ? new Decimal(0) : null;
  for (const u of sorted) {
    if (u.used_after.lt(u.used_before))
      add('USAGE_LEDGER', subject, `a swap lowered used from ${u.used_before} to ${u.used_after}`);
    if (expected && !u.used_before.eq(expected))
      add(
        'USAGE_LEDGER',
        subject,
        `a swap starts at used ${u.used_before} where the previous one left ${expected}`,
      );
    expected = u.used_after;
  }
  return expected;
}

async function checkUsageLedger(db: Executor, add: Collector): Promise<number> {
  const states = await db.selectFrom('service_states').select(['plan_id', 'service_id', 'used']).execute();
  const swaps = (await db
    .selectFrom('events')
    .select(['plan_id', 'created_at', 'payload'])
    .where('event_type', '=', 'SERVICE_COMPLETED')
    .execute()) as SwapRow[];
  const renewals = await renewalsByPlan(db);
  const byService = new Map<string, { at: Date; update: QuotaUpdateWire }[]>();
  for (const swap of swaps) {
    for (const update of quotaUpdates(swap.payload)) {
      const key = `${swap.plan_id}/${update.service_id}`;
      byService.set(key, [...(byService.get(key) ?? []), { at: new Date(swap.created_at), update }]);
    }
  }
  for (const s of states) {
    const subject = `${s.plan_id}/${s.service_id}`;
    const entries = byService.get(subject) ?? [];
    const lastReset = (renewals.get(s.plan_id) ?? []).reduce<Date | null>(
      (m, d) => (!m || d > m ? d : m),
      null,
    );
    const current = entries.filter((e) => !lastReset || e.at >= lastReset).map((e) => e.update);
    const end = checkChain(subject, current, lastReset !== null, add);
    const expected = end ?? (lastReset ? new Decimal(0) : null);
    if (expected && !expected.eq(s.used))
      add('USAGE_LEDGER', subject, `used is ${s.used} but its committed swaps add up to ${expected}`);
  }
  return swaps.length;
}

async function checkSwapsOnce(db: Executor, add: Collector): Promise<void> {
  const rows = await sql<{ plan_id: string; action: string; transaction_id: string; n: number }>`
    select plan_id, payload->'service_data'->>'source_action' as action,
      payload->'service_data'->>'transaction_id' as transaction_id, count(*)::int as n
    from events where event_type = 'SERVICE_COMPLETED'
    group by 1, 2, 3 having count(*) > 1`.execute(db);
  for (const r of rows.rows)
    add('SWAP_APPLIED_ONCE', r.plan_id, `${r.action} ${r.transaction_id} was committed ${r.n} times`);
}

async function checkBatteryHolders(db: Executor, add: Collector): Promise<number> {
  const held = await sql<{ asset_id: string; holders: string[] }>`
    select current_asset as asset_id, array_agg(distinct plan_id order by plan_id) as holders
    from service_states where current_asset is not null group by current_asset`.execute(db);
  const assets = await db.selectFrom('assets').select(['asset_id', 'status', 'holder_plan_id']).execute();
  const byId = new Map(assets.map((a) => [a.asset_id, a]));
  const heldBy = new Map<string, string>();
  for (const h of held.rows) {
    if (h.holders.length > 1)
      add('BATTERY_ONE_HOLDER', h.asset_id, `held by ${h.holders.length} plans: ${h.holders.join(', ')}`);
    const holder = h.holders[0] as string;
    heldBy.set(h.asset_id, holder);
    const asset = byId.get(h.asset_id);
    if (asset && asset.holder_plan_id !== holder)
      add(
        'BATTERY_ONE_HOLDER',
        h.asset_id,
        `plan ${holder} holds it but the battery says ${asset.holder_plan_id ?? 'nobody'} (${asset.status})`,
      );
  }
  for (const a of assets) {
    if (a.status === 'ISSUED' && a.holder_plan_id && heldBy.get(a.asset_id) !== a.holder_plan_id)
      add('BATTERY_ONE_HOLDER', a.asset_id, `issued to ${a.holder_plan_id}, which does not hold it`);
  }
  return held.rows.length;
}

async function checkEvents(db: Executor, add: Collector, now: Date, lagMs: number) {
  const unqueued = await sql<{ event_id: string; event_type: string }>`
    select e.event_id, e.event_type from events e
    where not exists (select 1 from outbox o where o.event_id = e.event_id)`.execute(db);
  for (const e of unqueued.rows) add('EVENT_QUEUED', e.event_id, `${e.event_type} has no outbox row`);
  const pending = await db
    .selectFrom('outbox')
    .select(['event_id', 'topic', 'created_at', 'attempts'])
    .where('published_at', 'is', null)
    .execute();
  const limit = now.getTime() - lagMs;
  for (const p of pending) {
    if (new Date(p.created_at).getTime() < limit)
      add(
        'EVENT_PUBLISHED',
        p.event_id,
        `${p.topic} unpublished since ${new Date(p.created_at).toISOString()} (${p.attempts} attempts)`,
      );
  }
  const events = await sql<{ n: number }>`select count(*)::int as n from events`.execute(db);
  return { events: events.rows[0]?.n ?? 0, pending: pending.length };
}

async function checkAnswers(db: Executor, add: Collector): Promise<number> {
  const missing = await db
    .selectFrom('idempotency_keys')
    .select(['scope', 'key', 'plan_id', 'operation'])
    .where('response', 'is', null)
    .execute();
  for (const k of missing)
    add(
      'REQUEST_ANSWERED',
      `${k.scope}:${k.key}`,
      `${k.operation} on ${k.plan_id ?? '-'} committed without a stored answer`,
    );
  const total = await sql<{ n: number }>`select count(*)::int as n from idempotency_keys`.execute(db);
  return total.rows[0]?.n ?? 0;
}

/** Runs every rule; read-only. The report names each violation; `ok` is false on any. */
export async function reconcile(db: Executor, options: ReconcileOptions): Promise<ReconcileReport> {
  const violations: Violation[] = [];
  const add: Collector = (rule, subject, message) => violations.push({ rule, subject, message });
  const services = await checkQuotaBounds(db, add);
  const swaps = await checkUsageLedger(db, add);
  await checkSwapsOnce(db, add);
  const held = await checkBatteryHolders(db, add);
  const events = await checkEvents(db, add, options.now, options.publishLagMs ?? 300_000);
  const requests = await checkAnswers(db, add);
  const plans = await sql<{ n: number }>`select count(*)::int as n from plans`.execute(db);
  return {
    ok: violations.length === 0,
    checked_at: options.now.toISOString(),
    counts: {
      plans: plans.rows[0]?.n ?? 0,
      services,
      swaps,
      batteries_held: held,
      events: events.events,
      outbox_pending: events.pending,
      requests,
    },
    violations,
  };
}

/** The report as an operator reads it. */
export function formatReconcileReport(report: ReconcileReport): string {
  const c = report.counts;
  const head = `reconciled ${c.plans} plans, ${c.services} services, ${c.swaps} swaps, ${c.batteries_held} batteries held, ${c.events} events (${c.outbox_pending} waiting to publish), ${c.requests} requests`;
  if (report.ok) return `${head}\nclean: no violation`;
  const lines = report.violations.map((v) => `  ${v.rule} ${v.subject}: ${v.message}`);
  return `${head}\n${report.violations.length} violation(s):\n${lines.join('\n')}`;
}
