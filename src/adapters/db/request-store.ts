import type { Db } from '../../ports/database.js';
import type {
  ClaimResult,
  IdempotencyKey,
  LoadedRequest,
  LoadRequest,
  RequestStore,
  RequestTransaction,
  RequestWrite,
} from '../../ports/store.js';
import { applyInOrder, effectSet, emptyWriteSet, writeSet } from './effects.repo.js';
import { type RequestRow, toLoadedRequest } from './plan.repo.js';
import { CLAIM_KEY, CLAIM_KEY_LOCK_PLAN, FIND_KEY, READ, READ_LOCKED } from './request-sql.js';
import { inRawTransaction, kyselyClient, rawPoolOf, type SqlClient } from './sql-client.js';

function parse(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}

async function findKey(client: SqlClient, key: IdempotencyKey): Promise<ClaimResult> {
  const { rows } = await client.query<{ request_hash: string; response: unknown }>(FIND_KEY, [
    key.scope,
    key.key,
  ]);
  const row = rows[0];
  return row
    ? { kind: 'existing', requestHash: row.request_hash, response: parse(row.response) }
    : { kind: 'claimed' };
}

/**
 * Inserting the key first makes a concurrent duplicate wait on the unique index until the first
 * commits, and then see it: a correlation_id is applied at most once (SPEC §6.2). The plan's row lock
 * is taken in the same statement, after the claim.
 */
async function claimKey(
  client: SqlClient,
  key: IdempotencyKey,
  lockPlan: string | null,
): Promise<ClaimResult> {
  const values = [key.scope, key.key, key.planId, key.operation, key.requestHash];
  if (lockPlan === null) {
    const inserted = await client.query(CLAIM_KEY, values);
    if (inserted.rowCount === 1) return { kind: 'claimed' };
  } else {
    const { rows } = await client.query<{ claimed: number }>(CLAIM_KEY_LOCK_PLAN, [...values, lockPlan]);
    if (Number(rows[0]?.claimed) === 1) return { kind: 'claimed' };
  }
  return findKey(client, key);
}

async function load(client: SqlClient, r: LoadRequest): Promise<LoadedRequest | null> {
  const { rows } = await client.query<RequestRow>(r.lock ? READ_LOCKED : READ, [
    r.planId,
    [...r.assetIds],
    [...r.paymentIds],
  ]);
  return rows[0] ? toLoadedRequest(rows[0]) : null;
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
    claimKey: (key, lockPlan) => claimKey(client, key, lockPlan),
    load: (request) => load(client, request),
    write: (w) => write(client, w),
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
