import { type Kysely, sql } from 'kysely';

/**
 * Request groups (docs/performance.md): the claim, locks and read of a group of requests in one call,
 * and all of the group's writes in another.
 *
 * swapd_claim_and_read_group:
 * every key is claimed (in key order), then the plans, batteries and payments of the members whose key
 * was new are locked, each kind in id order (the order every transaction takes them in, so two
 * instances never wait on each other in a circle), then read. Each statement inside takes a fresh
 * snapshot, so the read after the locks sees the last committed writer of every row it locked. A member
 * whose key exists comes back with the key's stored answer; one whose plan does not exist comes back
 * claimed with no plan.
 *
 * swapd_group_write: what WRITE (src/adapters/db/request-sql.ts) does for one request, for many, as one
 * statement: every set a row per member change (arrays, one per column, unnested together), each row
 * with its plan and its request's time. The JSON columns (cycle snapshots, event payloads, audit
 * details, answers) come as one JSON array each, their texts written into it as they are: no escaping
 * into an array literal and back, and an event's outbox row keeps its payload text exactly. The members touch disjoint plans, batteries, payments and keys
 * (the router groups them so), so no row is written twice. The guards are WRITE's: a battery is issued
 * only from stock, usage only within quota, and no usage at all unless every battery moved; the caller
 * compares the counts (batteries moved, guarded usage rows, responses stored, keys dropped) and rolls
 * the group back on a mismatch. Keys of members refused before writing anything are dropped, as the
 * rollback of their own transaction would.
 *
 * Both are planned once per connection, generically, and without sequential scans: with a few
 * thousand plans a scan of the table looks cheaper to the planner than ten index lookups, and which one
 * it picks would depend on the statistics of the day; a scan under a row lock of every plan is what
 * the group must never do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
create or replace function swapd_claim_and_read_group(
  p_scope text[], p_key text[], p_plan text[], p_operation text[], p_hash text[],
  p_asset_member integer[], p_asset text[], p_payment_member integer[], p_payment text[])
returns table (member integer, claimed boolean, request_hash text, response jsonb, plan_id text,
  customer_id text, status text, returned_asset text, returned_kwh text, returned_at timestamptz,
  definition jsonb, states json, cycles json, assets json, payments json)
language plpgsql set plan_cache_mode = force_generic_plan set enable_seqscan = off as $fn$
#variable_conflict use_column
declare
  v_claimed integer[];
begin
  with m as (
    select u.scope, u.key, u.plan_id, u.operation, u.request_hash, u.n::integer as n
    from unnest(p_scope, p_key, p_plan, p_operation, p_hash) with ordinality
      as u(scope, key, plan_id, operation, request_hash, n)
  ), ins as (
    insert into idempotency_keys (scope, key, plan_id, operation, request_hash, response)
    select m.scope, m.key, m.plan_id, m.operation, m.request_hash, null from m
    order by m.key, m.scope, m.plan_id, m.operation
    on conflict do nothing
    returning idempotency_keys.scope, idempotency_keys.key, idempotency_keys.plan_id, idempotency_keys.operation
  )
  select coalesce(array_agg(m.n), '{}') into v_claimed
  from m join ins on ins.scope = m.scope and ins.key = m.key and ins.plan_id = m.plan_id
    and ins.operation = m.operation;

  -- The locks, each kind in id order (under FOR UPDATE the rows are locked as they leave the sort).
  perform 1 from plans where plans.plan_id = any(array(select p_plan[i] from unnest(v_claimed) as i))
    order by plans.plan_id for update;
  perform 1 from assets where assets.asset_id = any(array(select x.id from unnest(p_asset_member, p_asset)
    as x(mm, id) where x.mm = any(v_claimed))) order by assets.asset_id for update;
  if cardinality(p_payment) > 0 then
    perform 1 from payments where payments.payment_id = any(array(select y.id
      from unnest(p_payment_member, p_payment) as y(mm, id) where y.mm = any(v_claimed)))
      order by payments.payment_id for update;
  end if;

  -- Members whose key was there already: its stored answer (a fresh snapshot sees its committer).
  if cardinality(v_claimed) < cardinality(p_key) then
    return query
    select u.n::integer, false, k.request_hash, k.response, null::text, null::text, null::text, null::text,
      null::text, null::timestamptz, null::jsonb, null::json, null::json, null::json, null::json
    from unnest(p_scope, p_key, p_plan, p_operation) with ordinality as u(scope, key, plan_id, operation, n)
    join idempotency_keys k on k.key = u.key and k.scope = u.scope
      and (u.scope = 'payment' or (k.plan_id = u.plan_id and k.operation = u.operation))
    where u.n::integer <> all(v_claimed);
  end if;

  return query
  select u.n::integer, true, null::text, null::jsonb, p.plan_id, p.customer_id, p.status, p.returned_asset,
    p.returned_kwh::text, p.returned_at, t.definition,
    (select coalesce(json_agg(json_build_array(s.service_id, s.used::text, s.quota::text, s.current_asset)
       order by s.position), '[]') from service_states s where s.plan_id = p.plan_id),
    (select coalesce(json_agg(json_build_array(f.cycle, f.machine_version, f.state, f.snapshot, f.deadline_at,
       f.deadline_input)), '[]') from fsm_snapshots f where f.plan_id = p.plan_id),
    (select coalesce(json_agg(json_build_array(a.asset_id, a.capacity_kwh::text, a.station_id, a.status,
       a.holder_plan_id) order by a.asset_id), '[]')
     from assets a where a.asset_id = any(array(select x.id from unnest(p_asset_member, p_asset) as x(mm, id)
       where x.mm = u.n::integer))),
    (select coalesce(json_agg(json_build_array(y.payment_id, y.status, y.amount::text, y.payment_type, y.source)),
       '[]')
     from payments y where y.payment_id = any(array(select z.id from unnest(p_payment_member, p_payment) as z(mm, id)
       where z.mm = u.n::integer)))
  from unnest(p_plan) with ordinality as u(plan_id, n)
  left join plans p on p.plan_id = u.plan_id
  left join templates t on t.template_id = p.template_id
  where u.n::integer = any(v_claimed);
end
$fn$`.execute(db);
  await sql
    .raw(`
create or replace function swapd_group_write(
  text[], text[], integer[], text[], json, text[], text[], text[],
  text[], text[], text[], boolean[], text[], text[],
  text[], text[], text[], boolean[], boolean[], text[], text[],
  bigint,
  text[], text[], text[], text[], text[], json,
  text[], text[], text[], text[],
  text[], text[], text[], text[], json, text[],
  text[], text[], text[], text[], json,
  text[], text[], text[], text[])
returns table (o_assets integer, o_guarded integer, o_responses integer, o_dropped integer)
language plpgsql set plan_cache_mode = force_generic_plan set enable_seqscan = off as $fn$
declare
  v_assets integer;
  v_guarded integer;
  v_responses integer;
  v_dropped integer;
begin
  with c as (
    insert into fsm_snapshots (plan_id, cycle, machine_version, state, snapshot, deadline_at, deadline_input, updated_at)
    select r.plan_id, r.cycle, r.machine_version, r.state, r.snapshot::jsonb, r.deadline_at::timestamptz,
      r.deadline_input, r.at::timestamptz
    from unnest($1::text[], $2::text[], $3::integer[], $4::text[], array(select v from json_array_elements($5) with ordinality as j(v, i) order by i), $6::text[], $7::text[], $8::text[])
      as r(plan_id, cycle, machine_version, state, snapshot, deadline_at, deadline_input, at)
    on conflict (plan_id, cycle) do update set machine_version = excluded.machine_version, state = excluded.state,
      snapshot = excluded.snapshot, deadline_at = excluded.deadline_at, deadline_input = excluded.deadline_input,
      updated_at = excluded.updated_at
    returning 1
  ), a as (
    update assets t set status = r.status, holder_plan_id = r.holder_plan_id,
      station_id = case when r.set_station then r.station_id else t.station_id end, updated_at = r.at::timestamptz
    from unnest($9::text[], $10::text[], $11::text[], $12::boolean[], $13::text[], $14::text[])
      as r(asset_id, status, holder_plan_id, set_station, station_id, at)
    where t.asset_id = any($9::text[]) and t.asset_id = r.asset_id and (r.status <> 'ISSUED' or t.status = 'IN_STOCK')
    returning 1
  ), s as (
    update service_states t set used = t.used + r.increment::numeric,
      current_asset = case when r.set_asset then r.asset_id else t.current_asset end, updated_at = r.at::timestamptz
    from unnest($15::text[], $16::text[], $17::text[], $18::boolean[], $19::boolean[], $20::text[], $21::text[])
      as r(plan_id, service_id, increment, guarded, set_asset, asset_id, at)
    where t.plan_id = any($15::text[]) and t.plan_id = r.plan_id and t.service_id = r.service_id
      and t.used + r.increment::numeric <= t.quota and (select count(*) from a) = $22::bigint
    returning r.guarded
  ), e as (
    insert into events (event_id, event_type, plan_id, correlation_id, payload)
    select r.event_id::uuid, r.event_type, r.plan_id, r.correlation_id, r.payload::jsonb
    from unnest($23::text[], $24::text[], $25::text[], $26::text[], array(select v from json_array_elements($28) with ordinality as j(v, i) order by i))
      as r(event_id, event_type, plan_id, correlation_id, payload)
    returning 1
  ), o as (
    insert into outbox (event_id, topic, payload, qos)
    select r.event_id::uuid, r.topic, r.payload::text, 1
    from unnest($23::text[], $27::text[], array(select v from json_array_elements($28) with ordinality as j(v, i) order by i)) as r(event_id, topic, payload)
    returning 1
  ), b as (
    update plans t set returned_asset = r.asset_id, returned_kwh = r.kwh::numeric,
      returned_at = case when coalesce(r.asset_id, '') <> '' then r.at::timestamptz else null end,
      updated_at = r.at::timestamptz
    from unnest($29::text[], $30::text[], $31::text[], $32::text[]) as r(plan_id, asset_id, kwh, at)
    where t.plan_id = any($29::text[]) and t.plan_id = r.plan_id
    returning 1
  ), l as (
    insert into audit_log (at, kind, requester, subject, tag, value, decision, details)
    select r.at::timestamptz, r.kind, r.requester, r.subject, null, null, r.decision, r.details::jsonb
    from unnest($33::text[], $34::text[], $35::text[], $36::text[], array(select v from json_array_elements($37) with ordinality as j(v, i) order by i), $38::text[])
      as r(kind, requester, subject, decision, details, at)
    returning 1
  ), k as (
    update idempotency_keys t set response = r.response::jsonb
    from unnest($39::text[], $40::text[], $41::text[], $42::text[], array(select v from json_array_elements($43) with ordinality as j(v, i) order by i))
      as r(scope, key, plan_id, operation, response)
    where t.key = any($40::text[]) and t.scope = r.scope and t.key = r.key
      and (r.scope = 'payment' or (t.plan_id = r.plan_id and t.operation = r.operation))
    returning 1
  ), d as (
    delete from idempotency_keys t
    using unnest($44::text[], $45::text[], $46::text[], $47::text[]) as r(scope, key, plan_id, operation)
    where t.key = any($45::text[]) and t.scope = r.scope and t.key = r.key
      and (r.scope = 'payment' or (t.plan_id = r.plan_id and t.operation = r.operation))
    returning 1
  )
  select (select count(*) from a)::int, (select count(*) from s where guarded)::int,
    (select count(*) from k)::int, (select count(*) from d)::int
  into v_assets, v_guarded, v_responses, v_dropped;
  return query select v_assets, v_guarded, v_responses, v_dropped;
end
$fn$`)
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists swapd_group_write(text[], text[], integer[], text[], json, text[], text[],
    text[], text[], text[], text[], boolean[], text[], text[], text[], text[], text[], boolean[], boolean[],
    text[], text[], bigint, text[], text[], text[], text[], text[], json, text[], text[], text[], text[],
    text[], text[], text[], text[], json, text[], text[], text[], text[], text[], json, text[], text[],
    text[], text[])`.execute(db);
  await sql`drop function if exists swapd_claim_and_read_group(text[], text[], text[], text[], text[],
    integer[], text[], integer[], text[])`.execute(db);
}
