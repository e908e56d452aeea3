import type { ValidateFunction } from 'ajv';
import type { ErrorDetail } from '../../errors.js';
import { createAjv } from '../ajv.js';
import { toDetails } from '../details.js';
import aiScore from './ai-score.schema.json' with { type: 'json' };
import carbonMetric from './carbon-metric.schema.json' with { type: 'json' };
import envelope from './envelope.schema.json' with { type: 'json' };
import fleetAggregate from './fleet-aggregate.schema.json' with { type: 'json' };
import safetyEvent from './safety-event.schema.json' with { type: 'json' };
import telemetry from './telemetry.schema.json' with { type: 'json' };
import telemetryBattery from './telemetry-battery.schema.json' with { type: 'json' };

export const SPEC003_MESSAGE_TYPES = [
  'telemetry',
  'safety_event',
  'ai_score',
  'fleet_aggregate',
  'carbon_metric',
] as const;
export type Spec003MessageType = (typeof SPEC003_MESSAGE_TYPES)[number];

/** The SPEC-003 schemas as JSON Schema 2020-12 documents: the envelope and one payload per message type. */
export const SPEC003_SCHEMAS = {
  envelope,
  payloads: {
    telemetry,
    safety_event: safetyEvent,
    ai_score: aiScore,
    fleet_aggregate: fleetAggregate,
    carbon_metric: carbonMetric,
  } satisfies Record<Spec003MessageType, object>,
  /** swapd's battery extension fields of the telemetry payload (SPEC §2.5), checked after the seed's schema. */
  telemetryBattery,
} as const;

/** The SPEC-003 site id pattern: kind, country, number (e.g. SITE-KE-001). */
export const SITE_ID_PATTERN = /^[A-Z]{4}-[A-Z]{2}-\d{3}$/;

export interface Spec003Envelope<P = Record<string, unknown>> {
  schema_version: '1.0';
  message_type: Spec003MessageType;
  site_id: string;
  gateway_version?: string;
  timestamp: string;
  payload: P;
}

export type Spec003Validation =
  | { ok: true; message: Spec003Envelope }
  | { ok: false; stage: 'envelope' | 'payload'; details: ErrorDetail[] };

function isMessageType(value: unknown): value is Spec003MessageType {
  return (SPEC003_MESSAGE_TYPES as readonly unknown[]).includes(value);
}

/**
 * Checks a whole SPEC-003 message: the envelope first, then the payload against the schema its
 * `message_type` names (payload paths are reported under `/payload`). Total: any value gets an answer.
 */
export class Spec003Validator {
  readonly #envelope: ValidateFunction;
  readonly #payloads = new Map<Spec003MessageType, ValidateFunction>();
  readonly #battery: ValidateFunction;

  constructor() {
    const ajv = createAjv();
    this.#envelope = ajv.compile(SPEC003_SCHEMAS.envelope);
    for (const type of SPEC003_MESSAGE_TYPES)
      this.#payloads.set(type, ajv.compile(SPEC003_SCHEMAS.payloads[type]));
    this.#battery = ajv.compile(SPEC003_SCHEMAS.telemetryBattery);
  }

  validate(message: unknown): Spec003Validation {
    if (!this.#envelope(message))
      return { ok: false, stage: 'envelope', details: toDetails(this.#envelope.errors) };
    const envelopeOk = message as Spec003Envelope;
    const type = envelopeOk.message_type;
    const validatePayload = isMessageType(type) ? this.#payloads.get(type) : undefined;
    if (!validatePayload)
      return { ok: false, stage: 'envelope', details: [{ path: '/message_type', message: 'is unknown' }] };
    if (!validatePayload(envelopeOk.payload))
      return { ok: false, stage: 'payload', details: payloadDetails(validatePayload) };
    if (type === 'telemetry' && !this.#battery(envelopeOk.payload))
      return { ok: false, stage: 'payload', details: payloadDetails(this.#battery) };
    return { ok: true, message: envelopeOk };
  }
}

/** A payload schema's errors with their paths under `/payload`. */
function payloadDetails(validate: ValidateFunction): ErrorDetail[] {
  return toDetails(validate.errors).map((d) => ({
    ...d,
    path: `/payload${d.path === '/' ? '' : d.path}`,
  }));
}
