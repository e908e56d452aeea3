import type { Db } from '../../ports/database.js';
import type { PaymentSummary, StationStatusStore, SwapSummary } from '../../ports/station-status.js';

interface ServiceCompletedPayload {
  service_data?: {
    batteries_swapped?: { returned?: string | null; issued?: string | null };
    electricity_delivered_kwh?: number;
  };
}

function iso(value: Date | string | null): string {
  if (value === null) return '';
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

function parsed(payload: unknown): ServiceCompletedPayload {
  if (typeof payload === 'string') {
    try {
      return JSON.parse(payload) as ServiceCompletedPayload;
    } catch {
      return {};
    }
  }
  return payload !== null && typeof payload === 'object' ? (payload as ServiceCompletedPayload) : {};
}

/** The station page's reads: small, indexed queries, never a write. */
export function createStationStatusStore(db: Db): StationStatusStore {
  return {
    ping: () =>
      db
        .selectFrom('plans')
        .select('plan_id')
        .limit(1)
        .execute()
        .then(() => true)
        .catch(() => false),
    outboxDepth: async () => {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('published_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    lastSwaps: async (limit: number): Promise<SwapSummary[]> => {
      const rows = await db
        .selectFrom('events')
        .select(['plan_id', 'payload', 'created_at'])
        .where('event_type', '=', 'SERVICE_COMPLETED')
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => {
        const data = parsed(r.payload).service_data;
        const kwh = data?.electricity_delivered_kwh;
        return {
          at: iso(r.created_at),
          plan_id: r.plan_id,
          returned: data?.batteries_swapped?.returned ?? null,
          issued: data?.batteries_swapped?.issued ?? null,
          kwh: typeof kwh === 'number' ? kwh : null,
        };
      });
    },
    lastPayments: async (limit: number): Promise<PaymentSummary[]> => {
      const rows = await db
        .selectFrom('payments')
        .select(['payment_id', 'plan_id', 'amount', 'currency', 'status', 'payment_type', 'created_at'])
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        at: iso(r.created_at),
        payment_id: r.payment_id,
        plan_id: r.plan_id,
        amount: String(r.amount),
        currency: r.currency,
        status: r.status,
        payment_type: r.payment_type,
      }));
    },
  };
}
