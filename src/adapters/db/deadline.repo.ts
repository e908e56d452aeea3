import type { PlanTemplate } from '../../../agents/shared/plan.types.js';
import type { Db } from '../../ports/database.js';
import type { DeadlineRule, DeadlineStore, FiredDeadline } from '../../ports/deadlines.js';
import { cycleParams } from '../../router/cycles.js';
import { saveCycles, toCycleRecord } from './plan.repo.js';

async function fireOne(
  db: Db,
  planId: string,
  cycle: string,
  now: Date,
  rule: DeadlineRule,
): Promise<FiredDeadline | null> {
  return db.transaction().execute(async (tx) => {
    // The plan's row lock orders this with the plan's requests; skip a plan that is busy right now.
    const plan = await tx
      .selectFrom('plans')
      .innerJoin('templates', 'templates.template_id', 'plans.template_id')
      .select(['templates.definition'])
      .where('plans.plan_id', '=', planId)
      .forUpdate(['plans'])
      .skipLocked()
      .executeTakeFirst();
    if (!plan) return null;
    const row = await tx
      .selectFrom('fsm_snapshots')
      .selectAll()
      .where('plan_id', '=', planId)
      .where('cycle', '=', cycle)
      .where('deadline_at', '<=', now)
      .executeTakeFirst();
    if (!row) return null;
    const template = (
      typeof plan.definition === 'string' ? JSON.parse(plan.definition) : plan.definition
    ) as PlanTemplate;
    const record = toCycleRecord(row);
    const next = rule(record, cycleParams(template), now);
    if (!next) return null;
    await saveCycles(tx, planId, [next], now);
    return { planId, cycle, from: record.state, to: next.state };
  });
}

export function createDeadlineStore(db: Db): DeadlineStore {
  return {
    async fireDue(now, limit, rule) {
      const due = await db
        .selectFrom('fsm_snapshots')
        .select(['plan_id', 'cycle'])
        .where('deadline_at', '<=', now)
        .orderBy('deadline_at')
        .limit(limit)
        .execute();
      const fired: FiredDeadline[] = [];
      for (const d of due) {
        const result = await fireOne(db, d.plan_id, d.cycle, now, rule);
        if (result) fired.push(result);
      }
      return fired;
    },
  };
}
