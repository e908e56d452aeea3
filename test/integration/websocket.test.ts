import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { Requester } from '../harness/requester.js';

function config(overrides: Record<string, unknown>) {
  return loadConfig({
    env: {},
    overrides: {
      broker_port: 0,
      http_port: 0,
      data_dir: mkdtempSync(join(tmpdir(), 'swapd-ws-')),
      log_level: 'silent',
      ...overrides,
    },
  });
}

/** SWAPD_MQTT_URL may be ws://; the embedded broker can serve MQTT over WebSocket for browser apps. */
describe('MQTT over WebSocket (aedes WebSocket listener, PGlite)', () => {
  let broker: RunningSwapd;
  let agent: RunningSwapd;
  let app: Requester;

  beforeAll(async () => {
    // One swapd is only the broker here (station role, no devices, no simulator); another attaches to it over ws://.
    broker = await startSwapd(
      config({ roles: ['station'], broker_ws_port: 0, station: { simulator: false } }),
      {
        log: silentLogger(),
        inMemoryDatabase: true,
        writeRuntimeNote: false,
      },
    );
    agent = await startSwapd(config({ roles: ['agent'], mqtt_url: broker.brokerWsUrl }), {
      log: silentLogger(),
      inMemoryDatabase: true,
      writeRuntimeNote: false,
    });
    await seed(agent.database.db, [aKenyaPlan()], batteries(['BAT-67890']));
    app = await Requester.connect(broker.brokerWsUrl!);
  });
  afterAll(async () => {
    await app?.close();
    await agent?.stop();
    await broker?.stop();
  });

  it('answers a checkout for an app on WebSocket, through an agent attached by ws://', async () => {
    expect(broker.brokerWsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(agent.brokerUrl).toBe(broker.brokerWsUrl);
    const res = await app.call(
      'bss-plan-weekly-freedom-nairobi-v2-plan1',
      'equipment_checkout',
      seedCheckout('ws-1'),
    );
    expect(res.signals).toEqual(['QUOTA_AVAILABLE', 'EQUIPMENT_CHECKOUT_SUCCESS']);
  });
});
