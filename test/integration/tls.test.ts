import { readFileSync, rmSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { aKenyaPlan, seed } from '../builders/plans.js';
import { startMosquitto } from '../harness/mosquitto.js';
import { Requester } from '../harness/requester.js';
import { TEST_ODOO_SECRET } from '../harness/station.js';
import { makeTestCa, type TestCa } from '../harness/test-ca.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';

async function connects(url: string, options: mqtt.IClientOptions): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

describe('TLS (a throwaway CA made with openssl)', { timeout: 120_000 }, () => {
  let ca: TestCa;
  beforeAll(() => {
    ca = makeTestCa();
  });
  afterAll(() => rmSync(ca.dir, { recursive: true, force: true }));

  describe('the embedded broker serves mqtts and wss', () => {
    let swapd: RunningSwapd;
    beforeAll(async () => {
      const config = localConfig(
        { databaseUrl: null, mqttUrl: null, dataDir: ca.dir },
        {
          broker_tls_port: 0,
          broker_wss_port: 0,
          broker_tls_cert: ca.serverCert,
          broker_tls_key: ca.serverKey,
        },
      );
      swapd = await startSwapd(config, {
        log: silentLogger(),
        inMemoryDatabase: true,
        writeRuntimeNote: false,
      });
    });
    afterAll(() => swapd?.stop());

    it('accepts a client that trusts the test CA and refuses one that does not', async () => {
      expect(swapd.brokerTlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
      expect(swapd.brokerWssUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      const trusted = { ca: readFileSync(ca.ca) };
      expect(await connects(swapd.brokerTlsUrl as string, trusted)).toBe(true);
      expect(await connects(swapd.brokerTlsUrl as string, {})).toBe(false);
      expect(await connects(swapd.brokerWssUrl as string, { wsOptions: trusted })).toBe(true);
      expect(await connects(swapd.brokerWssUrl as string, {})).toBe(false);
    });

    it('answers a request that came over mqtts', async () => {
      await seed(swapd.database.db, [aKenyaPlan()], []);
      const app = await Requester.connect(swapd.brokerTlsUrl as string, ['rtrn/#'], 4, {
        ca: readFileSync(ca.ca),
      });
      const answer = await app.call(PLAN, 'identify_customer', {
        action: 'IDENTIFY_CUSTOMER',
        correlation_id: 'tls-1',
      });
      expect(answer.success).toBe(true);
      await app.close();
    });
  });

  it('swapd attaches to a TLS Mosquitto with a client certificate, verifying the server', async () => {
    const port = await freePort();
    const mosquitto = await startMosquitto({
      extraConfig: [
        `listener ${port} 127.0.0.1`,
        `certfile ${ca.serverCert}`,
        `keyfile ${ca.serverKey}`,
        `cafile ${ca.ca}`,
        'require_certificate true',
      ].join('\n'),
    });
    const url = `mqtts://127.0.0.1:${port}`;
    const login = {
      mqtt_username: mosquitto.users.swapd.username,
      mqtt_password: mosquitto.users.swapd.password,
      odoo_hmac_secret: TEST_ODOO_SECRET,
    };
    let swapd: RunningSwapd | null = null;
    try {
      // Without a client certificate Mosquitto refuses the handshake.
      expect(
        await connects(url, {
          ca: readFileSync(ca.ca),
          username: login.mqtt_username,
          password: login.mqtt_password,
        }),
      ).toBe(false);
      const config = localConfig(
        { databaseUrl: null, mqttUrl: url, dataDir: ca.dir },
        { ...login, mqtt_ca: ca.ca, mqtt_cert: ca.clientCert, mqtt_key: ca.clientKey },
      );
      swapd = await startSwapd(config, {
        log: silentLogger(),
        inMemoryDatabase: true,
        writeRuntimeNote: false,
      });
      expect(swapd.broker.connected).toBe(true);
      await seed(swapd.database.db, [aKenyaPlan()], []);
      const app = await Requester.connect(mosquitto.urlFor('attendant'), ['rtrn/abs/attendant/plan/+/+']);
      const answer = await app.call(PLAN, 'identify_customer', {
        action: 'IDENTIFY_CUSTOMER',
        correlation_id: 'tls-2',
      });
      expect(answer.success).toBe(true);
      await app.close();
      // The server is verified by default: without the CA swapd does not attach.
      const untrusting = localConfig(
        { databaseUrl: null, mqttUrl: url, dataDir: ca.dir },
        { ...login, mqtt_cert: ca.clientCert, mqtt_key: ca.clientKey },
      );
      await expect(
        startSwapd(untrusting, { log: silentLogger(), inMemoryDatabase: true, writeRuntimeNote: false }),
      ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      await swapd?.stop();
      await mosquitto.dispose();
    }
  });
});
