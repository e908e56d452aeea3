import { CompiledQuery } from 'kysely';
import type { Db } from '../../ports/database.js';
import type {
  AssetTelemetry,
  SiteMessage,
  TelemetryBatch,
  TelemetryPayload,
  TelemetryPoint,
  TelemetryStore,
} from '../../ports/telemetry.js';
import type { Spec003Envelope } from '../../validation/spec003/spec003-validator.js';

/**
 * The latest row per asset (kept only when newer), the history point, and the latest message per
 * site and type — for a whole batch in one statement: each column travels as one array parameter
 * and `unnest` turns the arrays back into rows.
 */
const WRITE = `with l as (
  insert into telemetry_latest (asset_id, site_id, measured_at, received_at, soc_pct, energy_kwh, voltage_v,
    temperature_c, message)
  select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::numeric[],
    $7::float8[], $8::float8[], $9::jsonb[])
  on conflict (asset_id) do update set site_id = excluded.site_id, measured_at = excluded.measured_at,
    received_at = excluded.received_at, soc_pct = excluded.soc_pct, energy_kwh = excluded.energy_kwh,
    voltage_v = excluded.voltage_v, temperature_c = excluded.temperature_c, message = excluded.message
  where telemetry_latest.measured_at <= excluded.measured_at
  returning 1
), h as (
  insert into telemetry_history (asset_id, measured_at, site_id, soc_pct, energy_kwh, power_kw, voltage_v, current_a,
    temperature_c, mode, alarm_code, soh_pct, slot)
  select * from unnest($1::text[], $3::timestamptz[], $2::text[], $5::float8[], $6::numeric[], $10::float8[],
    $7::float8[], $11::float8[], $8::float8[], $12::smallint[], $13::bigint[], $14::float8[], $15::integer[])
  on conflict (asset_id, measured_at) do nothing
  returning 1
), s as (
  insert into telemetry_site_latest (site_id, message_type, measured_at, message)
  select * from unnest($16::text[], $17::text[], $18::timestamptz[], $19::jsonb[])
  on conflict (site_id, message_type) do update set measured_at = excluded.measured_at, message = excluded.message
  where telemetry_site_latest.measured_at <= excluded.measured_at
  returning 1
)
select (select count(*) from l)::int as latest, (select count(*) from h)::int as history`;

function column<T>(
  payloads: readonly TelemetryPayload[],
  pick: (p: TelemetryPayload) => T | undefined,
): (T | null)[] {
  return payloads.map((p) => pick(p) ?? null);
}

/** A reading held as its text is parsed once here, for its columns, and stored as that text. */
function messageOf(r: AssetTelemetry): { text: string; payload: TelemetryPayload } {
  if (r.text === undefined) return { text: JSON.stringify(r.message), payload: r.message.payload };
  return { text: r.text, payload: (JSON.parse(r.text) as AssetTelemetry['message']).payload };
}

function parameters(batch: TelemetryBatch): unknown[] {
  const a = batch.assets;
  const messages = a.map(messageOf);
  const p = messages.map((m) => m.payload);
  const iso = (d: Date) => d.toISOString();
  return [
    a.map((r) => r.assetId),
    a.map((r) => r.siteId),
    a.map((r) => iso(r.measuredAt)),
    a.map((r) => iso(r.receivedAt)),
    column(p, (x) => x.soc_pct),
    column(p, (x) => (x.energy_kwh === undefined ? undefined : String(x.energy_kwh))),
    column(p, (x) => x.voltage_v),
    column(p, (x) => x.temperature_c),
    messages.map((m) => m.text),
    column(p, (x) => x.power_kw),
    column(p, (x) => x.current_a),
    column(p, (x) => x.mode),
    column(p, (x) => String(x.alarm_code)),
    column(p, (x) => x.soh_pct),
    column(p, (x) => x.slot),
    batch.sites.map((s) => s.siteId),
    batch.sites.map((s) => s.messageType),
    batch.sites.map((s) => iso(s.measuredAt)),
    batch.sites.map((s) => JSON.stringify(s.message)),
  ];
}

/** jsonb comes back parsed from pg and PGlite alike; a text value (other drivers) is parsed here. */
function asMessage<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

