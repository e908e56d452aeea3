import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { type FaultRig, finishAndReconcile, SOAK, startFaultRig } from '../harness/fault-rig.js';
import { mosquittoLogin } from '../harness/station.js';

/**
 * Mosquitto goes down for 30 s under load (and comes back with its saved sessions). swapd keeps its
 * committed events in the outbox and publishes them once it is connected again; the apps resend what
 * was not answered. Nothing is lost, doubled or left unanswered.
 */
describe('Mosquitto down 30 s under load (mosquitto + postgres)', () => {
  let rig: FaultRig;
  let swapd: RunningSwapd;
  const outageMs = SOAK ? 120_000 : 30_000;

  beforeAll(async () => {
    rig = await startFaultRig({ persistentBroker: true });
    const config = localConfig(
      { databaseUrl: rig.pg.url, mqttUrl: rig.mosquitto.url, dataDir: '/tmp' },
      { outbox_retry_ms: 200, ...mosquittoLogin(rig.mosquitto) },
    );
    swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
  });
  afterAll(async () => {
    await swapd?.stop();
    await rig?.close();
  });

  it('publishes every committed event and answers every request after the outage', async () => {
    rig.load.start();
    await rig.load.progress(60);
    await rig.mosquitto.stop('SIGTERM');
    const down = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    expect(swapd.broker.connected).toBe(false);
    await new Promise((r) => setTimeout(r, outageMs - (Date.now() - down)));
    await rig.mosquitto.restart();
    await rig.load.progress(60, 90_000);
    const r = await finishAndReconcile(rig, `broker down ${outageMs / 1000} s`);
    expect(r.counts.resends).toBeGreaterThan(0);
  }, 240_000);
});
