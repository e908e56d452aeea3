/**
 * The request path's statements, as constant text so that Postgres parses and plans each once per
 * connection (named prepared statements). Parameters only; sets travel as one JSON parameter each.
 */

/** A new key is claimed; an existing one (a replay, or a concurrent duplicate once it commits) is not. */
export const CLAIM_KEY = {
  name: 'swapd_claim_key',
  text: `insert into idempotency_keys (scope, key, plan_id, operation, request_hash, response)
values ($1, $2, $3, $4, $5, null)
on conflict (scope, key) do nothing`,
};

/**
 * The claim and the plan's row lock in one statement. The lock is taken only once the key is claimed
 * (p reads k), so the order stays key then plan, as with two statements: no deadlock between them.
 */
export const CLAIM_KEY_LOCK_PLAN = {
  name: 'swapd_claim_key_lock_plan',
  text: `with k as (
  insert into idempotency_keys (scope, key, plan_id, operation, request_hash, response)
  values ($1, $2, $3, $4, $5, null)
  on conflict (scope, key) do nothing
  returning 1
), p as (
  select 1 from plans where plan_id = $6 and exists (select 1 from k) for update
)
select (select count(*) from k)::int as claimed, (select count(*) from p)::int as locked`,
};

export const FIND_KEY = {
  name: 'swapd_find_key',
  text: 'select request_hash, response from idempotency_keys where scope = $1 and key = $2',
};

/**
 * Everything a decision reads, in one statement. It runs after the plan's lock is held (the claim
 * statement took it), so its snapshot already sees the last writer of this plan's rows. Batteries are
 * locked in id order (no deadlock between requests); numerics travel as text (exact).
 */
function readText(lockAssets: boolean): string {
  return `select p.plan_id, p.customer_id, p.status, p.returned_asset, p.returned_kwh::text as returned_kwh,
  p.returned_at, t.definition,
  (select coalesce(json_agg(json_build_array(s.service_id, s.used::text, s.quota::text, s.current_asset)
     order by s.position), '[]') from service_states s where s.plan_id = p.plan_id) as states,
  (select coalesce(json_agg(json_build_array(f.cycle, f.machine_version, f.state, f.snapshot, f.deadline_at,
     f.deadline_input)), '[]') from fsm_snapshots f where f.plan_id = p.plan_id) as cycles,
  (select coalesce(json_agg(json_build_array(a.asset_id, a.capacity_kwh::text, a.station_id, a.status,
     a.holder_plan_id) order by a.asset_id), '[]')
   from (select asset_id, capacity_kwh, station_id, status, holder_plan_id from assets
         where asset_id = any($2::text[]) order by asset_id${lockAssets ? ' for update' : ''}) a) as assets,
  (select coalesce(json_agg(json_build_array(y.payment_id, y.status, y.amount::text, y.payment_type, y.source)),
     '[]')
   from (select payment_id, status, amount, payment_type, source from payments
         where payment_id = any($3::text[]) for update) y) as payments
from plans p join templates t on t.template_id = p.template_id
where p.plan_id = $1`;
}

export const READ_LOCKED = { name: 'swapd_read_locked', text: readText(true) };
export const READ = { name: 'swapd_read', text: readText(false) };

/**
 * All writes of one request in one statement: cycles, battery moves, service usage and current
 * battery, events and their outbox rows, the returned battery, audit rows, and the stored response.
 * Guards: a battery is issued only from stock (SPEC §6.4); usage only while used + increment <= quota
 * (SPEC §6.3); the caller compares both counts and rolls back on a mismatch. The service rows are
 * written after the battery moves (s reads a), so the one-holder index never sees two plans.
 */
