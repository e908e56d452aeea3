import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { realAnswers } from '../harness/fault-load.js';
import { type FaultRig, finishAndReconcile, startFaultRig } from '../harness/fault-rig.js';
import { mosquittoLogin } from '../harness/station.js';

/**
 * Every request is delivered twice at once (an app that double-taps, a broker that redelivers QoS 1):
 * each is applied once, the second copy gets the first's answer as a replay.
 */
describe('every request delivered twice (mosquitto + postgres)', () => {
  let rig: FaultRig;
  let swapd: RunningSwapd;

  beforeAll(async () => {
    rig = await startFaultRig({ copies: 2 });
    const config = localConfig(
      { databaseUrl: rig.pg.url, mqttUrl: rig.mosquitto.url, dataDir: '/tmp' },
      mosquittoLogin(rig.mosquitto),
    );
    swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
  });
  afterAll(async () => {
    await swapd?.stop();
    await rig?.close();
  });

  it('applies each swap once and replays the answer to the copy', async () => {
    rig.load.start();
    await rig.load.progress(300);
    const r = await finishAndReconcile(rig, 'every request twice');
    // Every request got its real answer once and (at least) one replay for its copy.
    expect(r.counts.replayed).toBeGreaterThanOrEqual(r.counts.succeeded);
    for (const [id, answers] of rig.load.answers) expect(realAnswers(answers).length, id).toBe(1);
  }, 120_000);
});
