import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/adapters/templates/template-loader.js';
import { upsertTemplates } from '../../src/admin/admin.repo.js';
import { batteries, ENERGY, NETWORK, seed } from '../builders/plans.js';
import { startStation, type TestStation } from '../harness/station.js';

const FLEET = 'bss-template-fleet-nairobi-test';
const PLAN = 'fleet-plan-1';

/** SPEC §6.3: used never exceeds quota through a checkout, under any concurrency. */
describe('concurrent checkouts against one quota (aedes + postgres)', () => {
  let station: TestStation;
  const ids = Array.from({ length: 500 }, (_, i) => `BAT-F${String(i).padStart(4, '0')}`);

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'aedes', overrides: { db_pool_size: 20 } });
    await upsertTemplates(station.db, loadTemplates(resolve(import.meta.dirname, '../fixtures/templates')));
    await seed(
      station.db,
      [
        {
          plan_id: PLAN,
          customer_id: 'FLEET-001',
          template_id: FLEET,
          serviceStates: [
            { service_id: 'svc-battery-fleet-kenya-premium', used: 0, quota: 10, current_asset: null },
            { service_id: ENERGY, used: 0, quota: 400 },
            { service_id: NETWORK, used: 0, quota: 100000000 },
          ],
        },
      ],
      batteries(ids),
    );
  });
  afterAll(() => station?.close());

  it('500 checkouts at once for 10 swaps of quota: exactly 10 succeed', async () => {
    const responses = await Promise.all(
      ids.map((id, i) =>
        station.requester.call(PLAN, 'equipment_checkout', {
          action: 'EQUIPMENT_CHECKOUT',
          correlation_id: `fleet-${i}`,
          replacement_equipment_id: id,
          outgoing_kwh: 1.5,
        }),
      ),
    );
    const successes = responses.filter((r) => r.success);
    expect(successes).toHaveLength(10);
    expect(responses.filter((r) => (r.signals as string[])[0] === 'QUOTA_EXHAUSTED')).toHaveLength(490);
    const states = await station.db
      .selectFrom('service_states')
      .select(['service_id', 'used'])
      .where('plan_id', '=', PLAN)
      .execute();
    expect(Object.fromEntries(states.map((s) => [s.service_id, String(s.used)]))).toMatchObject({
      'svc-battery-fleet-kenya-premium': '10',
      [ENERGY]: '15.0',
    });
    const issued = await station.db
      .selectFrom('assets')
      .select('asset_id')
      .where('holder_plan_id', '=', PLAN)
      .execute();
    expect(issued).toHaveLength(10);
  });
});
