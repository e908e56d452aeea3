import { randomUUID } from 'node:crypto';
import type { SwapdConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import type { InboundMessage } from '../ports/broker.js';
import type { Clock } from '../ports/clock.js';
import type { Db } from '../ports/database.js';
import { noHardwareScanner } from '../ports/scanner.js';
import type { RequestStore } from '../ports/store.js';
import { type Outbound, RequestPipeline } from '../router/request-pipeline.js';
import { requestSchemas, routes } from '../router/routes.js';
import { OPS_OPERATIONS, type OpsOperation } from '../router/topics.js';
import { messageSchemas } from '../validation/message-schemas.js';
import { MessageValidator } from '../validation/message-validator.js';

/** The lifecycle operations of the ops topic, as the CLI and the ops HTTP endpoints name them. */
export const LIFECYCLE_OPERATIONS = Object.keys(OPS_OPERATIONS) as OpsOperation[];
export const BATTERY_OPERATIONS: readonly OpsOperation[] = ['report_battery_lost', 'recover_battery'];

export function isLifecycleOperation(name: string): name is OpsOperation {
  return Object.hasOwn(OPS_OPERATIONS, name);
}

/** One lifecycle operation: on a plan, or on a battery (whose holding plan is looked up). */
export interface LifecycleCommand {
  operation: OpsOperation;
  plan_id?: string;
  asset_id?: string;
  /** Idempotency key; a new one per command when absent. */
  correlation_id?: string;
  requested_by?: string;
  reason?: string;
  station_id?: string;
}

/** The answer as on `rtrn/abs/ops/plan/{plan_id}/{operation}_response`. */
export type LifecycleAnswer = Record<string, unknown>;

export type Answerer = (message: InboundMessage) => Promise<Outbound | null>;

function refused(cmd: LifecycleCommand, signal: string, message: string): LifecycleAnswer {
  return {
    correlation_id: cmd.correlation_id ?? null,
    plan_id: cmd.plan_id ?? null,
    timestamp: new Date().toISOString(),
    success: false,
    signals: [signal],
    metadata: { asset_id: cmd.asset_id ?? null },
    fsmInputs: [],
    error: { code: signal, message, details: [] },
  };
}

/** A battery operation acts on the plan that holds the battery. */
async function planOf(db: Db, cmd: LifecycleCommand): Promise<string | LifecycleAnswer> {
  if (cmd.plan_id) return cmd.plan_id;
  if (!cmd.asset_id)
    return refused(cmd, 'SCHEMA_VIOLATION', `${cmd.operation} needs a plan_id or an asset_id`);
  const asset = await db
    .selectFrom('assets')
    .select(['status', 'holder_plan_id'])
    .where('asset_id', '=', cmd.asset_id)
    .executeTakeFirst();
  if (!asset) return refused(cmd, 'EQUIPMENT_NOT_FOUND', `battery ${cmd.asset_id} is not registered`);
  if (asset.holder_plan_id) return asset.holder_plan_id;
  return cmd.operation === 'recover_battery'
    ? refused(cmd, 'EQUIPMENT_NOT_LOST', `battery ${cmd.asset_id} is ${asset.status}, not reported lost`)
    : refused(
        cmd,
        'EQUIPMENT_NOT_BELONGS_TO_USER',
        `battery ${cmd.asset_id} is ${asset.status}: no plan holds it`,
      );
}

/**
 * Runs a lifecycle operation exactly as the ops topic does (`call/ops/plan/{plan_id}/{operation}`):
 * same schema, idempotency by correlation_id, transaction, audit row and answer.
 */
export async function runLifecycle(
  db: Db,
  answer: Answerer,
  cmd: LifecycleCommand,
): Promise<LifecycleAnswer> {
  const planId = await planOf(db, cmd);
  if (typeof planId !== 'string') return planId;
  const request = {
    action: OPS_OPERATIONS[cmd.operation],
    correlation_id: cmd.correlation_id ?? `ops-${randomUUID()}`,
    plan_id: planId,
    ...(BATTERY_OPERATIONS.includes(cmd.operation) && cmd.asset_id ? { asset_id: cmd.asset_id } : {}),
    ...(cmd.station_id && cmd.operation === 'recover_battery' ? { station_id: cmd.station_id } : {}),
    ...(cmd.requested_by ? { requested_by: cmd.requested_by } : {}),
    ...(cmd.reason ? { reason: cmd.reason } : {}),
  };
  const out = await answer({
    topic: `call/ops/plan/${planId}/${cmd.operation}`,
    payload: Buffer.from(JSON.stringify(request)),
  });
  if (!out) return refused(cmd, 'UNKNOWN_ACTION', `plan id ${planId} cannot be used in a topic`);
  return JSON.parse(out.payload) as LifecycleAnswer;
}

/** The request pipeline of a management command that reaches Postgres itself (no running swapd). */
export function commandPipeline(
  config: SwapdConfig,
  store: RequestStore,
  clock: Clock,
  log: Logger,
): RequestPipeline {
  return new RequestPipeline({
    store,
    validator: new MessageValidator(messageSchemas(requestSchemas())),
    scanner: noHardwareScanner,
    clock,
    log,
    settings: {
      maxPayloadBytes: config.max_payload_bytes,
      siteId: config.site_id,
      kwhToleranceKwh: config.kwh_mismatch_tolerance_kwh,
      scannerTimeoutMs: 0,
      responseTopicPrefix: config.mqtt5_response_topic_prefix,
    },
    routes,
  });
}
