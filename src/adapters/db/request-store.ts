import type { Db } from '../../ports/database.js';
import type {
  IdempotencyKey,
  LoadRequest,
  RequestStore,
  RequestTransaction,
  RequestWrite,
} from '../../ports/store.js';
import { applyInOrder, effectSet, emptyWriteSet, writeSet } from './effects.repo.js';
import { type PaymentRow, type RequestRow, toLoadedRequest, toPaymentView } from './plan.repo.js';
import { CLAIM_AND_READ, PLAN_PAYMENTS } from './request-sql.js';
import { inRawTransaction, kyselyClient, rawPoolOf, type SqlClient } from './sql-client.js';

function parse(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}

type ClaimAndReadRow = RequestRow & { claimed: boolean; request_hash: string | null; response: unknown };

/** The key claimed, the plan locked and read, in one round trip; a known key answers as itself. */
async function claimAndLoad(client: SqlClient, key: IdempotencyKey, r: LoadRequest) {
  const values = [
    key.scope,
    key.key,
    key.planId,
    key.operation,
    key.requestHash,
    [...r.assetIds],
    [...r.paymentIds],
    r.lock,
  ];
  const { rows } = await client.query<ClaimAndReadRow>(CLAIM_AND_READ, values);
  const row = rows[0];
  if (row && !row.claimed) {
    return { kind: 'existing' as const, requestHash: row.request_hash ?? '', response: parse(row.response) };
  }
  return { kind: 'claimed' as const, loaded: row ? toLoadedRequest(row) : null };
}

/** The common request is one statement; effects one statement cannot express run first, in order. */
async function write(client: SqlClient, w: RequestWrite): Promise<void> {
  let set = effectSet(w.effects);
  if (set === null) {
    await applyInOrder(client, w.effects, w.ctx);
    set = emptyWriteSet();
  }
  await writeSet(client, { ...set, cycles: w.cycles, response: { key: w.key, text: w.responseText } }, w.ctx);
}

function transactionOn(client: SqlClient): RequestTransaction {
  return {
    claimAndLoad: (key, request) => claimAndLoad(client, key, request),
    write: (w) => write(client, w),
    planPayments: async (planId, ids) => {
      const { rows } = await client.query<PaymentRow>(PLAN_PAYMENTS, [planId, [...ids]]);
      return rows.map(toPaymentView);
    },
  };
}

/** Prepared statements on the database's own pool when openDatabase made it; Kysely otherwise. */
export function createRequestStore(db: Db): RequestStore {
  const pool = rawPoolOf(db);
  return {
    transaction: (work) =>
      pool
        ? inRawTransaction(pool, (client) => work(transactionOn(client)))
        : db.transaction().execute((tx) => work(transactionOn(kyselyClient(tx)))),
  };
}
