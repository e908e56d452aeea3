import type { HandlerSettings } from '../../agents/handler.types.js';
import type { Logger } from '../log.js';
import type { InboundMessage } from '../ports/broker.js';
import type { Clock } from '../ports/clock.js';
import type { BatteryReading, BatteryScanner } from '../ports/scanner.js';
import type { IdempotencyKey, RequestStore, RequestTransaction } from '../ports/store.js';
import { ENVELOPE_REQUEST } from '../validation/message-schemas.js';
import type { MessageValidator } from '../validation/message-validator.js';
import { type FlatResponse, type Normalised, normalise, render } from './envelope.js';
import {
  type Answer,
  type AnyHandler,
  loadOf,
  PlanNotFound,
  type Prepared,
  RequestDecider,
} from './request-decision.js';
import { type GroupOutcome, type GroupSettings, RequestGroups } from './request-groups.js';
import { requestHash } from './request-hash.js';
import { checkResponseTopic, type IgnoredReason } from './response-topic.js';
import { errorResponse, type ResponseBase } from './responses.js';
import type { Action, ParsedTopic } from './topics.js';
import { parseRequestTopic } from './topics.js';

export interface PipelineSettings extends HandlerSettings {
  readonly maxPayloadBytes: number;
  readonly siteId: string;
  /** How long the station hardware may take to answer for a battery before the app's value is used. */
  readonly scannerTimeoutMs: number;
  /** MQTT 5 Response Topics are answered on only under this prefix; null: never. */
  readonly responseTopicPrefix: string | null;
  /** Request groups for writing actions (absent, or maxSize 1: every request on its own). */
  readonly groups?: GroupSettings;
}

export interface PipelineDeps {
  store: RequestStore;
  validator: MessageValidator;
  scanner: BatteryScanner;
  clock: Clock;
  log: Logger;
  settings: PipelineSettings;
  routes: Partial<Record<Action, AnyHandler>>;
  /** Told of every answered request (metrics). */
  observe?: (action: string, outcome: string, seconds: number) => void;
  /** Told after a commit that queued events (the outbox relay wakes up). */
  onEventsQueued?: () => void;
  /**
   * Signed callbacks: why this request's signature is refused, or null when it is good (or the action
   * needs none). Given the payload as published.
   */
  signatureProblem?: (action: Action, payload: Record<string, unknown>, now: Date) => string | null;
  /** Told of every MQTT 5 Response Topic that was not answered on (metrics). */
  onResponseTopicIgnored?: (reason: IgnoredReason) => void;
  /** Told of every request group of two or more: its size and how it ended (metrics). */
  onGroup?: (size: number, outcome: GroupOutcome) => void;
}

export interface Outbound {
  /** The contract's response topic, then an MQTT 5 requester's own Response Topic when it named another. */
  topics: string[];
  payload: string;
  correlationData?: Buffer;
}

