import { type Kysely, sql } from 'kysely';

/**
 * Idempotency keys scoped by plan and operation: a correlation_id names one request of one plan's one
 * operation, so a client that uses someone else's correlation_id first, on its own plan or another
 * operation, no longer blocks the real request. Odoo's payment_receipt_id (scope 'payment') stays
 * global: a receipt is paid once, whichever plan it names.
 *
 * The (scope, key) primary key gives way to two partial unique indexes, one per scope (a CHECK keeps
 * every row under one of them), and swapd_claim_and_read claims and looks up keys the same way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table idempotency_keys drop constraint idempotency_keys_pk`.execute(db);
  await sql`update idempotency_keys set plan_id = '' where plan_id is null`.execute(db);
  await sql`alter table idempotency_keys alter column plan_id set not null`.execute(db);
  await sql`alter table idempotency_keys add constraint idempotency_keys_scope_ck
    check (scope in ('request', 'payment'))`.execute(db);
  await sql`create unique index idempotency_keys_request_uq on idempotency_keys (plan_id, operation, key)
    where scope = 'request'`.execute(db);
  await sql`create unique index idempotency_keys_payment_uq on idempotency_keys (key)
    where scope = 'payment'`.execute(db);
  await sql`
create or replace function swapd_claim_and_read(
  p_scope text, p_key text, p_plan text, p_operation text, p_hash text,
  p_assets text[], p_payments text[], p_lock boolean)
returns table (claimed boolean, request_hash text, response jsonb, plan_id text, customer_id text,
  status text, returned_asset text, returned_kwh text, returned_at timestamptz, definition jsonb,
  states json, cycles json, assets json, payments json)
language plpgsql as $fn$
#variable_conflict use_column
declare
  inserted integer;
begin
  insert into idempotency_keys (scope, key, plan_id, operation, request_hash, response)
  values (p_scope, p_key, p_plan, p_operation, p_hash, null)
  on conflict do nothing;
  get diagnostics inserted = row_count;
  if inserted = 0 then
    return query select false, k.request_hash, k.response, null::text, null::text, null::text, null::text,
      null::text, null::timestamptz, null::jsonb, null::json, null::json, null::json, null::json
    from idempotency_keys k
    where k.scope = p_scope and k.key = p_key
      and (p_scope = 'payment' or (k.plan_id = p_plan and k.operation = p_operation));
    return;
  end if;
  if p_lock then
    perform 1 from plans where plan_id = p_plan for update;
    return query
    select true, null::text, null::jsonb, p.plan_id, p.customer_id, p.status, p.returned_asset, p.returned_kwh::text as returned_kwh,
      p.returned_at, t.definition,
      (select coalesce(json_agg(json_build_array(s.service_id, s.used::text, s.quota::text, s.current_asset)
         order by s.position), '[]') from service_states s where s.plan_id = p.plan_id) as states,
      (select coalesce(json_agg(json_build_array(f.cycle, f.machine_version, f.state, f.snapshot, f.deadline_at,
         f.deadline_input)), '[]') from fsm_snapshots f where f.plan_id = p.plan_id) as cycles,
      (select coalesce(json_agg(json_build_array(a.asset_id, a.capacity_kwh::text, a.station_id, a.status,
         a.holder_plan_id) order by a.asset_id), '[]')
       from (select asset_id, capacity_kwh, station_id, status, holder_plan_id from assets
             where asset_id = any(p_assets) order by asset_id for update) a) as assets,
      (select coalesce(json_agg(json_build_array(y.payment_id, y.status, y.amount::text, y.payment_type, y.source)),
         '[]')
       from (select payment_id, status, amount, payment_type, source from payments
             where payment_id = any(p_payments) for update) y) as payments
    from plans p join templates t on t.template_id = p.template_id
    where p.plan_id = p_plan;
  else
    return query
    select true, null::text, null::jsonb, p.plan_id, p.customer_id, p.status, p.returned_asset, p.returned_kwh::text as returned_kwh,
      p.returned_at, t.definition,
      (select coalesce(json_agg(json_build_array(s.service_id, s.used::text, s.quota::text, s.current_asset)
         order by s.position), '[]') from service_states s where s.plan_id = p.plan_id) as states,
      (select coalesce(json_agg(json_build_array(f.cycle, f.machine_version, f.state, f.snapshot, f.deadline_at,
         f.deadline_input)), '[]') from fsm_snapshots f where f.plan_id = p.plan_id) as cycles,
      (select coalesce(json_agg(json_build_array(a.asset_id, a.capacity_kwh::text, a.station_id, a.status,
         a.holder_plan_id) order by a.asset_id), '[]')
       from (select asset_id, capacity_kwh, station_id, status, holder_plan_id from assets
             where asset_id = any(p_assets) order by asset_id) a) as assets,
      (select coalesce(json_agg(json_build_array(y.payment_id, y.status, y.amount::text, y.payment_type, y.source)),
         '[]')
       from (select payment_id, status, amount, payment_type, source from payments
             where payment_id = any(p_payments) for update) y) as payments
    from plans p join templates t on t.template_id = p.template_id
    where p.plan_id = p_plan;
  end if;
end
$fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index idempotency_keys_request_uq`.execute(db);
  await sql`drop index idempotency_keys_payment_uq`.execute(db);
  await sql`alter table idempotency_keys drop constraint idempotency_keys_scope_ck`.execute(db);
  await sql`alter table idempotency_keys alter column plan_id drop not null`.execute(db);
  await sql`alter table idempotency_keys add constraint idempotency_keys_pk primary key (scope, key)`.execute(
    db,
  );
  await sql`
create or replace function swapd_claim_and_read(
  p_scope text, p_key text, p_plan text, p_operation text, p_hash text,
  p_assets text[], p_payments text[], p_lock boolean)
returns table (claimed boolean, request_hash text, response jsonb, plan_id text, customer_id text,
  status text, returned_asset text, returned_kwh text, returned_at timestamptz, definition jsonb,
  states json, cycles json, assets json, payments json)
language plpgsql as $fn$
#variable_conflict use_column
declare
  inserted integer;
begin
  insert into idempotency_keys (scope, key, plan_id, operation, request_hash, response)
  values (p_scope, p_key, p_plan, p_operation, p_hash, null)
  on conflict (scope, key) do nothing;
  get diagnostics inserted = row_count;
  if inserted = 0 then
    return query select false, k.request_hash, k.response, null::text, null::text, null::text, null::text,
      null::text, null::timestamptz, null::jsonb, null::json, null::json, null::json, null::json
    from idempotency_keys k where k.scope = p_scope and k.key = p_key;
    return;
  end if;
  if p_lock then
    perform 1 from plans where plan_id = p_plan for update;
    return query
    select true, null::text, null::jsonb, p.plan_id, p.customer_id, p.status, p.returned_asset, p.returned_kwh::text as returned_kwh,
      p.returned_at, t.definition,
      (select coalesce(json_agg(json_build_array(s.service_id, s.used::text, s.quota::text, s.current_asset)
         order by s.position), '[]') from service_states s where s.plan_id = p.plan_id) as states,
      (select coalesce(json_agg(json_build_array(f.cycle, f.machine_version, f.state, f.snapshot, f.deadline_at,
         f.deadline_input)), '[]') from fsm_snapshots f where f.plan_id = p.plan_id) as cycles,
      (select coalesce(json_agg(json_build_array(a.asset_id, a.capacity_kwh::text, a.station_id, a.status,
         a.holder_plan_id) order by a.asset_id), '[]')
       from (select asset_id, capacity_kwh, station_id, status, holder_plan_id from assets
             where asset_id = any(p_assets) order by asset_id for update) a) as assets,
      (select coalesce(json_agg(json_build_array(y.payment_id, y.status, y.amount::text, y.payment_type, y.source)),
         '[]')
       from (select payment_id, status, amount, payment_type, source from payments
             where payment_id = any(p_payments) for update) y) as payments
    from plans p join templates t on t.template_id = p.template_id
    where p.plan_id = p_plan;
  else
    return query
    select true, null::text, null::jsonb, p.plan_id, p.customer_id, p.status, p.returned_asset, p.returned_kwh::text as returned_kwh,
      p.returned_at, t.definition,
      (select coalesce(json_agg(json_build_array(s.service_id, s.used::text, s.quota::text, s.current_asset)
         order by s.position), '[]') from service_states s where s.plan_id = p.plan_id) as states,
      (select coalesce(json_agg(json_build_array(f.cycle, f.machine_version, f.state, f.snapshot, f.deadline_at,
         f.deadline_input)), '[]') from fsm_snapshots f where f.plan_id = p.plan_id) as cycles,
      (select coalesce(json_agg(json_build_array(a.asset_id, a.capacity_kwh::text, a.station_id, a.status,
         a.holder_plan_id) order by a.asset_id), '[]')
       from (select asset_id, capacity_kwh, station_id, status, holder_plan_id from assets
             where asset_id = any(p_assets) order by asset_id) a) as assets,
      (select coalesce(json_agg(json_build_array(y.payment_id, y.status, y.amount::text, y.payment_type, y.source)),
         '[]')
       from (select payment_id, status, amount, payment_type, source from payments
             where payment_id = any(p_payments) for update) y) as payments
    from plans p join templates t on t.template_id = p.template_id
    where p.plan_id = p_plan;
  end if;
end
$fn$`.execute(db);
}
