import type { ErrorDetail } from '../../errors.js';
import type { Spec003Envelope, Spec003Validator } from '../../validation/spec003/spec003-validator.js';

/** Why the ingest refused a message (the `cause` label of swapd_telemetry_rejected_total). */
export const TELEMETRY_REJECTIONS = {
  TELEMETRY_OVERSIZED: 'the message is larger than telemetry.max_message_bytes',
  TELEMETRY_MALFORMED: 'the message is not a JSON object',
  TELEMETRY_SCHEMA_VIOLATION: "the message fails the SPEC-003 envelope or its payload's schema",
  TELEMETRY_TOPIC_MISMATCH: 'site_id or message_type differs from the topic bessai/{site_id}/{message_type}',
  TELEMETRY_SITE_NOT_ALLOWED: 'the site is not listed in telemetry.sites',
  TELEMETRY_FUTURE_TIMESTAMP: 'the timestamp is later than now + telemetry.max_future_skew_seconds',
} as const;
export type TelemetryRejection = keyof typeof TELEMETRY_REJECTIONS;

export function isTelemetryRejection(value: unknown): value is TelemetryRejection {
  return typeof value === 'string' && Object.hasOwn(TELEMETRY_REJECTIONS, value);
}

export interface IngestRules {
  maxBytes: number;
  /** null: every well-formed site id (the broker's ACL is the gate). */
  sites: ReadonlySet<string> | null;
  maxFutureSkewMs: number;
}

export type IngestVerdict =
  | { ok: true; message: Spec003Envelope; measuredMs: number; text: string }
  | { ok: false; cause: TelemetryRejection; siteId: string | null; details: ErrorDetail[] };

export interface Spec003Route {
  siteId: string;
  messageType: string;
}

/** `bessai/{site_id}/{message_type}` → its two parts; null for any other topic. */
export function parseSpec003Topic(topic: string): Spec003Route | null {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'bessai' || !parts[1] || !parts[2]) return null;
  return { siteId: parts[1], messageType: parts[2] };
}

/**
 * The routes of the topics seen lately: a station publishes on the same few topics all day, so each is
 * split once, not once per message. Bounded: a flood of distinct topics only empties it.
 */
export class Spec003Routes {
  readonly #max: number;
  readonly #routes = new Map<string, Spec003Route | null>();

  constructor(max = 1024) {
    this.#max = max;
  }

  of(topic: string): Spec003Route | null {
    let route = this.#routes.get(topic);
    if (route !== undefined) return route;
    route = parseSpec003Topic(topic);
    if (this.#routes.size >= this.#max) this.#routes.clear();
    this.#routes.set(topic, route);
    return route;
  }
}

function refuse(
  cause: TelemetryRejection,
  siteId: string | null,
  message: string,
  path = '/',
): IngestVerdict {
  return { ok: false, cause, siteId, details: [{ path, message }] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Decides whether one inbound SPEC-003 message may be kept. Pure and total: any topic and any bytes get
 * a verdict; nothing is thrown.
 */
export function checkInbound(
  topic: string,
  payload: Buffer,
  rules: IngestRules,
  validator: Spec003Validator,
  nowMs: number,
  routes?: Spec003Routes,
): IngestVerdict {
  const route = routes ? routes.of(topic) : parseSpec003Topic(topic);
  const siteId = route?.siteId ?? null;
  if (payload.length > rules.maxBytes)
    return refuse('TELEMETRY_OVERSIZED', siteId, `${payload.length} bytes; the limit is ${rules.maxBytes}`);
  const text = payload.toString('utf8');
  const value = parseJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return refuse('TELEMETRY_MALFORMED', siteId, 'not a JSON object');
  const checked = validator.validate(value);
  if (!checked.ok)
    return { ok: false, cause: 'TELEMETRY_SCHEMA_VIOLATION', siteId, details: checked.details };
  const message = checked.message;
  if (!route || route.siteId !== message.site_id || route.messageType !== message.message_type) {
    const expected = `bessai/${message.site_id}/${message.message_type}`;
    return refuse('TELEMETRY_TOPIC_MISMATCH', siteId, `published on ${topic}, expected ${expected}`);
  }
  if (rules.sites && !rules.sites.has(message.site_id))
    return refuse(
      'TELEMETRY_SITE_NOT_ALLOWED',
      message.site_id,
      `site ${message.site_id} is not accepted`,
      '/site_id',
    );
  const measuredMs = Date.parse(message.timestamp);
  const skew = measuredMs - nowMs;
  if (!(skew <= rules.maxFutureSkewMs)) {
    const text = `${message.timestamp} is ${Math.round(skew / 1000)} s ahead of this clock`;
    return refuse('TELEMETRY_FUTURE_TIMESTAMP', message.site_id, text, '/timestamp');
  }
  return { ok: true, message, measuredMs, text };
}
