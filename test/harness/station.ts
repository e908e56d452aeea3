import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BrokerUser,
  defaultBrokerUsers,
  localConfig,
  withCredentials,
  writeAccessFiles,
} from '../../bench/infra.js';
import { silentLogger } from '../../src/log.js';
import { type RunningSwapd, type StartOptions, startSwapd } from '../../src/main.js';
import type { Db } from '../../src/ports/database.js';
import { type MosquittoProcess, startMosquitto } from './mosquitto.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { Requester } from './requester.js';

export type DbKind = 'postgres' | 'pglite';
export type BrokerKind = 'aedes' | 'mosquitto';

export interface StationOptions {
  db: DbKind;
  broker: BrokerKind;
  overrides?: Record<string, unknown>;
  start?: StartOptions;
  mosquittoPersistent?: boolean;
  /** Broker users beyond the default ones (swapd, tester, attendant, odoo). */
  extraUsers?: BrokerUser[];
  /** aedes: give the embedded broker password and ACL files too (Mosquitto always has them). */
  brokerAuth?: boolean;
}

export interface TestStation {
  swapd: RunningSwapd;
  db: Db;
  requester: Requester;
  pg: TestDatabase | null;
  mosquitto: MosquittoProcess | null;
  /** The broker URL with this user's credentials (no credentials when the broker has no users). */
  urlFor(username: string): string;
  close(): Promise<void>;
}

function writeAccessFilesFor(dir: string, users: BrokerUser[]) {
  const { passwordFile, aclFile } = writeAccessFiles(dir, users);
  return { broker_password_file: passwordFile, broker_acl_file: aclFile };
}

/** The HMAC secret Odoo's callbacks are signed with in tests whose broker has authentication on. */
export const TEST_ODOO_SECRET = 'test-odoo-hmac-secret-0123456789';

/** swapd logs in to a test Mosquitto as its `swapd` user (role agent); Odoo's callbacks are signed then. */
export function mosquittoLogin(mosquitto: MosquittoProcess): Record<string, unknown> {
  return {
    mqtt_username: mosquitto.users.swapd.username,
    mqtt_password: mosquitto.users.swapd.password,
    odoo_hmac_secret: TEST_ODOO_SECRET,
  };
}

/** The same login as environment variables, for swapd processes. */
export function mosquittoLoginEnv(mosquitto: MosquittoProcess): Record<string, string> {
  return {
    SWAPD_MQTT_USERNAME: mosquitto.users.swapd.username,
    SWAPD_MQTT_PASSWORD: mosquitto.users.swapd.password,
    SWAPD_ODOO_HMAC_SECRET: TEST_ODOO_SECRET,
  };
}

/** swapd with a real database and a real broker, each of its own, on free ports. */
export async function startStation(options: StationOptions): Promise<TestStation> {
  const pg = options.db === 'postgres' ? await createTestDatabase() : null;
  const extraUsers = options.extraUsers ?? [];
  const mosquitto =
    options.broker === 'mosquitto'
      ? await startMosquitto({ persistent: options.mosquittoPersistent, extraUsers })
      : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'swapd-data-'));
  const embeddedUsers = options.broker === 'aedes' && options.brokerAuth ? defaultBrokerUsers() : null;
  const embeddedAuth = embeddedUsers
    ? {
        ...writeAccessFilesFor(dataDir, [...Object.values(embeddedUsers), ...extraUsers]),
        odoo_hmac_secret: TEST_ODOO_SECRET,
      }
    : {};
  const config = localConfig(
    { databaseUrl: pg?.url ?? null, mqttUrl: mosquitto?.url ?? null, dataDir },
    {
      outbox_retry_ms: 200,
      ...(mosquitto ? mosquittoLogin(mosquitto) : {}),
      ...embeddedAuth,
      ...options.overrides,
    },
  );
  const swapd = await startSwapd(config, {
    log: silentLogger(),
    inMemoryDatabase: true,
    writeRuntimeNote: false,
    ...options.start,
  });
  const users = [...Object.values(mosquitto?.users ?? embeddedUsers ?? {}), ...extraUsers];
  const urlFor = (username: string) => {
    const user = users.find((u) => u.username === username);
    if (users.length === 0) return swapd.brokerUrl;
    if (!user) throw new Error(`no broker user ${username}`);
    return withCredentials(swapd.brokerUrl, user);
  };
  const requester = await Requester.connect(users.length > 0 ? urlFor('tester') : swapd.brokerUrl, [
    'rtrn/#',
    'echo/#',
    'event/#',
  ]);
  return {
    urlFor,
    swapd,
    db: swapd.database.db,
    requester,
    pg,
    mosquitto,
    async close() {
      await requester.close();
      await swapd.stop();
      await mosquitto?.dispose();
      await pg?.drop();
    },
  };
}

export const MATRIX: { name: string; db: DbKind; broker: BrokerKind }[] = [
  { name: 'aedes + postgres', db: 'postgres', broker: 'aedes' },
  { name: 'mosquitto + postgres', db: 'postgres', broker: 'mosquitto' },
  { name: 'aedes + pglite', db: 'pglite', broker: 'aedes' },
];

/** Until every committed event has been acknowledged by the broker. */
export async function waitForOutboxDrained(station: TestStation, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pending = await station.db
      .selectFrom('outbox')
      .select('id')
      .where('published_at', 'is', null)
      .execute();
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('outbox did not drain');
}
