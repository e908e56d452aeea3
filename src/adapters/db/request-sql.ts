/**
 * The request path's statements, as constant text so that Postgres parses and plans each once per
 * connection (named prepared statements). Parameters only; sets travel as one JSON parameter each.
 */

/** Claim, plan lock and read in one round trip (migrations/0003-claim-and-read.ts). */
export const CLAIM_AND_READ = {
  name: 'swapd_claim_and_read',
  text: 'select * from swapd_claim_and_read($1, $2, $3, $4, $5, $6::text[], $7::text[], $8)',
};

/**
 * All writes of one request in one statement: cycles, battery moves, service usage and current
 * battery, events and their outbox rows, the returned battery, audit rows, and the stored response.
 * Guards: a battery is issued only from stock (SPEC §6.4); usage only while used + increment <= quota
 * (SPEC §6.3); a count other than expected ($6, $18) raises (swapd_expect, SQLSTATE SW001), so the
 * statement can carry the transaction's COMMIT: the COMMIT after a failed statement never runs. The service rows are
 * written after the battery moves (s reads a), so the one-holder index never sees two plans. The battery
 * ids travel twice, as a set ($4) and as an array ($17): the planner cannot size a JSON record set, and
 * without the array it joins every battery of the fleet instead of looking the few up by key.
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
  where t.asset_id = any($17::text[]) and t.asset_id = r.asset_id and (r.status <> 'ISSUED' or t.status = 'IN_STOCK')
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
  update idempotency_keys set response = $13::jsonb
  where scope = $14::text and key = $15::text and $13::jsonb is not null
    and (scope = 'payment' or (plan_id = $1::text and operation = $16::text))
  returning 1
)
select swapd_expect((select count(*) from a), $6::bigint, 'batteries moved') as assets,
  swapd_expect((select count(*) from s where guarded), $18::bigint, 'guarded usage rows') as guarded`,
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
  service_id, odoo_receipt_id, correlation_id, payment_timestamp, plan_id, confirmed_at, credited,
  credit_service_id, provisional_amount, rejected_at)
values ($1, $2, $3, $4::numeric, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::numeric, $15, $16::numeric, $17)
on conflict (payment_id) do update set
  status = case when payments.status = 'CONFIRMED' then 'CONFIRMED' else excluded.status end,
  confirmed_at = coalesce(payments.confirmed_at, excluded.confirmed_at),
  odoo_receipt_id = coalesce(payments.odoo_receipt_id, excluded.odoo_receipt_id)`,
};

/** A payment's ledger moves on: confirmed (Odoo's amount), credited provisionally, or rejected and reversed. */
export const UPDATE_PAYMENT = {
  name: 'swapd_update_payment',
  text: `update payments set status = $2::text,
  amount = coalesce($3::numeric, amount),
  credited = coalesce($4::numeric, credited),
  credit_service_id = case when $5::boolean then $6::text else credit_service_id end,
  provisional_amount = coalesce($7::numeric, provisional_amount),
  reversed = coalesce($8::numeric, reversed),
  unrecovered = coalesce($9::numeric, unrecovered),
  confirmed_at = case when $2::text = 'CONFIRMED' then coalesce(confirmed_at, $10::timestamptz) else confirmed_at end,
  rejected_at = case when $2::text = 'REJECTED' then coalesce(rejected_at, $10::timestamptz) else rejected_at end
where payment_id = $1::text`,
};

export const SET_PLAN_STATUS = {
  name: 'swapd_set_plan_status',
  text: 'update plans set status = $2::text, updated_at = $3::timestamptz where plan_id = $1::text',
};

/**
 * The plan's open payments with their ledger (PENDING, and the latest REJECTED), and the payments a
 * request names: top-ups awaiting Odoo, provisional credit outstanding, rejections to show.
 */
export const PLAN_PAYMENTS = {
  name: 'swapd_plan_payments',
  text: `(select payment_id, plan_id, status, amount::text as amount, payment_type, source, currency, payment_method,
  credited::text as credited, credit_service_id, provisional_amount::text as provisional_amount,
  reversed::text as reversed, unrecovered::text as unrecovered, created_at, rejected_at
from payments where payment_id = any($2::text[]) or (plan_id = $1::text and status = 'PENDING'))
union
(select payment_id, plan_id, status, amount::text, payment_type, source, currency, payment_method,
  credited::text, credit_service_id, provisional_amount::text, reversed::text, unrecovered::text, created_at, rejected_at
from payments where plan_id = $1::text and status = 'REJECTED' order by rejected_at desc nulls last limit 10)`,
};

/** A group's claim, locks and read in one round trip (migrations/0009-group-claim.ts). */
export const GROUP_CLAIM_AND_READ = {
  name: 'swapd_claim_and_read_group',
  text: `select * from swapd_claim_and_read_group($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
  $6::integer[], $7::text[], $8::integer[], $9::text[])`,
};

/**
 * All writes of a group of requests in one statement (migrations/0009-request-groups.ts,
 * swapd_group_write): every set a row per member change, each row with its plan and its request's time.
 * Its four counts are checked against the expected ones ($48–$51) in the statement itself, as in WRITE.
 */
export const GROUP_WRITE = {
  name: 'swapd_group_write',
  text: `select swapd_expect(o_assets, $48::bigint, 'batteries moved') as assets,
  swapd_expect(o_guarded, $49::bigint, 'guarded usage rows') as guarded,
  swapd_expect(o_responses, $50::bigint, 'answers stored') as responses,
  swapd_expect(o_dropped, $51::bigint, 'keys dropped') as dropped
from swapd_group_write(${Array.from({ length: 47 }, (_, i) => `$${i + 1}`).join(', ')})`,
};