export const WRITE = {
  name: 'swapd_write',
  text: `with c as (
  insert into fsm_snapshots (plan_id, cycle, machine_version, state, snapshot, deadline_at, deadline_input, updated_at)
  select $1::text, r.cycle, r.machine_version, r.state, r.snapshot, r.deadline_at, r.deadline_input, $2::timestamptz
  from json_to_recordset($3::json) as r(cycle text, machine_version integer, state text, snapshot jsonb,
    deadline_at timestamptz, deadline_input text)
  on conflict (plan_id, cycle) do update set machine_version = excluded.machine_version, state = excluded.state,
    snapshot = excluded.snapshot, deadline_at = excluded.deadline_at, deadline_input = excluded.deadline_input,
    updated_at = excluded.updated_at
  returning 1
), a as (
  update assets t set status = r.status, holder_plan_id = r.holder_plan_id,
    station_id = case when r.set_station then r.station_id else t.station_id end, updated_at = $2::timestamptz
  from json_to_recordset($4::json) as r(asset_id text, status text, holder_plan_id text, set_station boolean,
    station_id text)
  where t.asset_id = r.asset_id and (r.status <> 'ISSUED' or t.status = 'IN_STOCK')
  returning 1
), s as (
  update service_states t set used = t.used + r.increment,
    current_asset = case when r.set_asset then r.asset_id else t.current_asset end, updated_at = $2::timestamptz
  from json_to_recordset($5::json) as r(service_id text, increment numeric, guarded boolean, set_asset boolean,
    asset_id text)
  where t.plan_id = $1::text and t.service_id = r.service_id and t.used + r.increment <= t.quota
    and (select count(*) from a) = $6::bigint
  returning r.guarded
), e as (
  insert into events (event_id, event_type, plan_id, correlation_id, payload)
  select r.event_id, r.event_type, $1::text, $7::text, r.payload::jsonb
  from json_to_recordset($8::json) as r(event_id uuid, event_type text, payload text)
  returning 1
), o as (
  insert into outbox (event_id, topic, payload, qos)
  select r.event_id, r.topic, r.payload, 1 from json_to_recordset($8::json) as r(event_id uuid, topic text, payload text)
  returning 1
), b as (
  update plans set returned_asset = $10::text, returned_kwh = $11::numeric,
    returned_at = case when coalesce($10::text, '') <> '' then $2::timestamptz else null end, updated_at = $2::timestamptz
  where plan_id = $1::text and $9::boolean
  returning 1
), l as (
  insert into audit_log (at, kind, requester, subject, tag, value, decision, details)
  select $2::timestamptz, r.kind, r.requester, $1::text, null, null, r.decision, r.details
  from json_to_recordset($12::json) as r(kind text, requester text, decision text, details jsonb)
  returning 1
), k as (
  update idempotency_keys set response = $13::jsonb where scope = $14::text and key = $15::text and $13::jsonb is not null
  returning 1
)
select (select count(*) from a)::int as assets, (select count(*) from s where guarded)::int as guarded`,
};

export const ADD_QUOTA = {
  name: 'swapd_add_quota',
  text: `update service_states set quota = quota + $3::numeric, updated_at = $4
where plan_id = $1 and service_id = $2`,
};

export const RENEW_QUOTA = {
  name: 'swapd_renew_quota',
  text: `update service_states set used = 0, quota = $3::numeric, updated_at = $4
where plan_id = $1 and service_id = $2`,
};

/** A payment is recorded once; a confirmation upgrades a pending one and nothing downgrades a confirmed one. */
export const UPSERT_PAYMENT = {
  name: 'swapd_upsert_payment',
  text: `insert into payments (payment_id, source, status, amount, currency, payment_method, payment_type,
  service_id, odoo_receipt_id, correlation_id, payment_timestamp, plan_id, confirmed_at)
values ($1, $2, $3, $4::numeric, $5, $6, $7, $8, $9, $10, $11, $12, $13)
on conflict (payment_id) do update set
  status = case when payments.status = 'CONFIRMED' then 'CONFIRMED' else excluded.status end,
  confirmed_at = coalesce(payments.confirmed_at, excluded.confirmed_at),
  odoo_receipt_id = coalesce(payments.odoo_receipt_id, excluded.odoo_receipt_id)`,
};
