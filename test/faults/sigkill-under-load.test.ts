import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultRig, finishAndReconcile, SOAK, startFaultRig } from '../harness/fault-rig.js';
import { freePort } from '../harness/ports.js';
import { mosquittoLoginEnv } from '../harness/station.js';
import { type SwapdProcess, startSwapdProcess, swapdEnv } from '../harness/swapd-process.js';

/**
 * swapd is killed without warning (SIGKILL) while 16 swaps are in flight, again and again; the apps
 * resend by correlation_id. Nothing committed is lost, nothing is applied twice, every request is
 * answered exactly once for real (later answers are replays), every committed event arrives.
 */
describe('SIGKILL of swapd under load (mosquitto + postgres)', () => {
  let rig: FaultRig;
  let swapd: SwapdProcess | null = null;

  beforeAll(async () => {
    rig = await startFaultRig();
  });
  afterAll(async () => {
    await swapd?.stop('SIGKILL');
    await rig?.close();
  });

  const launch = async () =>
    startSwapdProcess(
      swapdEnv({
        SWAPD_DATABASE_URL: rig.pg.url,
        SWAPD_MQTT_URL: rig.mosquitto.url,
        ...mosquittoLoginEnv(rig.mosquitto),
        SWAPD_ROLES: 'agent',
        SWAPD_HTTP_PORT: String(await freePort()),
      }),
    );

  it('loses nothing and doubles nothing across repeated kills', async () => {
    swapd = await launch();
    rig.load.start();
    const rounds = SOAK ? 10 : 3;
    for (let round = 0; round < rounds; round++) {
      await rig.load.progress(40);
      await swapd.stop('SIGKILL');
      const started = Date.now();
      swapd = await launch();
      process.stdout.write(
        `[fault] round ${round + 1}: killed and restarted in ${Date.now() - started} ms\n`,
      );
    }
    await rig.load.progress(40);
    const r = await finishAndReconcile(rig, `SIGKILL x${rounds}`);
    expect(r.counts.resends).toBeGreaterThan(0);
  }, 180_000);
});