/** One request in, exactly one response out: validation, idempotency, the transaction, the answer. */
export class RequestPipeline {
  readonly #deps: PipelineDeps;
  readonly #decider: RequestDecider;
  readonly #groups: RequestGroups | null;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
    this.#decider = new RequestDecider({
      validator: deps.validator,
      routes: deps.routes,
      settings: deps.settings,
      log: deps.log,
    });
    this.#groups = this.#groupsOf(deps);
  }

  #groupsOf(deps: PipelineDeps): RequestGroups | null {
    const { store } = deps;
    const settings = deps.settings.groups;
    if (!store.groupTransaction || !settings || settings.maxSize < 2) return null;
    return new RequestGroups({
      store: { ...store, groupTransaction: store.groupTransaction.bind(store) },
      decider: this.#decider,
      alone: (p, base, readings) => this.#alone(p, base, readings),
      settings,
      log: deps.log,
      ...(deps.onEventsQueued ? { onEventsQueued: deps.onEventsQueued } : {}),
      ...(deps.onGroup ? { onGroup: deps.onGroup } : {}),
    });
  }

  /** Resolves once no request waits for a group or is in one. */
  drain(): Promise<void> {
    return this.#groups?.drain() ?? Promise.resolve();
  }

  async handle(message: InboundMessage): Promise<Outbound | null> {
    const topic = parseRequestTopic(message.topic);
    if (!topic) return null;
    const started = performance.now();
    const { answer, shape, action } = await this.#answer(topic, message.payload);
    const { response } = answer;
    const outcome = response.success ? 'success' : (response.error?.code ?? response.signals[0] ?? 'failed');
    this.#deps.observe?.(action ?? 'UNKNOWN', outcome, (performance.now() - started) / 1000);
    return {
      topics: [topic.responseTopic, ...this.#requesterTopic(message, topic)],
      // The flat form is the stored response itself: its text is reused, not serialised again.
      payload:
        shape === 'flat' && answer.text ? answer.text : JSON.stringify(render(shape, response, action)),
      ...(message.correlationData ? { correlationData: message.correlationData } : {}),
    };
  }

  /** The requester's own MQTT 5 Response Topic, when it may be answered on; others are logged and counted. */
  #requesterTopic(message: InboundMessage, topic: ParsedTopic): string[] {
    const wanted = message.responseTopic;
    if (!wanted || wanted === topic.responseTopic) return [];
    const ignored = checkResponseTopic(wanted, this.#deps.settings.responseTopicPrefix);
    if (!ignored) return [wanted];
    this.#deps.onResponseTopicIgnored?.(ignored);
    this.#deps.log.warn(
      { reason: ignored, request_topic: message.topic, prefix: this.#deps.settings.responseTopicPrefix },
      'MQTT 5 Response Topic ignored; answered on the contract topic only',
    );
    return [];
  }

  async #answer(topic: ParsedTopic, payload: Buffer) {
    const base: ResponseBase = { correlationId: null, planId: topic.planId, now: this.#deps.clock.now() };
    const parsed = this.#parse(payload, base);
    if ('response' in parsed)
      return { answer: { response: parsed.response }, shape: 'flat' as const, action: topic.action };
    base.correlationId = parsed.correlationId;
    const prepared = this.#prepare(topic, parsed, base);
    if ('response' in prepared)
      return { answer: { response: prepared.response }, shape: parsed.shape, action: topic.action };
    const answer = await this.#execute(prepared, base);
    return { answer, shape: parsed.shape, action: topic.action };
  }

  #parse(payload: Buffer, base: ResponseBase): Normalised | { response: FlatResponse } {
    const limit = this.#deps.settings.maxPayloadBytes;
    if (payload.length > limit) {
      return {
        response: errorResponse(
          base,
          'MALFORMED_PAYLOAD',
          `payload is ${payload.length} bytes; the limit is ${limit}`,
        ),
      };
    }
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return { response: errorResponse(base, 'MALFORMED_PAYLOAD', 'payload is not valid JSON') };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { response: errorResponse(base, 'MALFORMED_PAYLOAD', 'payload must be a JSON object') };
    }
    return normalise(value as Record<string, unknown>);
  }

  #prepare(topic: ParsedTopic, n: Normalised, base: ResponseBase): Prepared | { response: FlatResponse } {
    const handler = topic.action ? this.#deps.routes[topic.action] : undefined;
    if (!topic.action || !handler) {
      return {
        response: errorResponse(base, 'UNKNOWN_ACTION', `unknown operation '${topic.operationName}'`),
      };
    }
    if (n.shape === 'envelope') {
      const envelope = this.#deps.validator.validate(ENVELOPE_REQUEST, n.envelope);
      if (!envelope.ok) {
        return {
          response: errorResponse(
            base,
            'SCHEMA_VIOLATION',
            'request envelope is malformed',
            envelope.details,
          ),
        };
      }
    }
    const mismatch = topicMismatch(topic, n.request);
    if (mismatch) return { response: errorResponse(base, 'TOPIC_MISMATCH', mismatch.message, [mismatch]) };
    const unsigned = this.#deps.signatureProblem?.(topic.action, n.envelope, base.now);
    if (unsigned)
      return {
        response: errorResponse(base, 'SIGNATURE_INVALID', unsigned, [
          { path: '/signature', message: unsigned },
        ]),
      };
    const validation = this.#deps.validator.validate(topic.action, n.request);
    if (!validation.ok) {
      const message = `request does not match the ${topic.action} schema`;
      return { response: errorResponse(base, 'SCHEMA_VIOLATION', message, validation.details) };
    }
    const custom = handler.idempotencyKey?.(n.request);
    const key: IdempotencyKey = {
      scope: custom?.scope ?? 'request',
      key: custom?.key ?? (n.correlationId as string),
      planId: topic.planId,
      operation: topic.action,
      requestHash: requestHash(`${topic.planId}/${topic.action}`, n.request),
    };
    return { topic, handler, normalised: n, key };
  }

  /** Writing actions go through a request group (when there are groups), read-only ones straight on. */
  async #execute(p: Prepared, base: ResponseBase): Promise<Answer> {
    const groups = p.handler.readOnly ? null : this.#groups;
    groups?.expect();
    let readings: Map<string, BatteryReading>;
    try {
      readings = await this.#readHardware(p);
    } catch (err) {
      groups?.arrived();
      throw err;
    }
    return groups ? groups.submit(p, base, readings, true) : this.#alone(p, base, readings);
  }

  /** The request in a transaction of its own; every fault becomes its answer. */
  async #alone(p: Prepared, base: ResponseBase, readings: Map<string, BatteryReading>): Promise<Answer> {
    try {
      let queued = false;
      const answer = await this.#deps.store.transaction(async (tx) => {
        const out = await this.#inTransaction(tx, p, base, readings);
        queued = out.queued;
        return out.answer;
      });
      if (queued) this.#deps.onEventsQueued?.();
      return answer;
    } catch (err) {
      return { response: this.#decider.fault(err, base, p) };
    }
  }

  async #inTransaction(
    tx: RequestTransaction,
    p: Prepared,
    base: ResponseBase,
    readings: Map<string, BatteryReading>,
  ): Promise<{ answer: Answer; queued: boolean }> {
    const claim = await tx.claimAndLoad(p.key, loadOf(p));
    if (claim.kind === 'existing') {
      const response = this.#decider.existing(claim.requestHash, claim.response, p, base);
      return { answer: { response }, queued: false };
    }
    if (!claim.loaded) throw new PlanNotFound();
    const decided = await this.#decider.decide(tx, p, base, readings, claim.loaded);
    await tx.write(decided.write);
    return { answer: decided.answer, queued: decided.queued };
  }

  /** Hardware is asked before the transaction opens, so no row lock waits on a Modbus round trip. */
  async #readHardware(p: Prepared): Promise<Map<string, BatteryReading>> {
    const ids = p.handler.assetIds(p.normalised.request);
    const readings = new Map<string, BatteryReading>();
    if (ids.length === 0) return readings;
    const timeout = this.#deps.settings.scannerTimeoutMs;
    await Promise.all(
      ids.map(async (id) => {
        try {
          const reading = await withTimeout(this.#deps.scanner.read(id), timeout);
          if (reading) readings.set(id, reading);
        } catch (err) {
          this.#decider
            .requestLog(p)
            .warn({ err, asset_id: id }, 'station hardware could not read the battery; using the app value');
        }
      }),
    );
    return readings;
  }
}

function topicMismatch(topic: ParsedTopic, request: Record<string, unknown>) {
  if (typeof request.action === 'string' && request.action !== topic.action) {
    return {
      path: '/action',
      message: `action ${request.action} does not match topic operation ${topic.operationName}`,
    };
  }
  if (typeof request.plan_id === 'string' && request.plan_id !== topic.planId) {
    return {
      path: '/plan_id',
      message: `plan_id ${request.plan_id} does not match topic plan ${topic.planId}`,
    };
  }
  return null;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
