import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/**
 * The relational schema swapd keeps (migrations/ creates it). Kysely is dialect-neutral, so this type
 * is the database port: adapters choose Postgres (pg) or embedded PGlite behind it.
 * Decimal columns are `numeric` and travel as strings: exact, never binary floats.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface TemplatesTable {
  template_id: string;
  version: number;
  currency: string;
  definition: Json;
  updated_at: GeneratedTimestamp;
}

export interface PlansTable {
  plan_id: string;
  customer_id: string;
  template_id: string;
  status: string;
  returned_asset: ColumnType<string | null, string | null | undefined, string | null>;
  returned_kwh: ColumnType<string | null, string | null | undefined, string | null>;
  returned_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ServiceStatesTable {
  plan_id: string;
  service_id: string;
  position: number;
  used: string;
  quota: string;
  current_asset: string | null;
  updated_at: GeneratedTimestamp;
}

export interface AssetsTable {
  asset_id: string;
  capacity_kwh: string;
  station_id: string | null;
  status: string;
  holder_plan_id: string | null;
  updated_at: GeneratedTimestamp;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  plan_id: string;
  operation: string;
  request_hash: string;
  response: Json | null;
  created_at: GeneratedTimestamp;
}

export interface EventsTable {
  event_id: string;
  event_type: string;
  plan_id: string | null;
  correlation_id: string | null;
  payload: Json;
  created_at: GeneratedTimestamp;
}

export interface OutboxTable {
  id: Generated<string>;
  event_id: string;
  topic: string;
  payload: string;
  qos: number;
  created_at: GeneratedTimestamp;
  claimed_until: Timestamp | null;
  published_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface FsmSnapshotsTable {
  plan_id: string;
  cycle: string;
  machine_version: number;
  state: string;
  snapshot: Json;
  deadline_at: Timestamp | null;
  deadline_input: string | null;
  updated_at: GeneratedTimestamp;
}

export interface PaymentsTable {
  payment_id: string;
  plan_id: string;
  source: string;
  status: string;
  amount: string;
  currency: string;
  payment_method: string;
  payment_type: string | null;
  service_id: string | null;
  odoo_receipt_id: string | null;
  correlation_id: string | null;
  payment_timestamp: Timestamp | null;
  created_at: GeneratedTimestamp;
  confirmed_at: Timestamp | null;
  credited: Generated<string>;
  credit_service_id: string | null;
  provisional_amount: Generated<string>;
  reversed: Generated<string>;
  unrecovered: Generated<string>;
  rejected_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: GeneratedTimestamp;
  kind: string;
  requester: string | null;
  subject: string | null;
  tag: string | null;
  value: string | null;
  decision: string;
  details: Json;
}

export interface TelemetryLatestTable {
  asset_id: string;
  site_id: string;
  measured_at: Timestamp;
  received_at: Timestamp;
  soc_pct: number;
  energy_kwh: string | null;
  voltage_v: number | null;
  temperature_c: number;
  message: Json;
}

export interface TelemetryHistoryTable {
  asset_id: string;
  measured_at: Timestamp;
  site_id: string;
  soc_pct: number;
  energy_kwh: string | null;
  power_kw: number;
  voltage_v: number | null;
  current_a: number | null;
  temperature_c: number;
  mode: number;
  alarm_code: string;
  soh_pct: number | null;
  slot: number | null;
}

export interface TelemetrySiteLatestTable {
  site_id: string;
  message_type: string;
  measured_at: Timestamp;
  message: Json;
}

export interface Database {
  templates: TemplatesTable;
  plans: PlansTable;
  service_states: ServiceStatesTable;
  assets: AssetsTable;
  idempotency_keys: IdempotencyKeysTable;
  events: EventsTable;
  outbox: OutboxTable;
  fsm_snapshots: FsmSnapshotsTable;
  payments: PaymentsTable;
  audit_log: AuditLogTable;
  telemetry_latest: TelemetryLatestTable;
  telemetry_history: TelemetryHistoryTable;
  telemetry_site_latest: TelemetrySiteLatestTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Repositories take either the database or a transaction the caller owns. */
export type Executor = Kysely<Database> | Transaction<Database>;
