import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/log.js';
import { type RunningSwapd, startSwapd } from '../src/main.js';
import {
  createThrowawayDatabase,
  localConfig,
  type MosquittoProcess,
  startMosquitto,
  type ThrowawayDatabase,
} from './infra.js';
import { type Responders, startResponders } from './responders.js';
import { seedFleet } from './seed.js';

export type BrokerKind = 'mosquitto' | 'aedes';
export type DbKind = 'postgres' | 'pglite';

export interface Combo {
  name: string;
  broker: BrokerKind;
  db: DbKind;
}

/** The station-edge shape, the embedded broker on Postgres, and the embedded default (aedes + PGlite). */
export const COMBOS: readonly Combo[] = [
  { name: 'mosquitto+postgres', broker: 'mosquitto', db: 'postgres' },
  { name: 'aedes+postgres', broker: 'aedes', db: 'postgres' },
  { name: 'aedes+pglite', broker: 'aedes', db: 'pglite' },
];

export interface BenchStation {
  combo: Combo;
  swapd: RunningSwapd;
  brokerUrl: string;
  seedMs: number;
  close(): Promise<void>;
}

/** swapd (role agent) with its own broker and database, seeded with the bench fleet, plus the ceiling responders. */
export async function startBenchStation(combo: Combo, plans: number): Promise<BenchStation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'swapd-bench-data-'));
  let pg: ThrowawayDatabase | null = null;
  let mosquitto: MosquittoProcess | null = null;
  let swapd: RunningSwapd | null = null;
  let responders: Responders | null = null;
  const close = async () => {
    await responders?.close();
    await swapd?.stop();
    await mosquitto?.dispose();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    pg = combo.db === 'postgres' ? await createThrowawayDatabase(process.env) : null;
    // The ceiling responders answer on bench/res/…: the observer user may use bench/# as well.
    mosquitto =
      combo.broker === 'mosquitto'
        ? await startMosquitto({ extraAcl: 'user tester\ntopic readwrite bench/#' })
        : null;
    const login = mosquitto
      ? {
          mqtt_username: mosquitto.users.swapd.username,
          mqtt_password: mosquitto.users.swapd.password,
          odoo_hmac_secret: randomBytes(24).toString('hex'),
        }
      : {};
    const config = localConfig(
      { databaseUrl: pg?.url ?? null, mqttUrl: mosquitto?.url ?? null, dataDir },
      login,
    );
    swapd = await startSwapd(config, { log: silentLogger(), writeRuntimeNote: false });
    const seeded = performance.now();
    await seedFleet(swapd.database.db, plans);
    const seedMs = Math.round(performance.now() - seeded);
    const clientUrl = mosquitto?.urlFor('tester') ?? swapd.brokerUrl;
    responders = await startResponders(clientUrl, swapd.database.db);
    return { combo, swapd, brokerUrl: clientUrl, seedMs, close };
  } catch (err) {
    await close();
    throw err;
  }
}
