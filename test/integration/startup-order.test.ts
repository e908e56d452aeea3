import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { freePort } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

/**
 * An app that connects the moment the embedded broker's port opens and sends a QoS 1 request at once
 * gets its answer: the port opens only after swapd has subscribed to the request topics.
 */
describe('embedded broker start-up order (aedes + postgres)', () => {
  let pg: TestDatabase;
  let swapd: RunningSwapd | null = null;
  afterAll(async () => {
    await swapd?.stop();
    await pg?.drop();
  });

  it('the first request after the port opens is answered', async () => {
    pg = await createTestDatabase();
    const port = await freePort();
    const config = localConfig(
      { databaseUrl: pg.url, mqttUrl: null, dataDir: mkdtempSync(join(tmpdir(), 'swapd-order-')) },
      { broker_port: port },
    );
    // The app keeps trying to connect every 10 ms while swapd starts.
    const app = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 10, connectTimeout: 2000 });
    app.on('error', () => {});
    const answered = new Promise<Record<string, unknown>>((resolve) => {
      app.on('message', (_topic, payload) =>
        resolve(JSON.parse(payload.toString()) as Record<string, unknown>),
      );
    });
    app.once('connect', () => {
      // Subscribing and publishing go out together on the first connection, with no pause for swapd.
      app.subscribe('rtrn/#', { qos: 1 });
      app.publish(
        'call/uxi/attendant/plan/no-such-plan/identify_customer',
        JSON.stringify({ action: 'IDENTIFY_CUSTOMER', correlation_id: 'first-1' }),
        { qos: 1 },
      );
    });
    try {
      swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 8000));
      const answer = await Promise.race([answered, timeout]);
      expect(answer).toMatchObject({ correlation_id: 'first-1', signals: ['SERVICE_PLAN_NOT_FOUND'] });
    } finally {
      await app.endAsync(true);
    }
  });
});
