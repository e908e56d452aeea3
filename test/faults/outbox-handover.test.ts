import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { startStation, type TestStation, waitForOutboxDrained } from '../harness/station.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

interface Claim {
  claimed_for_ms: number | null;
  published: boolean;
}

/**
 * Events claimed by an instance that stops answering: a short lease (a killed instance's rows are free
 * again in seconds, not half a minute) and, on an orderly shutdown, the unfinished batch handed back.
 */
describe('outbox lease and handover (mosquitto + postgres)', () => {
  let station: TestStation;

  beforeAll(async () => {
    station = await startStation({ db: 'postgres', broker: 'mosquitto' });
    await seed(station.db, [aKenyaPlan()], batteries(['BAT-67890']));
  });
  afterAll(async () => {
    if (station?.mosquitto?.pid) process.kill(station.mosquitto.pid, 'SIGCONT');
    await station?.close();
  });

  const claim = async (): Promise<Claim> => {
    const { rows } = await sql<Claim>`select
        (extract(epoch from claimed_until - now()) * 1000)::float8 as claimed_for_ms,
        published_at is not null as published
      from outbox`.execute(station.db);
    return rows[0] as Claim;
  };

  it('a batch waiting on a frozen broker holds a lease of seconds and is handed back at shutdown', async () => {
    const relay = station.swapd.relay!;
    await relay.stop();
    expect((await station.requester.call(PLAN, 'equipment_checkout', seedCheckout('lease-1'))).success).toBe(
      true,
    );
    const pid = station.mosquitto!.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      relay.start();
      const deadline = Date.now() + 5000;
      while ((await claim()).claimed_for_ms === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const held = await claim();
      expect(held.published).toBe(false);
      expect(held.claimed_for_ms).toBeGreaterThan(0);
      expect(held.claimed_for_ms).toBeLessThanOrEqual(5_000);
      await relay.stop();
      expect(await claim()).toEqual({ claimed_for_ms: null, published: false });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    relay.start();
    await waitForOutboxDrained(station);
  });
});
