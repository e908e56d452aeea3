import type { Logger } from '../../log.js';
import type { BrokerClient, InboundMessage } from '../../ports/broker.js';
import type { Clock } from '../../ports/clock.js';
import type { TelemetryPayload } from '../../ports/telemetry.js';
import type { Spec003Validator } from '../../validation/spec003/spec003-validator.js';
import { checkInbound, type IngestRules, Spec003Routes, type TelemetryRejection } from './ingest-check.js';
import { ReceivedTelemetry } from './received-telemetry.js';
import type { TelemetryCache } from './telemetry-cache.js';
import type { TelemetryMetrics } from './telemetry-metrics.js';

/** The message types the agent role ingests. */
export const INGESTED_TYPES = ['telemetry', 'fleet_aggregate'] as const;

export function ingestFilters(group: string | null): string[] {
  const filters = INGESTED_TYPES.map((type) => `bessai/+/${type}`);
  return group ? filters.map((f) => `$share/${group}/${f}`) : filters;
}

/** Causes are logged once per cause and site; the set is bounded so a flood of site ids cannot grow it. */
const MAX_LOGGED = 1000;

/**
 * The agent role's SPEC-003 ingest. Not a request: no idempotency and no answer. Each message is
 * checked (schema, topic, site, clock) and folded into the cache; the writer stores the cache's
 * changes in batches. Refusals are counted by cause and logged once per cause and site.
 */
export class TelemetryIngest {
  readonly #broker: BrokerClient;
  readonly #cache: TelemetryCache;
  readonly #validator: Spec003Validator;
  readonly #rules: IngestRules;
  readonly #clock: Clock;
  readonly #metrics: TelemetryMetrics;
  readonly #log: Logger;
  readonly #logged = new Set<string>();
  readonly #routes = new Spec003Routes();
  /** The accepted counter's child per message type, looked up once (a label lookup per message shows in profiles). */
  readonly #receivedOf = new Map<string, { inc(): void }>();
  #running = false;
  accepted = 0;
  readonly rejected = new Map<TelemetryRejection, number>();

  constructor(deps: {
    broker: BrokerClient;
    cache: TelemetryCache;
    validator: Spec003Validator;
    rules: IngestRules;
    clock: Clock;
    metrics: TelemetryMetrics;
    log: Logger;
  }) {
    this.#broker = deps.broker;
    this.#cache = deps.cache;
    this.#validator = deps.validator;
    this.#rules = deps.rules;
    this.#clock = deps.clock;
    this.#metrics = deps.metrics;
    this.#log = deps.log.child({ component: 'telemetry-ingest' });
  }

  async start(sharedGroup: string | null): Promise<void> {
    this.#running = true;
    await this.#broker.subscribe(ingestFilters(sharedGroup), (m) => {
      if (this.#running && m.topic.startsWith('bessai/')) this.accept(m);
    });
  }

  stop(): void {
    this.#running = false;
  }

  /** Folds one message in; never throws. */
  accept(message: InboundMessage): void {
    try {
      this.#fold(message);
    } catch (err) {
      this.#log.error({ err, topic: message.topic }, 'telemetry message could not be folded in');
    }
  }

  #fold(inbound: InboundMessage): void {
    const nowMs = this.#clock.now().getTime();
    const verdict = checkInbound(
      inbound.topic,
      inbound.payload,
      this.#rules,
      this.#validator,
      nowMs,
      this.#routes,
    );
    if (!verdict.ok) {
      this.rejected.set(verdict.cause, (this.rejected.get(verdict.cause) ?? 0) + 1);
      this.#metrics.rejected.labels(verdict.cause).inc();
      this.#logOnce(verdict.cause, verdict.siteId, inbound.topic, verdict.details);
      return;
    }
    const { message, measuredMs, text } = verdict;
    this.accepted++;
    this.#received(message.message_type).inc();
    this.#cache.foldSite({
      siteId: message.site_id,
      messageType: message.message_type,
      measuredAt: new Date(measuredMs),
      message,
    });
    if (message.message_type !== 'telemetry') return;
    const payload = message.payload as unknown as TelemetryPayload;
    if (payload.asset_id === undefined) return;
    const reading = new ReceivedTelemetry({
      assetId: payload.asset_id,
      siteId: message.site_id,
      measuredMs,
      receivedMs: nowMs,
      text,
    });
    if (!this.#cache.foldAsset(reading)) this.#metrics.outOfOrder.inc();
  }

  #received(messageType: string): { inc(): void } {
    let child = this.#receivedOf.get(messageType);
    if (!child) {
      child = this.#metrics.received.labels(messageType);
      this.#receivedOf.set(messageType, child);
    }
    return child;
  }

  #logOnce(cause: string, siteId: string | null, topic: string, details: unknown): void {
    const key = `${cause}/${siteId ?? ''}`;
    if (this.#logged.has(key) || this.#logged.size >= MAX_LOGGED) return;
    this.#logged.add(key);
    this.#log.warn(
      { cause, site_id: siteId, topic: topic.slice(0, 200), details },
      'telemetry refused (logged once per cause and site; see swapd_telemetry_rejected_total)',
    );
  }
}
