import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { aKenyaPlan, batteries, seed } from '../builders/plans.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { Requester } from '../harness/requester.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const IDENTIFY = `call/uxi/attendant/plan/${PLAN}/identify_customer`;

/**
 * Postgres reached through a proxy the test controls; the proxy resets connections in the middle of
 * queries, and while idle, and refuses new ones for a while. swapd stays up, answers every request
 * (SERVICE_UNAVAILABLE while the database is unreachable), /health says 503 and then 200 again.
 */
describe('database connections cut mid-query (postgres through a TCP proxy)', () => {
  let pg: TestDatabase;
  let proxy: TcpProxy;
  let swapd: RunningSwapd;
  let requester: Requester;
  let n = 0;

  beforeAll(async () => {
    pg = await createTestDatabase();
    const target = new URL(pg.url);
    proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
    const viaProxy = new URL(pg.url);
    viaProxy.port = String(proxy.port);
    const config = localConfig(
      { databaseUrl: viaProxy.toString(), mqttUrl: null, dataDir: mkdtempSync(join(tmpdir(), 'swapd-cut-')) },
      { db_pool_size: 4 },
    );
    swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
    await seed(swapd.database.db, [aKenyaPlan()], batteries(['BAT-67890']));
    requester = await Requester.connect(swapd.brokerUrl);
  });
  afterAll(async () => {
    await requester?.close();
    await swapd?.stop();
    await proxy?.close();
    await pg?.drop();
  });

  const identify = () => {
    const id = `cut-${++n}`;
    return requester
      .request(IDENTIFY, { action: 'IDENTIFY_CUSTOMER', correlation_id: id }, id)
      .then((r) => r.body);
  };
  const health = async () => (await fetch(`http://127.0.0.1:${swapd.httpPort}/health`)).status;

  async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('condition not met in time');
  }

  it('requests in flight when their connections are reset each get one answer; swapd stays up', async () => {
    expect((await identify()).success).toBe(true);
    const inFlight = Array.from({ length: 12 }, () => identify());
    proxy.cutOnNextSend();
    proxy.cutAll();
    const answers = await Promise.all(inFlight);
    for (const a of answers) {
      if (a.success !== true) expect(a.signals).toEqual(['SERVICE_UNAVAILABLE']);
    }
    await until(async () => (await identify()).success === true);
    expect(await health()).toBe(200);
  });

  it('a connection reset while a query runs on it answers SERVICE_UNAVAILABLE, not a crash', async () => {
    expect((await identify()).success).toBe(true);
    expect(proxy.open).toBeGreaterThan(0);
    // The request's own statement is cut, not a background query (station page sampling, scheduler).
    proxy.cutOnNextSend('swapd_claim_and_read');
    const answer = await identify();
    expect(answer.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    await until(async () => (await identify()).success === true);
  });

  it('while the database is unreachable: SERVICE_UNAVAILABLE and /health 503; then it recovers by itself', async () => {
    proxy.refuse();
    try {
      const answer = await identify();
      expect(answer.signals).toEqual(['SERVICE_UNAVAILABLE']);
      expect(answer.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      expect(await health()).toBe(503);
    } finally {
      proxy.accept();
    }
    await until(async () => (await health()) === 200);
    expect((await identify()).success).toBe(true);
  });

  it('idle connections reset under the pool are replaced', async () => {
    expect((await identify()).success).toBe(true);
    proxy.cutAll();
    await new Promise((r) => setTimeout(r, 100));
    await until(async () => (await identify()).success === true);
    expect(await health()).toBe(200);
  });
});
