import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultRig, finishAndReconcile, startFaultRig } from '../harness/fault-rig.js';
import { freePort } from '../harness/ports.js';
import { mosquittoLoginEnv } from '../harness/station.js';
import { type SwapdProcess, startSwapdProcess, swapdEnv } from '../harness/swapd-process.js';

/** Waits until no outbox row is left unpublished; returns how many are left at the deadline. */
async function outboxDrained(rig: FaultRig, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await rig.database.db
      .selectFrom('outbox')
      .select('id')
      .where('published_at', 'is', null)
      .execute();
    if (rows.length === 0 || Date.now() > deadline) return rows.length;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The relay's lease on claimed rows (outbox_lease_ms): a killed instance's rows are taken over once it runs out. */
const LEASE_MS = 5_000;

/**
 * Two and three swapd instances share the request topics ($share/swapd/...) on one Postgres; one is
 * killed under load. The others answer the apps' resends and publish the dead one's claimed outbox rows.
 */
describe.each([2, 3])('%i instances on a shared subscription, one killed (mosquitto + postgres)', (count) => {
  let rig: FaultRig;
  const instances: SwapdProcess[] = [];

  beforeAll(async () => {
    rig = await startFaultRig();
    const env = async () =>
      swapdEnv({
        SWAPD_DATABASE_URL: rig.pg.url,
        SWAPD_MQTT_URL: rig.mosquitto.url,
        ...mosquittoLoginEnv(rig.mosquitto),
        SWAPD_ROLES: 'agent',
        SWAPD_SHARED_SUBSCRIPTION_GROUP: 'swapd',
        SWAPD_HTTP_PORT: String(await freePort()),
      });
    for (let i = 0; i < count; i++) instances.push(await startSwapdProcess(await env()));
  });
  afterAll(async () => {
    await Promise.all(instances.map((p) => p.stop('SIGKILL')));
    await rig?.close();
  });

  it('answers every request once and publishes every committed event', async () => {
    rig.load.start();
    await rig.load.progress(100);
    await instances[0]!.stop('SIGKILL');
    const killedAt = Date.now();
    await rig.load.progress(100);
    // A killed instance's claimed rows wait for its lease to run out, then the others publish them.
    const r = await finishAndReconcile(rig, `${count} instances, one killed`, LEASE_MS + 15_000);
    // The dead instance's claimed rows are published (or marked) by the others once its lease runs out.
    expect(await outboxDrained(rig, LEASE_MS + 15_000)).toBe(0);
    process.stdout.write(
      `[fault] ${count} instances: all events out ${Date.now() - killedAt} ms after the kill\n`,
    );
    expect(r.events_committed).toBe(r.counts.succeeded);
  }, 180_000);
});
