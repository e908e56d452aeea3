import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfig } from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { type FaultRig, finishAndReconcile, SOAK, startFaultRig } from '../harness/fault-rig.js';
import { mosquittoLogin } from '../harness/station.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';

/**
 * swapd reaches Postgres through a proxy the test controls. Under load, every connection is cut in the
 * middle of its queries and the database stays unreachable for 20 s; then it answers again. Requests
 * meanwhile get SERVICE_UNAVAILABLE (retryable) and change nothing; the apps resend; afterwards the
 * ledger holds exactly the swaps that were answered as done, and every committed event was published.
 */
describe('database cut mid-query for 20 s under load (mosquitto + postgres through a TCP proxy)', () => {
  let rig: FaultRig;
  let proxy: TcpProxy;
  let swapd: RunningSwapd;
  const outageMs = SOAK ? 60_000 : 20_000;

  beforeAll(async () => {
    rig = await startFaultRig();
    const target = new URL(rig.pg.url);
    proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
    const viaProxy = new URL(rig.pg.url);
    viaProxy.port = String(proxy.port);
    const config = localConfig(
      {
        databaseUrl: viaProxy.toString(),
        mqttUrl: rig.mosquitto.url,
        dataDir: mkdtempSync(join(tmpdir(), 'swapd-cutload-')),
      },
      { outbox_retry_ms: 200, ...mosquittoLogin(rig.mosquitto) },
    );
    swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
  });
  afterAll(async () => {
    await swapd?.stop();
    await proxy?.close();
    await rig?.close();
  });

  it('answers SERVICE_UNAVAILABLE meanwhile, then serves again; nothing lost or doubled', async () => {
    rig.load.start();
    await rig.load.progress(60);
    proxy.cutOnNextSend();
    proxy.refuse();
    await new Promise((r) => setTimeout(r, outageMs));
    proxy.accept();
    await rig.load.progress(60, 90_000);
    const r = await finishAndReconcile(rig, `database cut ${outageMs / 1000} s`);
    expect(r.counts.unavailable).toBeGreaterThan(0);
    expect(swapd.broker.connected).toBe(true);
  }, 240_000);
});
