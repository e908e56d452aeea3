import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { type MosquittoProcess, startMosquitto } from '../harness/mosquitto.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { mosquittoLogin } from '../harness/station.js';

/** Several agents on one broker and one database must share the request topics, or each answers everything. */
describe('scale-out guard: agents on one broker and database', () => {
  let pg: TestDatabase;
  let mosquitto: MosquittoProcess;
  const running: RunningSwapd[] = [];

  beforeAll(async () => {
    [pg, mosquitto] = await Promise.all([createTestDatabase(), startMosquitto()]);
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    await mosquitto?.dispose();
    await pg?.drop();
  });

  const agent = async (group: string | null) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'swapd-scale-'));
    const config = localConfig(
      { databaseUrl: pg.url, mqttUrl: mosquitto.url, dataDir },
      { shared_subscription_group: group, ...mosquittoLogin(mosquitto) },
    );
    const swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
    running.push(swapd);
    return swapd;
  };

  it('refuses a second agent without a shared subscription group, naming the fix', async () => {
    const first = await agent(null);
    await expect(agent(null)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('SWAPD_SHARED_SUBSCRIPTION_GROUP'),
    });
    await expect(agent('swapd')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await first.stop();
    running.splice(running.indexOf(first), 1);
  });

  it('lets any number of agents in one group start, and refuses one without the group beside them', async () => {
    await agent('swapd');
    await agent('swapd');
    await agent('swapd');
    await expect(agent(null)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
