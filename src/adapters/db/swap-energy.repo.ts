import { sql } from 'kysely';
import type { Db } from '../../ports/database.js';
import type { SwapEnergySource } from '../../ports/telemetry.js';

/**
 * Net kWh delivered by the swaps of a period whose issued battery belongs to the site's stock, from
 * the committed `service_completed` events (their own timestamp, the swap's time).
 */
export function createSwapEnergyRepo(db: Db): SwapEnergySource {
  return {
    async deliveredKwh(siteId, from, to) {
      const { rows } = await sql<{ kwh: string }>`
        select coalesce(sum((e.payload->'service_data'->>'electricity_delivered_kwh')::numeric), 0)::text as kwh
        from events e
        join assets a on a.asset_id = e.payload->'service_data'->'batteries_swapped'->>'issued'
        where e.event_type = 'SERVICE_COMPLETED' and a.station_id = ${siteId}
          and (e.payload->>'timestamp')::timestamptz >= ${from.toISOString()}::timestamptz
          and (e.payload->>'timestamp')::timestamptz < ${to.toISOString()}::timestamptz`.execute(db);
      return rows[0]?.kwh ?? '0';
    },
  };
}
