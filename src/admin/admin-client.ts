import { readFileSync } from 'node:fs';
import { openDatabase } from '../adapters/db/connect.js';
import { migrateToLatest } from '../adapters/db/migrate.js';
import { createRequestStore } from '../adapters/db/request-store.js';
import { loadTemplates } from '../adapters/templates/template-loader.js';
import type { SwapdConfig } from '../config/config.js';
import { SwapdError } from '../errors.js';
import { createLogger } from '../log.js';
import { systemClock } from '../ports/clock.js';
import { readRuntimeNote } from '../runtime/runtime-file.js';
import { addAssets, importPlans, upsertTemplates } from './admin.repo.js';
import { type AssetImport, type PlanImport, parseAssets, parsePlans } from './admin-validation.js';
import {
  BATTERY_OPERATIONS,
  commandPipeline,
  type LifecycleAnswer,
  type LifecycleCommand,
  runLifecycle,
} from './lifecycle.js';
import { type ReconcileReport, reconcile } from './reconcile.js';

/**
 * Management commands reach the database directly (Postgres), or through the running swapd when it
 * owns the embedded PGlite database.
 */
export interface AdminClient {
  importPlans(plans: PlanImport[]): Promise<string[]>;
  addAssets(assets: AssetImport[]): Promise<number>;
  /** A lifecycle operation of the ops topic (suspend, resume, close a plan; battery lost, recovered). */
  lifecycle(command: LifecycleCommand): Promise<LifecycleAnswer>;
  close(): Promise<void>;
}

function lifecyclePath(cmd: LifecycleCommand): string {
  const battery = BATTERY_OPERATIONS.includes(cmd.operation);
  const id = encodeURIComponent((battery ? cmd.asset_id : cmd.plan_id) ?? '');
  return `/api/v1/ops/${battery ? 'assets' : 'plans'}/${id}/${cmd.operation}`;
}

function lifecycleBody(cmd: LifecycleCommand): Record<string, string> {
  const { operation: _op, plan_id: _plan, asset_id: _asset, ...fields } = cmd;
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string'));
}

async function post(url: string, token: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const reply = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    const error = reply.error as {
      code?: string;
      message?: string;
      details?: { path: string; message: string }[];
    };
    const code = (error?.code ?? 'INTERNAL_ERROR') as ConstructorParameters<typeof SwapdError>[0];
    throw new SwapdError(code, error?.message ?? `HTTP ${res.status}`, { details: error?.details ?? [] });
  }
  return reply;
}

export async function openAdminClient(config: SwapdConfig, templatesDir: string): Promise<AdminClient> {
  const note = config.database_url ? null : readRuntimeNote(config.data_dir);
  if (note) {
    return {
      importPlans: async (plans) =>
        (await post(`${note.http_url}/api/v1/ops/plans`, note.ops_token, plans)).created as string[],
      addAssets: async (assets) =>
        (await post(`${note.http_url}/api/v1/ops/assets`, note.ops_token, assets)).registered as number,
      lifecycle: async (cmd) =>
        post(`${note.http_url}${lifecyclePath(cmd)}`, note.ops_token, lifecycleBody(cmd)),
      close: async () => {},
    };
  }
  const handle = await openDatabase({ url: config.database_url, dataDir: config.data_dir, poolSize: 2 });
  await migrateToLatest(handle.db);
  await upsertTemplates(handle.db, loadTemplates(templatesDir));
  const log = createLogger({ level: config.log_level, pretty: false });
  const pipeline = commandPipeline(config, createRequestStore(handle.db), systemClock, log);
  return {
    importPlans: (plans) => importPlans(handle.db, parsePlans(plans), new Date()),
    addAssets: (assets) => addAssets(handle.db, parseAssets(assets)),
    lifecycle: (cmd) => runLifecycle(handle.db, (m) => pipeline.handle(m), cmd),
    close: () => handle.close(),
  };
}

/**
 * The ledger checks, read-only: through the running swapd when it owns the embedded database, else
 * straight against the database (no migration, no template upsert: nothing is written).
 */
export async function reconcileDatabase(config: SwapdConfig, publishLagMs: number): Promise<ReconcileReport> {
  const note = config.database_url ? null : readRuntimeNote(config.data_dir);
  if (note) {
    const url = `${note.http_url}/api/v1/ops/reconcile?lag_seconds=${Math.round(publishLagMs / 1000)}`;
    return (await post(url, note.ops_token)) as unknown as ReconcileReport;
  }
  const handle = await openDatabase({ url: config.database_url, dataDir: config.data_dir, poolSize: 1 });
  try {
    return await reconcile(handle.db, { now: new Date(), publishLagMs });
  } finally {
    await handle.close();
  }
}

export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SwapdError('SCHEMA_VIOLATION', `${path} is not a readable JSON file`, { cause });
  }
}

/** asset_id,capacity_kwh,station_id with a header line. */
export function readAssetsCsv(path: string): unknown {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  return lines.map((line) => {
    const cells = line.split(',').map((c) => c.trim());
    const row: Record<string, unknown> = {};
    header.forEach((h, i) => {
      const cell = cells[i];
      if (cell === undefined || cell === '') return;
      row[h] = h === 'capacity_kwh' ? Number(cell) : cell;
    });
    return row;
  });
}