interface LatestRow {
  asset_id: string;
  site_id: string;
  measured_at: Date | string;
  received_at: Date | string;
  message: unknown;
}

interface HistoryRow {
  measured_at: Date | string;
  site_id: string;
  soc_pct: number;
  energy_kwh: string | null;
  power_kw: number;
  voltage_v: number | null;
  current_a: number | null;
  temperature_c: number;
  mode: number;
  alarm_code: string | number;
  soh_pct: number | null;
  slot: number | null;
}

function toPoint(r: HistoryRow): TelemetryPoint {
  return {
    timestamp: new Date(r.measured_at).toISOString(),
    site_id: r.site_id,
    soc_pct: Number(r.soc_pct),
    energy_kwh: r.energy_kwh === null ? null : Number(r.energy_kwh),
    power_kw: Number(r.power_kw),
    voltage_v: r.voltage_v === null ? null : Number(r.voltage_v),
    current_a: r.current_a === null ? null : Number(r.current_a),
    temperature_c: Number(r.temperature_c),
    mode: Number(r.mode),
    alarm_code: Number(r.alarm_code),
    soh_pct: r.soh_pct === null ? null : Number(r.soh_pct),
    slot: r.slot === null ? null : Number(r.slot),
  };
}

function toSite(r: { site_id: string; message_type: string; measured_at: Date | string; message: unknown }) {
  return {
    siteId: r.site_id,
    messageType: r.message_type,
    measuredAt: new Date(r.measured_at),
    message: asMessage<Spec003Envelope>(r.message),
  } satisfies SiteMessage;
}

export function createTelemetryRepo(db: Db): TelemetryStore {
  return {
    async write(batch) {
      if (batch.assets.length === 0 && batch.sites.length === 0) return { latest: 0, history: 0 };
      const out = await db.executeQuery<{ latest: number; history: number }>(
        CompiledQuery.raw(WRITE, parameters(batch)),
      );
      const row = out.rows[0];
      return { latest: Number(row?.latest ?? 0), history: Number(row?.history ?? 0) };
    },
    async storedAssetIds(limit) {
      const rows = await db
        .selectFrom('telemetry_latest')
        .select('asset_id')
        .limit(limit + 1)
        .execute();
      return rows.length > limit ? null : rows.map((r) => r.asset_id);
    },
    async latestForAsset(assetId) {
      const row = (await db
        .selectFrom('telemetry_latest')
        .select(['asset_id', 'site_id', 'measured_at', 'received_at', 'message'])
        .where('asset_id', '=', assetId)
        .executeTakeFirst()) as LatestRow | undefined;
      if (!row) return null;
      return {
        assetId: row.asset_id,
        siteId: row.site_id,
        measuredAt: new Date(row.measured_at),
        receivedAt: new Date(row.received_at),
        message: asMessage<AssetTelemetry['message']>(row.message),
      };
    },
    async latestForSite(siteId, messageType) {
      const row = await db
        .selectFrom('telemetry_site_latest')
        .selectAll()
        .where('site_id', '=', siteId)
        .where('message_type', '=', messageType)
        .executeTakeFirst();
      return row ? toSite(row) : null;
    },
    async latestOfType(messageType) {
      const rows = await db
        .selectFrom('telemetry_site_latest')
        .selectAll()
        .where('message_type', '=', messageType)
        .orderBy('site_id')
        .execute();
      return rows.map(toSite);
    },
    async history(assetId, from, to, limit) {
      const rows = await db
        .selectFrom('telemetry_history')
        .select([
          'measured_at',
          'site_id',
          'soc_pct',
          'energy_kwh',
          'power_kw',
          'voltage_v',
          'current_a',
          'temperature_c',
          'mode',
          'alarm_code',
          'soh_pct',
          'slot',
        ])
        .where('asset_id', '=', assetId)
        .where('measured_at', '>=', from)
        .where('measured_at', '<=', to)
        .orderBy('measured_at')
        .limit(limit)
        .execute();
      return (rows as HistoryRow[]).map(toPoint);
    },
    async prune(before) {
      const result = await db
        .deleteFrom('telemetry_history')
        .where('measured_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
