import type { Db, Executor } from '../../ports/database.js';
import type { ClaimResult, IdempotencyKey, RequestStore, RequestTransaction } from '../../ports/store.js';
import { applyEffects } from './effects.repo.js';
import { loadAssets, loadPayments, loadPlan, saveCycles } from './plan.repo.js';

function parse(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}

async function findKey(db: Executor, scope: string, key: string) {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  return row
    ? { kind: 'existing' as const, requestHash: row.request_hash, response: parse(row.response) }
    : null;
}

/**
 * Inserting the key first makes a concurrent duplicate wait on the unique index until the first
 * commits, and then see it: a correlation_id is applied at most once (SPEC §6.2).
 */
async function claimKey(db: Executor, key: IdempotencyKey): Promise<ClaimResult> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      scope: key.scope,
      key: key.key,
      plan_id: key.planId,
      operation: key.operation,
      request_hash: key.requestHash,
      response: null,
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { kind: 'claimed' };
  return (await findKey(db, key.scope, key.key)) ?? { kind: 'claimed' };
}

function transactionOn(tx: Executor): RequestTransaction {
  return {
    claimKey: (key) => claimKey(tx, key),
    loadPlan: (planId, lock) => loadPlan(tx, planId, lock),
    loadAssets: (ids, lock) => loadAssets(tx, ids, lock),
    loadPayments: (ids) => loadPayments(tx, ids),
    saveCycles: (planId, records, now) => saveCycles(tx, planId, records, now),
    applyEffects: (effects, ctx) => applyEffects(tx, effects, ctx),
    storeResponse: async (key, response) => {
      await tx
        .updateTable('idempotency_keys')
        .set({ response: JSON.stringify(response) })
        .where('scope', '=', key.scope)
        .where('key', '=', key.key)
        .execute();
    },
  };
}

export function createRequestStore(db: Db): RequestStore {
  return {
    transaction: (work) => db.transaction().execute((tx) => work(transactionOn(tx))),
    findKey: (scope, key) => findKey(db, scope, key),
  };
}
