import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultBrokerUsers, localConfig, withCredentials, writeAccessFiles } from '../../bench/infra.js';
import { signRequest } from '../../src/access/odoo-signature.js';
import { createLogger } from '../../src/log.js';
import { type RunningSwapd, startSwapd } from '../../src/main.js';
import { runtimeNotePath } from '../../src/runtime/runtime-file.js';
import { aKenyaPlan, batteries, seed, seedCheckout } from '../builders/plans.js';
import { startMosquitto } from '../harness/mosquitto.js';
import { Requester } from '../harness/requester.js';

const PLAN = 'bss-plan-weekly-freedom-nairobi-v2-plan1';
const ODOO_SECRET = 'odoo-secret-NEVER-IN-LOGS-7f3a9c';

/** Every line swapd logs, at trace level, through the real logger (its redaction included). */
function capture() {
  const lines: string[] = [];
  const log = createLogger(
    { level: 'trace', pretty: false },
    { write: (line: string) => void lines.push(line) },
  );
  return { lines, log };
}

function signed(body: Record<string, unknown>, secret = ODOO_SECRET) {
  const withTime = { ...body, signed_at: new Date().toISOString() };
  return { ...withTime, signature: signRequest(secret, withTime) };
}

const confirm = (id: string) => ({
  action: 'CONFIRM_PAYMENT',
  correlation_id: id,
  payment_receipt_id: `R-${id}`,
  amount: 8,
  currency: 'USD',
  payment_method: 'MPESA',
  payment_type: 'TOP_UP',
});

async function refusedLogin(url: string): Promise<void> {
  await mqtt
    .connectAsync(url, { reconnectPeriod: 0 })
    .then((c) => c.endAsync(true))
    .catch(() => undefined);
}

/** A representative session: logins good and bad, requests, signed and forged callbacks, operator HTTP. */
async function session(swapd: RunningSwapd, urlFor: (user: string) => string, secrets: string[]) {
  const app = await Requester.connect(urlFor('attendant'), ['rtrn/abs/attendant/plan/+/+']);
  await app.call(PLAN, 'identify_customer', { action: 'IDENTIFY_CUSTOMER', correlation_id: 's-1' });
  await app.call(PLAN, 'equipment_checkout', seedCheckout('s-2'));
  await app.close();
  const odoo = await Requester.connect(urlFor('odoo'), ['rtrn/abs/billing/plan/+/+']);
  const topic = `call/odoo/billing/plan/${PLAN}/confirm_payment`;
  const good = signed(confirm('s-3'));
  const forged = signed(confirm('s-4'), 'a-guess-at-the-secret-123');
  secrets.push(String(good.signature), String(forged.signature));
  expect((await odoo.request(topic, good, 's-3')).body.success).toBe(true);
  expect((await odoo.request(topic, forged, 's-4')).body.signals).toEqual(['SIGNATURE_INVALID']);
  await odoo.close();
  const http = `http://127.0.0.1:${swapd.httpPort}`;
  const post = (token: string) =>
    fetch(`${http}/api/v1/ops/assets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ asset_id: 'BAT-LOG-1', capacity_kwh: 32 }]),
    });
  expect((await post(swapd.opsToken)).status).toBe(201);
  expect((await post('wrong-token-in-a-log-test')).status).toBe(401);
  expect((await fetch(`${http}/health`)).status).toBe(200);
  expect((await fetch(`${http}/api/v1/ops/assets`, { method: 'POST' })).status).toBe(401);
}

function leaks(lines: string[], secrets: string[]): string[] {
  return lines.filter((line) => secrets.some((s) => line.includes(s)));
}

describe('the logger', () => {
  it('redacts credential fields wherever a caller puts them', () => {
    const { lines, log } = capture();
    const secret = 'SECRET-VALUE-123456';
    log.info(
      {
        config: { mqtt_password: secret, odoo_hmac_secret: secret, mqtt_url: `mqtts://u:${secret}@h` },
        req: { headers: { authorization: `Bearer ${secret}` } },
        note: { ops_token: secret },
        request: { signature: secret },
        password: secret,
      },
      'everything that must not show',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });
});

describe('secrets are never logged', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'swapd-secrets-'));
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('embedded broker with users: passwords, the ops token, the HMAC secret and signatures stay out of every line', async () => {
    const users = defaultBrokerUsers();
    const files = writeAccessFiles(dir, Object.values(users));
    const { lines, log } = capture();
    const config = localConfig(
      { databaseUrl: null, mqttUrl: null, dataDir: dir },
      {
        broker_password_file: files.passwordFile,
        broker_acl_file: files.aclFile,
        odoo_hmac_secret: ODOO_SECRET,
        log_level: 'trace',
      },
    );
    // An older runtime note left world-readable must not make the new one readable.
    writeFileSync(runtimeNotePath(dir), '{}', { mode: 0o644 });
    const swapd = await startSwapd(config, { log, inMemoryDatabase: true });
    stops.push(() => swapd.stop());
    expect(statSync(runtimeNotePath(dir)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(runtimeNotePath(dir), 'utf8')).ops_token).toBe(swapd.opsToken);
    await seed(swapd.database.db, [aKenyaPlan()], batteries(['BAT-67890']));
    const urlFor = (u: string) => withCredentials(swapd.brokerUrl, users[u as keyof typeof users]);
    const secrets = [...Object.values(users).map((u) => u.password), swapd.opsToken, ODOO_SECRET];
    await refusedLogin(
      withCredentials(swapd.brokerUrl, { username: 'odoo', password: 'wrong-password-xyz' }),
    );
    secrets.push('wrong-password-xyz', 'wrong-token-in-a-log-test');
    await session(swapd, urlFor, secrets);
    await swapd.stop();
    stops.pop();
    if (process.env.DEBUG_LOG) console.error(lines.join(''));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.some((l) => l.includes('MQTT connection refused'))).toBe(true);
    expect(leaks(lines, secrets)).toEqual([]);
  });

  it('external Mosquitto: swapd’s own broker password stays out of every line, through a broker restart', async () => {
    const mosquitto = await startMosquitto();
    stops.push(() => mosquitto.dispose());
    const { lines, log } = capture();
    const config = localConfig(
      { databaseUrl: null, mqttUrl: mosquitto.url, dataDir: mkdtempSync(join(tmpdir(), 'swapd-secrets-')) },
      {
        mqtt_username: mosquitto.users.swapd.username,
        mqtt_password: mosquitto.users.swapd.password,
        odoo_hmac_secret: ODOO_SECRET,
        log_level: 'trace',
      },
    );
    const swapd = await startSwapd(config, { log, inMemoryDatabase: true, writeRuntimeNote: false });
    stops.push(() => swapd.stop());
    await seed(swapd.database.db, [aKenyaPlan()], batteries(['BAT-67890']));
    const secrets = [...Object.values(mosquitto.users).map((u) => u.password), swapd.opsToken, ODOO_SECRET];
    await mosquitto.stop();
    await new Promise((r) => setTimeout(r, 300));
    await mosquitto.restart();
    const deadline = Date.now() + 10_000;
    while (!swapd.broker.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    secrets.push('wrong-token-in-a-log-test');
    await session(swapd, (u) => mosquitto.urlFor(u as 'attendant'), secrets);
    expect(lines.some((l) => l.includes('MQTT client error') || l.includes('reconnecting'))).toBe(true);
    expect(leaks(lines, secrets)).toEqual([]);
  });
});
