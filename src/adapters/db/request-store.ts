import type { Db } from '../../ports/database.js';
import type {
  GroupClaim,
  GroupMember,
  GroupTransaction,
  IdempotencyKey,
  LoadRequest,
  RequestStore,
  RequestTransaction,
  RequestWrite,
} from '../../ports/store.js';
import { applyInOrder, effectSet, emptyWriteSet, writeSet } from './effects.repo.js';
import { writeGroup } from './group-write.js';
import { type PaymentRow, type RequestRow, toLoadedRequest, toPaymentView } from './plan.repo.js';
import { CLAIM_AND_READ, GROUP_CLAIM_AND_READ, PLAN_PAYMENTS } from './request-sql.js';
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

/**
 * The common request is one statement; effects one statement cannot express run first, in order. The
 * write is the transaction's last statement: it carries the COMMIT.
 */
async function write(client: SqlClient, w: RequestWrite): Promise<void> {
  let set = effectSet(w.effects);
  if (set === null) {
    await applyInOrder(client, w.effects, w.ctx);
    set = emptyWriteSet();
  }
  const all = { ...set, cycles: w.cycles, response: { key: w.key, text: w.responseText } };
  await writeSet(client, all, w.ctx, true);
}

type GroupRow = ClaimAndReadRow & { member: number };

/** The group function's arguments: one array per key column; batteries and payments as (member, id) pairs. */
function groupArguments(members: readonly GroupMember[]): unknown[] {
  const keys = {
    scope: [] as string[],
    key: [] as string[],
    plan: [] as string[],
    operation: [] as string[],
    hash: [] as string[],
  };
  const assets: [number[], string[]] = [[], []];
  const payments: [number[], string[]] = [[], []];
  members.forEach(({ key, load }, i) => {
    keys.scope.push(key.scope);
    keys.key.push(key.key);
    keys.plan.push(key.planId);
    keys.operation.push(key.operation);
    keys.hash.push(key.requestHash);
    for (const id of load.assetIds) {
      assets[0].push(i + 1);
      assets[1].push(id);
    }
    for (const id of load.paymentIds) {
      payments[0].push(i + 1);
      payments[1].push(id);
    }
  });
  return [keys.scope, keys.key, keys.plan, keys.operation, keys.hash, ...assets, ...payments];
}

/** Every member's key claimed, the new ones' rows locked and read: one round trip, in member order. */
async function claimGroup(client: SqlClient, members: readonly GroupMember[]): Promise<GroupClaim[]> {
  const { rows } = await client.query<GroupRow>(GROUP_CLAIM_AND_READ, groupArguments(members));
  const out: GroupClaim[] = members.map(() => ({ kind: 'unknown' }));
  for (const row of rows) {
    out[Number(row.member) - 1] = row.claimed
      ? { kind: 'claimed', loaded: row.plan_id === null ? null : toLoadedRequest(row) }
      : { kind: 'existing', requestHash: row.request_hash ?? '', response: parse(row.response) };
  }
  return out;
}

async function planPayments(client: SqlClient, planId: string, ids: readonly string[]) {
  const { rows } = await client.query<PaymentRow>(PLAN_PAYMENTS, [planId, [...ids]]);
  return rows.map(toPaymentView);
}

function transactionOn(client: SqlClient): RequestTransaction {
  return {
    claimAndLoad: (key, request) => claimAndLoad(client, key, request),
    write: (w) => write(client, w),
    planPayments: (planId, ids) => planPayments(client, planId, ids),
  };
}

function groupOn(client: SqlClient): GroupTransaction {
  return {
    claimAndLoad: (members) => claimGroup(client, members),
    write: (writes, dropped) => writeGroup(client, writes, dropped),
    planPayments: (planId, ids) => planPayments(client, planId, ids),
  };
}

/**
 * Prepared statements on the database's own pool when openDatabase made it, with request groups; a Db
 * opened elsewhere (a tool's, a test's) runs the same SQL through Kysely, every request on its own.
 */
export function createRequestStore(db: Db): RequestStore {
  const pool = rawPoolOf(db);
  if (!pool)
    return { transaction: (work) => db.transaction().execute((tx) => work(transactionOn(kyselyClient(tx)))) };
  return {
    transaction: (work) => inRawTransaction(pool, (client) => work(transactionOn(client))),
    groupTransaction: (work) => inRawTransaction(pool, (client) => work(groupOn(client))),
  };
}
